"""The single customer view and the profile exports.

``find_profile`` reads a reference the way people type one: a profile id (digits), an
email address (compared by matching key, so case, ``+tags`` and Gmail dots do not
matter), a phone number in international form, or ``source:record_id``. A merged
profile's id leads to the profile that absorbed it. ``export_profiles`` and
``export_members`` stream the profiles to CSV or JSON Lines (GUIDE §4).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import orjson
from sqlalchemy import Connection, Engine

from kimlik.errors import AmbiguousProfileError, ExportError, ProfileNotFoundError
from kimlik.jsonable import jsonable
from kimlik.profiles import repository as repo
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.standardize.email import email_matching_key, standardize_email
from kimlik.standardize.phone import standardize_phone
from kimlik.store.migrate import require_current

#: Order statuses that do not count towards the money a customer spent.
NOT_SPENT = frozenset({"cancelled", "canceled", "refunded"})
#: Timeline kinds, in the order they are listed when they happen at the same moment.
TIMELINE_KINDS = ("order", "interaction", "feedback", "consent", "profile")
PROFILE_COLUMNS = ("profile_id", *PERSON_ATTRIBUTES)
MEMBER_COLUMNS = ("profile_id", "source", "record_id")


@dataclass(frozen=True, slots=True)
class Reference:
    """How a typed reference is read: ``kind`` is id, email, phone, record or unknown."""

    kind: str
    value: str
    source: str = ""  # for kind "record"

    def describe(self) -> str:
        template = _DESCRIPTIONS.get(self.kind, _UNKNOWN)
        return template.format(value=self.value, source=self.source)


_DESCRIPTIONS = {
    "id": "profile id {value}",
    "email": "email {value}",
    "phone": "phone {value}",
    "record": "record {value!r} of source {source!r}",
}
_UNKNOWN = "not an id, email, phone (+country code) or source:record_id"


def parse_reference(text: str) -> Reference:
    """Read ``text`` as a profile id, email, ``source:record_id`` or phone."""
    ref = text.strip()
    if ref.isdigit():
        return Reference("id", str(int(ref)))
    if "@" in ref:
        email = standardize_email(ref).value or ref
        return Reference("email", email)
    source, colon, record_id = ref.partition(":")
    if colon and source.strip() and record_id.strip():
        return Reference("record", record_id.strip(), source.strip().lower())
    phone = standardize_phone(ref, None).value
    return Reference("phone", phone) if phone else Reference("unknown", ref)


@dataclass(frozen=True, slots=True)
class GoldenAttribute:
    """A golden value and its lineage: the record it came from and the rule that chose it."""

    name: str
    value: Any
    source: str | None
    record_id: str | None
    rule: str | None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str  # email | phone | customer_id
    value: str
    records: int


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One source record of the profile with every canonical attribute (``None``: missing)."""

    record_key: int
    source: str
    record_id: str
    linked_by: str
    weight: float | None
    linked_at: dt.datetime | None
    first_seen_at: dt.datetime | None
    updated_at: dt.datetime | None
    attributes: dict[str, Any]
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened: an order, interaction, answer, consent or profile change."""

    at: dt.datetime | None
    kind: str  # one of TIMELINE_KINDS
    source: str | None
    record_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeyFigures:
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    orders: int
    total_spent: dict[str, Decimal]  # currency ("" when unknown) -> amount
    latest_nps: int | None
    latest_nps_at: dt.datetime | None
    latest_nps_survey: str | None


@dataclass(slots=True)
class ProfileView:
    """Everything the single customer view shows about one active profile."""

    id: int
    reference: str
    redirected_from: int | None  # the merged profile id that was asked for
    record_count: int
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    golden: list[GoldenAttribute]
    identities: list[Identity]
    members: list[MemberRecord]
    timeline: list[TimelineEntry]
    figures: KeyFigures

    @property
    def name(self) -> str:
        values = {g.name: g.value for g in self.golden}
        return " ".join(str(values[n]) for n in ("first_name", "last_name") if values.get(n))

    def differing(self) -> set[str]:
        """Attributes the member records hold different values for: case and spaces
        folded, emails compared by matching key (one mailbox is not a disagreement)."""
        found = set()
        for name in PERSON_ATTRIBUTES:
            values = {_fold(m.attributes.get(name), name) for m in self.members}
            values.discard(None)
            if len(values) > 1:
                found.add(name)
        return found

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data: datetimes ISO 8601, amounts as decimal strings."""
        data = asdict(self)
        data["name"] = self.name
        data["differing"] = sorted(self.differing(), key=PERSON_ATTRIBUTES.index)
        return dict(jsonable(data))


def find_profile(engine: Engine, ref: str) -> ProfileView | None:
    """The active profile ``ref`` names, or ``None``; several matches raise
    ``AmbiguousProfileError`` listing the candidates."""
    require_current(engine)
    reference = parse_reference(ref)
    with engine.connect() as connection:
        candidates = _candidates(connection, reference)
        active: dict[int, int] = {}  # active id -> the candidate that led to it
        for candidate in candidates:
            found = _follow(connection, candidate)
            if found is not None:
                active.setdefault(found, candidate)
        if len(active) > 1:
            names = repo.profile_names(connection, sorted(active))
            listed = ", ".join(
                f"{pid} ({names[pid]})" if names.get(pid) else str(pid) for pid in sorted(active)
            )
            raise AmbiguousProfileError(
                f"{ref.strip()!r} ({reference.describe()}) matches {len(active)} profiles: "
                f"{listed}; show one by its id",
                sorted(active),
            )
        if not active:
            return None
        profile_id, via = next(iter(active.items()))
        redirected = via if reference.kind == "id" and via != profile_id else None
        return _view(connection, profile_id, ref.strip(), redirected)


def get_profile(engine: Engine, ref: str) -> ProfileView:
    """Like ``find_profile``, but a reference matching nothing is ``ProfileNotFoundError``."""
    view = find_profile(engine, ref)
    if view is not None:
        return view
    reference = parse_reference(ref)
    if reference.kind == "id":
        with engine.connect() as connection:
            state = repo.profile_state(connection, int(reference.value))
        if state is not None:
            raise ProfileNotFoundError(
                f"profile {reference.value} is {state[0]}: it holds no records any more"
            )
    hint = "" if reference.kind == "unknown" else "; run `kimlik resolve` after importing"
    raise ProfileNotFoundError(f"no profile matches {ref.strip()!r} ({reference.describe()}){hint}")


def _candidates(connection: Connection, reference: Reference) -> list[int]:
    match reference.kind:
        case "id":
            return [int(reference.value)]
        case "email":
            key = email_matching_key(reference.value)
            by_key = repo.profiles_by_identity(connection, "email", key)
            return sorted({*by_key, *repo.profiles_by_email(connection, reference.value)})
        case "phone":
            return repo.profiles_by_identity(connection, "phone", reference.value)
        case "record":
            return repo.profiles_by_record(connection, reference.source, reference.value)
    return []


def _follow(connection: Connection, profile_id: int) -> int | None:
    """The active profile ``profile_id`` is or was merged into; ``None`` if it has none."""
    current: int | None = profile_id
    for _ in range(repo.MAX_HOPS):
        state = None if current is None else repo.profile_state(connection, current)
        if state is None:
            return None
        if state[0] == "active":
            return current
        current = state[1]
    return None


def _view(connection: Connection, profile_id: int, ref: str, redirected: int | None) -> ProfileView:
    row = repo.profile_row(connection, profile_id)
    assert row is not None  # _follow just found it
    attributes, lineage = dict(row["attributes"] or {}), dict(row["lineage"] or {})
    origin = ("source", "record_id", "rule", "group")
    golden = [
        GoldenAttribute(name, attributes[name], *(lineage.get(name, {}).get(k) for k in origin))
        for name in PERSON_ATTRIBUTES
        if attributes.get(name) is not None
    ]
    members = [_member(m) for m in repo.members(connection, profile_id)]
    timeline = _timeline(connection, profile_id)
    return ProfileView(
        id=profile_id,
        reference=ref,
        redirected_from=redirected,
        record_count=int(row["record_count"]),
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
        golden=golden,
        identities=[Identity(*i) for i in repo.identities(connection, profile_id)],
        members=members,
        timeline=timeline,
        figures=_figures(attributes, members, timeline),
    )


def _member(row: dict[str, Any]) -> MemberRecord:
    return MemberRecord(
        record_key=int(row["record_key"]),
        source=str(row["source"]),
        record_id=str(row["record_id"]),
        linked_by=str(row["linked_by"]),
        weight=row["weight"],
        linked_at=_aware(row["linked_at"]),
        first_seen_at=_aware(row["first_seen_at"]),
        updated_at=_aware(row["updated_at"]),
        attributes={name: _aware(row[name]) for name in PERSON_ATTRIBUTES},
        custom=dict(row["custom"] or {}),
    )


def _timeline(connection: Connection, profile_id: int) -> list[TimelineEntry]:
    entries = [_entry("order", row) for row in repo.orders_of(connection, profile_id)]
    for kind in repo.ACTIVITY:
        entries += [_entry(kind, row) for row in repo.activity_of(connection, kind, profile_id)]
    ids = [profile_id, *repo.absorbed_profiles(connection, profile_id)]
    for row in repo.ledger_of(connection, ids):
        details = {k: v for k, v in row.items() if k != "at"}
        entries.append(TimelineEntry(_aware(row["at"]), "profile", None, None, details))
    rank = {kind: index for index, kind in enumerate(TIMELINE_KINDS)}
    undated = dt.datetime.max.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.at or undated, rank[e.kind], e.source or "", e.record_id or ""))
    return entries


def _entry(kind: str, row: dict[str, Any]) -> TimelineEntry:
    details = {k: v for k, v in row.items() if k not in {"source", "record_id", "at"}}
    if kind == "order":
        details["total"] = _amount(details["total"])
        details["items"] = int(details["items"] or 0)
    return TimelineEntry(_aware(row["at"]), kind, row["source"], row["record_id"], details)


def _figures(
    golden: dict[str, Any], members: list[MemberRecord], timeline: list[TimelineEntry]
) -> KeyFigures:
    """First and last seen are the earliest and latest activity (sign-up included); with
    none, when the records were first imported and last changed."""
    moments = [e.at for e in timeline if e.at is not None and e.kind != "profile"]
    signed_up = _parse_moment(golden.get("signed_up_at"))
    if signed_up is not None:
        moments.append(signed_up)
    first_seen = min(moments, default=None) or min(
        (m.first_seen_at for m in members if m.first_seen_at), default=None
    )
    last_seen = max(moments, default=None) or max(
        (m.updated_at for m in members if m.updated_at), default=None
    )
    orders = [e for e in timeline if e.kind == "order"]
    spent: dict[str, Decimal] = {}
    for order in orders:
        status = str(order.details.get("status") or "").casefold()
        if order.details.get("total") is not None and status not in NOT_SPENT:
            currency = str(order.details.get("currency") or "")
            spent[currency] = spent.get(currency, Decimal(0)) + order.details["total"]
    scored = [e for e in timeline if e.kind == "feedback" and e.details.get("score") is not None]
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    latest = max(scored, key=lambda e: (e.at is not None, e.at or earliest), default=None)
    return KeyFigures(
        first_seen=first_seen,
        last_seen=last_seen,
        orders=len(orders),
        total_spent=dict(sorted(spent.items())),
        latest_nps=None if latest is None else int(latest.details["score"]),
        latest_nps_at=None if latest is None else latest.at,
        latest_nps_survey=None if latest is None else latest.details.get("survey"),
    )


# --- exports ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: str  # csv | jsonl
    compressed: bool
    rows: int


def export_format(path: Path) -> tuple[str, bool]:
    """(``csv`` or ``jsonl``, gzip-compressed) from the file name; anything else is refused."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    stem = Path(name.removesuffix(".gz"))
    if stem.suffix in {".csv", ".jsonl"}:
        return stem.suffix[1:], compressed
    extension = stem.suffix + (".gz" if compressed else "")
    shown = f"extension {extension!r}" if extension else "no extension"
    raise ExportError(
        f"cannot export to {path.name}: {shown} is not supported; "
        "use .csv or .jsonl (optionally .gz)"
    )


def export_profiles(engine: Engine, path: Path) -> ExportResult:
    """One row per active profile: ``profile_id`` and the 18 golden attributes."""
    export_format(path)
    require_current(engine)
    with engine.connect() as connection:
        rows = (
            (pid, *(attributes.get(name) for name in PERSON_ATTRIBUTES))
            for pid, attributes in repo.stream_profiles(connection)
        )
        return _write(path, PROFILE_COLUMNS, rows)


def export_members(engine: Engine, path: Path) -> ExportResult:
    """One row per person record in a profile: ``profile_id, source, record_id``."""
    export_format(path)
    require_current(engine)
    with engine.connect() as connection:
        return _write(path, MEMBER_COLUMNS, repo.stream_members(connection))


def _write(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> ExportResult:
    kind, compressed = export_format(path)
    count = 0
    with _output(path, compressed) as out:
        if kind == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
                count += 1
        else:
            for row in rows:
                out.write(orjson.dumps(dict(zip(columns, row, strict=True))).decode())
                out.write("\n")
                count += 1
    return ExportResult(path, kind, compressed, count)


@contextmanager
def _output(path: Path, compressed: bool) -> Iterator[TextIO]:
    """A text file written beside ``path`` and renamed onto it only once complete."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle: TextIO = (
            gzip.open(partial, "wt", encoding="utf-8", newline="")
            if compressed
            else partial.open("w", encoding="utf-8", newline="")
        )
        with handle:
            yield handle
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# --- small helpers ----------------------------------------------------------------------


def _aware(value: Any) -> Any:
    """SQLite returns naive datetimes; everything Kimlik stores is UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _amount(value: Any) -> Decimal | None:
    """A money amount without the store's trailing zeros: 149.9000 -> 149.90."""
    if value is None:
        return None
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def _parse_moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _fold(value: Any, attribute: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and attribute == "email":
        return email_matching_key(value)
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return value
