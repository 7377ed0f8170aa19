"""What the profile endpoints answer, as Pydantic models: they describe ``/openapi.json``.

Values of personal attributes are typed loosely (``Any``) where masking replaces them
with ``•••`` for callers without ``profiles.personal``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

#: The timeline kinds a client may filter by (``profiles.timeline.TIMELINE_KINDS``).
TimelineKind = Literal["order", "interaction", "feedback", "consent", "event", "profile"]


class ProfileSummary(BaseModel):
    """One active profile in a search result."""

    id: int
    name: str | None = Field(description="First and last name of the golden record.")
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None = Field(description="E.164.")
    city: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    record_count: int = Field(description="Source records in the profile.")
    updated_at: dt.datetime | None
    match: Literal["exact", "similar"] | None = Field(
        None,
        description="`exact`: matches as typed (a name: as a prefix); `similar`: a name "
        "spelled differently that sounds alike, ranked best first after the exact ones.",
    )


class SearchAnswer(BaseModel):
    items: list[ProfileSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class GoldenAttribute(BaseModel):
    """A golden value and its lineage."""

    name: str
    value: Any
    source: str | None = Field(description="Source of the record the value came from.")
    record_id: str | None = Field(description="That record's id in its source.")
    rule: str | None = Field(description="Survivorship rule that chose it (`only`, `agreed` ...).")
    group: str | None = None


class Identity(BaseModel):
    kind: str = Field(description="email (matching key), phone (E.164), customer_id ...")
    value: str
    records: int = Field(description="Member records carrying it.")


class MemberRecord(BaseModel):
    """One source record of the profile, every canonical attribute (null: missing)."""

    record_key: int = Field(description="Store id of the record.")
    source: str
    record_id: str
    linked_by: str = Field(description="alone | model | person")
    weight: float | None = Field(description="Match weight of the link that attached it.")
    linked_at: dt.datetime | None
    first_seen_at: dt.datetime | None
    updated_at: dt.datetime | None
    attributes: dict[str, Any]
    custom: dict[str, Any]


class KeyFigures(BaseModel):
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    orders: int
    total_spent: dict[str, str] = Field(description="Currency -> amount as a decimal string.")
    latest_nps: int | None
    latest_nps_at: dt.datetime | None
    latest_nps_survey: str | None


class ProfileDetail(BaseModel):
    """The single customer view (the timeline is paged at `/profiles/{id}/timeline`)."""

    id: int
    reference: str = Field(description="The reference as asked for.")
    redirected_from: int | None = Field(
        description="The merged profile id asked for, when it led to this profile."
    )
    notice: str | None = Field(description="Says so when the answer is another profile.")
    name: str | None
    record_count: int
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    golden: list[GoldenAttribute]
    identities: list[Identity]
    members: list[MemberRecord]
    differing: list[str] = Field(description="Attributes the member records disagree on.")
    figures: KeyFigures


class TimelineEntry(BaseModel):
    at: dt.datetime | None = Field(description="UTC; null for an undated entry.")
    kind: TimelineKind
    source: str | None
    record_id: str | None = Field(description="The entry's id in its source (messageId).")
    details: dict[str, Any]


class TimelineAnswer(BaseModel):
    profile_id: int
    redirected_from: int | None = None
    items: list[TimelineEntry]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")
