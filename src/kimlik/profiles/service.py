"""The single customer view: find a profile the way people refer to one, and assemble it.

``find_profile`` reads a reference the way people type one (``profiles/references.py``):
a profile id (digits), an email address (compared by matching key, so case, ``+tags``
and Gmail dots do not matter), a phone number in international form, or
``source:record_id``. A merged profile's id leads to the profile that absorbed it.

This module is the slice's entry point for the CLI, the API and the web pages alike, so
the timeline types and the exports (``profiles/export.py``) are importable from here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.errors import AmbiguousProfileError, ProfileNotFoundError
from kimlik.jsonable import jsonable
from kimlik.profiles import repository as repo
from kimlik.profiles.export import (
    MEMBER_COLUMNS,
    PROFILE_COLUMNS,
    ExportResult,
    export_format,
    export_members,
    export_profiles,
)
from kimlik.profiles.figures import figures_of
from kimlik.profiles.references import Reference, parse_reference
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.profiles.timeline import (
    NOT_SPENT,
    TIMELINE_KINDS,
    KeyFigures,
    TimelineEntry,
    key_figures,
    timeline,
)
from kimlik.profiles.timeline_pages import active_profile
from kimlik.profiles.values import golden_values, utc
from kimlik.standardize.email import email_matching_key
from kimlik.store.migrate import require_current

__all__ = [
    "MEMBER_COLUMNS",
    "NOT_SPENT",
    "PROFILE_COLUMNS",
    "TIMELINE_KINDS",
    "ExportResult",
    "GoldenAttribute",
    "Identity",
    "KeyFigures",
    "MemberRecord",
    "ProfileView",
    "Reference",
    "TimelineEntry",
    "export_format",
    "export_members",
    "export_profiles",
    "find_profile",
    "get_profile",
    "parse_reference",
]


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


def find_profile(engine: Engine, ref: str, *, with_timeline: bool = True) -> ProfileView | None:
    """The active profile ``ref`` names, or ``None``; several matches raise
    ``AmbiguousProfileError`` listing the candidates. ``with_timeline=False`` leaves the
    timeline empty and takes the key figures from aggregates (for readers that page the
    timeline themselves: its size does not then decide the cost of a view)."""
    require_current(engine)
    reference = parse_reference(ref)
    with engine.connect() as connection:
        candidates = _candidates(connection, reference)
        active: dict[int, int] = {}  # active id -> the candidate that led to it
        for candidate in candidates:
            found = active_profile(connection, candidate)
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
        return _view(connection, profile_id, ref.strip(), redirected, with_timeline)


def get_profile(engine: Engine, ref: str, *, with_timeline: bool = True) -> ProfileView:
    """Like ``find_profile``, but a reference matching nothing is ``ProfileNotFoundError``."""
    view = find_profile(engine, ref, with_timeline=with_timeline)
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


def _view(
    connection: Connection, profile_id: int, ref: str, redirected: int | None, with_timeline: bool
) -> ProfileView:
    row = repo.profile_row(connection, profile_id)
    assert row is not None  # active_profile just found it
    attributes, lineage = golden_values(row["attributes"] or {}), dict(row["lineage"] or {})
    origin = ("source", "record_id", "rule", "group")
    golden = [
        GoldenAttribute(name, attributes[name], *(lineage.get(name, {}).get(k) for k in origin))
        for name in PERSON_ATTRIBUTES
        if attributes.get(name) is not None
    ]
    members = [_member(m) for m in repo.members(connection, profile_id)]
    first_imported = min((m.first_seen_at for m in members if m.first_seen_at), default=None)
    last_changed = max((m.updated_at for m in members if m.updated_at), default=None)
    if with_timeline:
        entries = timeline(connection, profile_id)
        figures = key_figures(attributes, entries, first_imported, last_changed)
    else:
        entries = []
        figures = figures_of(connection, profile_id, attributes, first_imported, last_changed)
    return ProfileView(
        id=profile_id,
        reference=ref,
        redirected_from=redirected,
        record_count=int(row["record_count"]),
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        golden=golden,
        identities=[Identity(*i) for i in repo.identities(connection, profile_id)],
        members=members,
        timeline=entries,
        figures=figures,
    )


def _member(row: dict[str, Any]) -> MemberRecord:
    return MemberRecord(
        record_key=int(row["record_key"]),
        source=str(row["source"]),
        record_id=str(row["record_id"]),
        linked_by=str(row["linked_by"]),
        weight=row["weight"],
        linked_at=utc(row["linked_at"]),
        first_seen_at=utc(row["first_seen_at"]),
        updated_at=utc(row["updated_at"]),
        attributes={name: utc(row[name]) for name in PERSON_ATTRIBUTES},
        custom=dict(row["custom"] or {}),
    )


def _fold(value: Any, attribute: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and attribute == "email":
        return email_matching_key(value)
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return value
