"""Finding profiles by what people type: a search box and explicit filters, paged by id.

One box (``q``) is read the way ``kimlik profiles show`` reads a reference, and widened to
names: digits are a profile id, ``kind:value`` an identifier the profiles answer to
(``customer_id:crm:C-1``, ``phone:+90...``), any other ``source:record_id`` a person
record, ``@`` an email (compared by matching key), a phone number (any format, read with
``region``) its E.164 form, and anything else a name. Every lookup that names a person
seeks an index (``ix_profile_identities_lookup``, ``ix_profiles_email``,
``ix_profiles_phone``, the records' unique key, ``ix_profiles_name_folds``,
``ix_profiles_name_keys``): a search never reads every profile to find one mailbox.
Filters combine with AND; results come in profile id order, so a page ends with an id
and the next page starts after it (keyset paging: stable while profiles change, no
matter how deep).

Names are compared case- and accent-insensitively for Turkish and Western European
letters (``yilmaz`` finds ``Yılmaz``), as a prefix of the last name, or of the first name
and then the last name for several words (``ayşe yıl``): a range of the index on the
folded names (``first_name_fold``, ``last_name_fold``, written with the profile), one per
reading of the words. When these prefix matches end, similar-sounding names follow
(``fuzzy``). A city is compared folded too: SQLite's lower() knows ASCII only, so a
case-insensitive LIKE of its shape (``_stanbul``) narrows and ``fold`` decides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, or_, select, union

from kimlik.profiles import fuzzy
from kimlik.profiles.fuzzy import MAX_SPLITS
from kimlik.profiles.name_keys import FOLDS, fold
from kimlik.profiles.values import utc
from kimlik.standardize.countries import standardize_country
from kimlik.standardize.email import email_matching_key, standardize_email
from kimlik.standardize.phone import standardize_phone
from kimlik.store.tables import (
    profile_identities,
    profile_members,
    profiles,
    source_records,
    sources,
)

#: Identity kinds a ``kind:value`` search names; any other prefix is a source name.
IDENTITY_KINDS = frozenset({"email", "phone", "customer_id", "user_id", "anonymous_id"})
#: Criteria that look a person up by what identifies them.
PERSONAL_CRITERIA = frozenset({"email", "phone", "name", "identifier", "record"})
#: Largest id the stores hold (64-bit signed): larger digits name no profile.
MAX_ID = 2**63 - 1
#: Rows fetched per round when names or cities are checked here.
CHECK_BATCH = 200


class CriteriaError(ValueError):
    """A search value that cannot be read; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Criteria:
    """What to look for; every set part must hold (AND)."""

    profile_id: int | None = None
    email: str | None = None  # as standardized
    phone: str | None = None  # E.164
    name: str | None = None  # folded words
    identifier: tuple[str, str] | None = None  # (kind, value as stored)
    record: tuple[str, str] | None = None  # (source, record_id)
    city: str | None = None  # folded
    country: str | None = None  # ISO alpha-2

    def used(self) -> list[str]:
        """Names of the criteria that are set, for messages and the audit log."""
        return [name for name in self.__slots__ if getattr(self, name) is not None]

    def personal(self) -> list[str]:
        """The criteria that look a person up (need ``profiles.personal`` in the API)."""
        return [name for name in self.used() if name in PERSONAL_CRITERIA]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of profile summaries, and the id the next page starts after."""

    items: list[dict[str, Any]]
    next_after: int | None
    criteria: list[str] = field(default_factory=list)


# --- reading what was typed -------------------------------------------------------------


def read_criteria(
    q: str | None = None,
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    identifier: str | None = None,
    city: str | None = None,
    country: str | None = None,
    region: str | None = None,
) -> Criteria:
    """The search box and the filters as ``Criteria``; unreadable values raise
    ``CriteriaError`` naming the parameter."""
    found: dict[str, Any] = {}
    given = {"q": q, "email": email, "phone": phone, "name": name, "identifier": identifier,
             "city": city, "country": country}  # fmt: skip
    for key, value in given.items():
        if value is not None and "\x00" in value:
            raise CriteriaError(key, "a NUL character cannot be searched for")
    del given["q"]
    if q is not None and q.strip():
        found.update(_read_box(q.strip(), region))
    for key, value in given.items():
        if value is None or not value.strip():
            continue
        for part, read in _read_filter(key, value.strip(), region).items():
            if found.get(part, read) != read:
                raise CriteriaError(key, f"{key} and q ask for different {part} values")
            found[part] = read
    return Criteria(**found)


def _read_filter(key: str, value: str, region: str | None) -> dict[str, Any]:
    match key:
        case "email":
            return {"email": _email(value)}
        case "phone":
            return {"phone": _phone(value, region, "phone")}
        case "name":
            return {"name": _name(value, "name")}
        case "identifier":
            return _identifier(value, region)
        case "city":
            return {"city": fold(value)}
    return {"country": _country(value)}


def _read_box(text: str, region: str | None) -> dict[str, Any]:
    if text.isdigit():
        if int(text) > MAX_ID:
            raise CriteriaError("q", f"{text} is not a profile id (too large)")
        return {"profile_id": int(text)}
    if ":" in text:  # before "@": a record id or identifier may hold an email
        return _identifier(text, region)
    if "@" in text:
        return {"email": _email(text)}
    phone = standardize_phone(text, region).value if _looks_like_phone(text) else None
    if phone:
        return {"phone": phone}
    return {"name": _name(text, "q")}


def _looks_like_phone(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= 6 and not any(ch.isalpha() for ch in text)


def _email(text: str) -> str:
    return standardize_email(text).value or text.strip().casefold()


def _phone(text: str, region: str | None, parameter: str) -> str:
    value = standardize_phone(text, region).value
    if not value:
        hint = "" if region else "; give its country code (+90 ...) or a region"
        raise CriteriaError(parameter, f"{text!r} is not a phone number{hint}")
    return value


def _name(text: str, parameter: str) -> str:
    folded = fold(text)
    if not folded:
        raise CriteriaError(parameter, "a name needs at least one letter")
    return folded


def _identifier(text: str, region: str | None) -> dict[str, Any]:
    """``kind:value`` for an identity kind, else ``source:record_id``."""
    prefix, _, rest = text.partition(":")
    kind, rest = prefix.strip().lower(), rest.strip()
    if not kind or not rest:
        raise CriteriaError("identifier", f"{text!r}: give kind:value or source:record_id")
    if kind not in IDENTITY_KINDS:
        return {"record": (kind, rest)}
    if kind == "email":
        return {"identifier": ("email", email_matching_key(_email(rest)))}
    if kind == "phone":
        return {"identifier": ("phone", _phone(rest, region, "identifier"))}
    if kind == "customer_id":
        source, colon, record_id = rest.partition(":")
        rest = f"{source.strip().lower()}:{record_id.strip()}" if colon else rest
    return {"identifier": (kind, rest)}


def _country(text: str) -> str:
    code = standardize_country(text).value
    if not code:
        raise CriteriaError("country", f"{text!r} is not a country name or ISO code")
    return code


# --- the query --------------------------------------------------------------------------


def search_profiles(
    engine: Engine, criteria: Criteria, *, limit: int, after: int | None = None
) -> SearchPage:
    """Active profiles matching ``criteria``, by id, ``limit`` at most, ids above ``after``.

    SQL narrows (index seeks, exact values); names and cities, which the store cannot
    fold, are checked folded here, so rows are fetched in batches until a page is full.
    A name's prefix matches come first (``match: exact``); on the page where they end,
    the room left is filled with similar names, best first (``match: similar``,
    ``fuzzy``), and no page follows.
    """
    checked = criteria.name is not None or criteria.city is not None
    batch = max(limit + 1, CHECK_BATCH) if checked else limit + 1
    conditions = [profiles.c.status == "active", *_conditions(criteria)]
    items: list[dict[str, Any]] = []
    start = after
    with engine.connect() as connection:
        while len(items) <= limit:
            since = [] if start is None else [profiles.c.id > start]
            statement = _SUMMARY.where(*conditions, *since).order_by(profiles.c.id).limit(batch)
            rows = [dict(row) for row in connection.execute(statement).mappings()]
            items += [row for row in rows if _matches(row, criteria)][: limit + 1 - len(items)]
            if len(rows) < batch:
                break
            start = int(rows[-1]["id"])
        similar = (
            _similar(connection, criteria, limit - len(items))
            if criteria.name is not None and len(items) < limit
            else []
        )
    page = [_summary(row, "exact") for row in items[:limit]]
    page += [_summary(row, "similar") for row in similar]
    following = page[-1]["id"] if len(items) > limit else None
    return SearchPage(page, following, criteria.used())


def _similar(connection: Connection, criteria: Criteria, room: int) -> list[dict[str, Any]]:
    """Profiles whose names are like the typed one but not a prefix match (those were
    listed already), meeting every other criterion; ``fuzzy`` finds and ranks them."""
    assert criteria.name is not None
    others = dataclasses.replace(criteria, name=None)
    base = _SUMMARY.where(profiles.c.status == "active", *_conditions(others))
    found: dict[int, dict[str, Any]] = {}
    for seek in fuzzy.seeks(criteria.name):
        rows = connection.execute(base.where(seek).limit(fuzzy.MAX_CANDIDATES)).mappings()
        for row in rows:
            found.setdefault(int(row["id"]), dict(row))
    kept = [row for row in found.values() if _matches(row, others) and not _matches(row, criteria)]
    return [
        {name: value for name, value in row.items() if name != "score"}
        for row in fuzzy.rank(kept, criteria.name, room)
    ]


_SUMMARY = select(
    profiles.c.id, profiles.c.first_name, profiles.c.last_name, profiles.c.email,
    profiles.c.phone, profiles.c.city, profiles.c.country, profiles.c.record_count,
    profiles.c.updated_at,
)  # fmt: skip


def _summary(row: dict[str, Any], match: str) -> dict[str, Any]:
    name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    updated: dt.datetime | None = utc(row["updated_at"])
    return {**row, "id": int(row["id"]), "name": name or None, "updated_at": updated,
            "match": match}  # fmt: skip


def _matches(row: dict[str, Any], criteria: Criteria) -> bool:
    """The folded checks SQL could only narrow down."""
    if criteria.city is not None and fold(row["city"] or "") != criteria.city:
        return False
    if criteria.name is None:
        return True
    first, last = fold(row["first_name"] or ""), fold(row["last_name"] or "")
    return any(
        last.startswith(last_part) and (not first_part or first.startswith(first_part))
        for first_part, last_part in _splits(criteria.name)
    )


def _splits(name: str) -> list[tuple[str, str]]:
    """(first-name words, last-name words) readings of a name, at most ``MAX_SPLITS``."""
    words = name.split()
    return [(" ".join(words[:k]), " ".join(words[k:])) for k in range(min(len(words), MAX_SPLITS))]


def _conditions(criteria: Criteria) -> list[ColumnElement[bool]]:
    p = profiles.c
    found: list[ColumnElement[bool]] = []
    if criteria.profile_id is not None:
        found.append(p.id == criteria.profile_id)
    if criteria.email is not None:
        by_key = _by_identity("email", email_matching_key(criteria.email))
        found.append(p.id.in_(union(by_key, select(p.id).where(p.email == criteria.email))))
    if criteria.phone is not None:
        by_phone = _by_identity("phone", criteria.phone)
        found.append(p.id.in_(union(by_phone, select(p.id).where(p.phone == criteria.phone))))
    if criteria.identifier is not None:
        found.append(p.id.in_(_by_identity(*criteria.identifier)))
    if criteria.record is not None:
        source, record_id = criteria.record
        holder = (
            select(profile_members.c.profile_id)
            .join(source_records, source_records.c.id == profile_members.c.rid)
            .join(sources, sources.c.id == source_records.c.source_id)
            .where(sources.c.name == source, source_records.c.record_id == record_id)
        )
        found.append(p.id.in_(holder))
    if criteria.name is not None:
        # one range of the folded names' index per reading (last name, first name)
        readings = [
            and_(
                _prefix(p.last_name_fold, last),
                *([_prefix(p.first_name_fold, first)] if first else []),
            )
            for first, last in _splits(criteria.name)
        ]
        found.append(p.id.in_(select(p.id).where(or_(*readings))))
    if criteria.city is not None:
        found.append(p.city.ilike(_shape(criteria.city)))
    if criteria.country is not None:
        found.append(p.country == criteria.country)
    return found


def _by_identity(kind: str, value: str) -> Any:
    identity = profile_identities.c
    return select(identity.profile_id).where(identity.kind == kind, identity.value == value)


def _prefix(column: Any, folded: str) -> ColumnElement[bool]:
    """``column`` starts with ``folded``, as an index range."""
    return and_(column >= folded, column < folded[:-1] + chr(ord(folded[-1]) + 1))


def _shape(folded: str) -> str:
    """A case-insensitive LIKE pattern every spelling folding to ``folded`` matches:
    letters with accented forms, other non-ASCII letters and LIKE's own characters
    become ``_`` (any one character); ASCII letters stay (ILIKE on PostgreSQL, LIKE
    on SQLite: both ignore ASCII case, one character for one)."""
    wild = set(FOLDS) | set("%_\\")
    return "".join("_" if ch in wild or not ch.isascii() else ch for ch in folded)
