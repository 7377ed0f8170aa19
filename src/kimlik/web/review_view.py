"""How the review pages present a pair: evidence in words, both records row by row, and
the one-time message a decision leaves for the next page.

The message travels in a signed, short-lived cookie (``web/flash.py``) rather than the
address: a summary names records (``crm:C-1001`` is personal) and the people who decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.web import flash
from kimlik.web.session import Page
from kimlik.web.templating import day, moment, number

FLASH_COOKIE = "kimlik_review_note"
FLASH_PATH = "/review"
#: seconds a decision's message waits for the next page
NOTE_SECONDS = 300
#: A cookie holds about 4 KB: a bulk summary names at most this many failures.
MAX_FAILURES_SHOWN = 12


@dataclass(frozen=True, slots=True)
class Evidence:
    """One comparison as people read it: ``email: different``."""

    name: str
    level: str
    tone: str  # good | warn | bad | none


@dataclass(frozen=True, slots=True)
class Row:
    """One attribute of both records; ``state`` is same, differs, one-side or empty."""

    name: str
    label: str
    left: str
    right: str
    state: str


def probability(weight: float) -> float:
    """The match probability a match weight (log2 odds, no prior) stands for."""
    return 1.0 / (1.0 + math.pow(2.0, -max(min(weight, 60.0), -60.0)))


def evidence(levels: dict[str, Any]) -> list[Evidence]:
    """Each comparison's level in plain words (the matcher's labels name its algorithms),
    in the order of the attributes (PostgreSQL's JSON keeps no key order)."""
    order = {name: at for at, name in enumerate(PERSON_ATTRIBUTES)}
    names = sorted(levels, key=lambda name: (order.get(name, len(order)), name))
    return [_level(name, str(levels[name])) for name in names]


def _level(name: str, label: str) -> Evidence:
    text = label.lower()
    if text in {"all other comparisons", "else", "different"}:
        return Evidence(name, "different", "bad")
    if text.endswith("missing") or "null" in text:
        return Evidence(name, "missing on one side", "none")
    if text.startswith("exact") or text == "same":
        return Evidence(name, "exact", "good")
    return Evidence(name, f"similar ({label.replace('>=', '≥').replace('<=', '≤')})", "warn")


def attribute_rows(left: dict[str, Any], right: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """Rows for every attribute either record holds (canonical first, then custom), and
    the labels of those both leave empty."""
    rows, empty = [], []
    custom_left, custom_right = left.get("custom") or {}, right.get("custom") or {}
    names = [(n, left["attributes"].get(n), right["attributes"].get(n)) for n in PERSON_ATTRIBUTES]
    names += [
        (key, custom_left.get(key), custom_right.get(key))
        for key in sorted({*custom_left, *custom_right})
    ]
    for name, a, b in names:
        label = name.replace("_", " ").capitalize()
        shown_a, shown_b = _shown(name, a), _shown(name, b)
        if not shown_a and not shown_b:
            empty.append(label)
            continue
        rows.append(Row(name, label, shown_a, shown_b, _state(shown_a, shown_b)))
    return rows, empty


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if name == "signed_up_at":
        return moment(value)
    if name == "birth_date":
        return day(value)
    if name == "annual_income":
        return number(value)
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _state(a: str, b: str) -> str:
    if not a or not b:
        return "one-side"
    return "same" if " ".join(a.casefold().split()) == " ".join(b.casefold().split()) else "differs"


def decided_text(item: dict[str, Any]) -> str:
    """``accepted by dana on 2026-01-02 10:00 UTC``."""
    by = f" by {item['decided_by']}" if item.get("decided_by") else ""
    at = f" on {moment(item['decided_at'])}" if item.get("decided_at") else ""
    return f"{item['status']}{by}{at}"


# --- the one-time message -----------------------------------------------------------------


def put_note(response: Response, current: Page, note: dict[str, Any]) -> None:
    """Leave ``note`` for the next review page this browser opens."""
    failures = note.get("failed") or []
    if len(failures) > MAX_FAILURES_SHOWN:
        note = {**note, "failed": failures[:MAX_FAILURES_SHOWN],
                "more_failed": len(failures) - MAX_FAILURES_SHOWN}  # fmt: skip
    flash.put(response, current, FLASH_COOKIE, note, FLASH_PATH, NOTE_SECONDS)


def take_note(current: Page) -> dict[str, Any] | None:
    """The message a decision left, if this session signed it (the page then clears it)."""
    return flash.take(current, FLASH_COOKIE)


def clear_note(response: Response) -> None:
    flash.clear(response, FLASH_COOKIE, FLASH_PATH)
