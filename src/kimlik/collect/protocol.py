"""The Segment HTTP tracking protocol: from request bytes to checked messages.

What real SDKs send, and what this accepts:
- a body that is JSON, gzip-compressed or not; ``/v1/batch`` holds ``{"batch": [...]}``,
  the single-call paths one message;
- the write key as the HTTP Basic user name or as ``writeKey`` in the body;
- ``sentAt`` on the batch or the message, so the client's clock skew can be removed;
- bare ``NaN`` / ``Infinity`` (Python's ``json.dumps`` writes them for float NaN), read
  as ``null``: the message is kept, the unusable number is not.

Whole-request problems raise (nothing is stored); a bad message is a ``Refused`` and
the rest of the batch still lands.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from kimlik.errors import MalformedBatchError, PayloadTooLargeError

TYPES = frozenset({"identify", "track", "page", "screen", "group", "alias"})
_NON_FINITE = {"NaN": None, "Infinity": None, "-Infinity": None}
#: longest identifier kept; longer ones are refused rather than cut (a cut id is a new id)
MAX_ID = 255


@dataclass(frozen=True, slots=True)
class Message:
    """One accepted message, as the events table stores it."""

    message_id: str
    type: str
    event: str | None
    user_id: str | None
    anonymous_id: str | None
    occurred_at: dt.datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Refused:
    """One message that could not be taken; kept for review with its reason."""

    index: int
    message_id: str | None
    code: str
    message: str
    payload: Any


@dataclass(slots=True)
class Parsed:
    """A request's messages: the accepted, the refused, and the write key it carried."""

    messages: list[Message] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    write_key: str | None = None
    non_finite: bool = False


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """The body as JSON bytes; refuses more than ``limit`` bytes once inflated."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("identity", ""):
        if len(body) > limit:
            raise PayloadTooLargeError(f"the batch is {len(body)} bytes; the limit is {limit}")
        return body
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise MalformedBatchError(f"unsupported Content-Encoding {coding!r}; use gzip")
    window = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(window)
    try:
        data = inflater.decompress(body, limit + 1)  # never inflate a bomb past the limit
    except zlib.error as exc:
        raise MalformedBatchError(f"the body is not valid {coding}: {exc}") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise PayloadTooLargeError(f"the batch inflates past the limit of {limit} bytes")
    return data


def load_json(data: bytes) -> tuple[Any, bool]:
    """The document, and whether it held bare NaN or Infinity (read as null)."""
    try:
        return orjson.loads(data), False
    except orjson.JSONDecodeError:
        pass
    found = False

    def non_finite(name: str) -> None:
        nonlocal found
        found = True
        return _NON_FINITE[name]

    try:
        return json.loads(data, parse_constant=non_finite), found
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedBatchError(f"the body is not JSON: {exc}") from None


def parse(
    document: Any,
    *,
    single: str | None,
    received_at: dt.datetime,
    max_message_bytes: int,
) -> Parsed:
    """Check every message of a batch (``single``: the type of a single-call path)."""
    if not isinstance(document, dict):
        raise MalformedBatchError("the body must be a JSON object")
    parsed = Parsed(write_key=_text(document.get("writeKey")))
    if single is None:
        batch = document.get("batch")
        if not isinstance(batch, list):
            raise MalformedBatchError("the body has no 'batch' list")
        batch_sent = document.get("sentAt")
        defaults: dict[str, Any] = {}
        context = document.get("context")
        if isinstance(context, dict):
            defaults["context"] = context
    else:
        batch, batch_sent, defaults = [document], None, {}
    for index, raw in enumerate(batch):
        outcome = _message(raw, index, single, batch_sent, defaults, received_at, max_message_bytes)
        if isinstance(outcome, Refused):
            parsed.refused.append(outcome)
        else:
            parsed.messages.append(outcome)
    return parsed


def _message(
    raw: Any,
    index: int,
    single: str | None,
    batch_sent: Any,
    defaults: dict[str, Any],
    received_at: dt.datetime,
    max_bytes: int,
) -> Message | Refused:
    if not isinstance(raw, dict):
        return Refused(
            index, None, "invalid_message", f"message {index} is not an object", repr(raw)[:4096]
        )
    message_id = _text(raw.get("messageId"))

    def refuse(code: str, text: str, storable: bool = True) -> Refused:
        kept_id = message_id if message_id and len(message_id) <= MAX_ID else None
        # what cannot be stored as JSON is kept as its Python text, escapes and all
        kept = raw if storable else repr(raw)[:max_bytes]
        return Refused(index, kept_id, code, f"message {index}: {text}", kept)

    try:
        encoded = orjson.dumps(raw)
    except orjson.JSONEncodeError as exc:  # integers past 64 bits, lone surrogates
        return refuse("invalid_field", f"cannot be stored as JSON: {exc}", storable=False)
    if b"\\u0000" in encoded:  # PostgreSQL's text and JSONB cannot hold NUL
        return refuse("invalid_field", "holds a NUL character (\\u0000)", storable=False)
    size = len(encoded)
    if size > max_bytes:
        return refuse("message_too_large", f"{size} bytes; the limit is {max_bytes}")
    kind = single or _text(raw.get("type"))
    if kind not in TYPES:
        return refuse("invalid_type", f"'type' must be one of {', '.join(sorted(TYPES))}")
    user_id = identifier(raw.get("userId"))
    anonymous_id = identifier(raw.get("anonymousId"))
    for name, value in (
        ("userId", user_id),
        ("anonymousId", anonymous_id),
        ("messageId", message_id),
    ):
        if value is not None and len(value) > MAX_ID:
            return refuse("invalid_field", f"'{name}' is longer than {MAX_ID} characters")
    if user_id is None and anonymous_id is None:
        return refuse("missing_identity", "needs a 'userId' or an 'anonymousId'")
    if kind == "alias" and identifier(raw.get("previousId")) is None:
        return refuse("missing_field", "an alias needs 'previousId'")
    if kind == "group" and identifier(raw.get("groupId")) is None:
        return refuse("missing_field", "a group call needs 'groupId'")
    if kind == "track" and _text(raw.get("event")) is None:
        return refuse("missing_field", "a track call needs 'event'")
    for name in ("traits", "properties", "context"):
        if raw.get(name) is not None and not isinstance(raw.get(name), dict):
            return refuse("invalid_field", f"'{name}' must be an object")
    try:
        timestamp = _moment(raw.get("timestamp"))
        sent_at = _moment(raw.get("sentAt", batch_sent))
    except ValueError as exc:
        return refuse("invalid_timestamp", str(exc))
    occurred = _corrected(timestamp, sent_at, received_at)
    payload = {**defaults, **raw} if defaults else dict(raw)
    payload["type"] = kind
    if message_id is None:
        # without an id a resend cannot be recognised; Segment's API makes one up too
        message_id = f"kimlik-{uuid.uuid4()}"
        payload["messageId"] = message_id
    event = _text(raw.get("event")) if kind == "track" else _text(raw.get("name"))
    return Message(
        message_id=message_id,
        type=kind,
        event=event[:MAX_ID] if event else None,
        user_id=user_id,
        anonymous_id=anonymous_id,
        occurred_at=occurred,
        payload=payload,
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def identifier(value: Any) -> str | None:
    """SDKs send ids as strings, some apps as numbers: both are the same id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value == value:
        return str(int(value)) if float(value).is_integer() else str(value)
    return _text(value)


def _moment(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"a timestamp must be an ISO 8601 string, not {type(value).__name__}")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _corrected(
    timestamp: dt.datetime | None, sent_at: dt.datetime | None, received_at: dt.datetime
) -> dt.datetime:
    """When it happened by the server's clock: the client's offset ``sentAt - receivedAt``
    is taken off the client's ``timestamp`` (Segment's own rule)."""
    if timestamp is None:
        return received_at
    if sent_at is None:
        return timestamp.astimezone(dt.UTC)
    return (received_at - (sent_at - timestamp)).astimezone(dt.UTC)
