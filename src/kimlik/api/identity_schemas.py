"""Requests and answers of the identity endpoints (merge, unmerge, never-merge, review,
decisions) as Pydantic models, with the constraints ``/openapi.json`` shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

#: Largest id the stores hold (64-bit signed).
MAX_ID = 2**63 - 1
ProfileId = Annotated[int, Field(ge=1, le=MAX_ID, description="Profile id.")]
RecordRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=300,
        pattern=r"^[^\x00-\x1f]+$",
        description="`source:record_id` (e.g. `crm:C-001`) or the record's store id.",
    ),
]
Reason = Annotated[str | None, Field(max_length=2000, description="Why; kept with the decision.")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MergeRequest(_Request):
    profiles: list[ProfileId] = Field(
        min_length=2, max_length=2, description="The two profiles to make one."
    )
    reason: Reason = None


class UnmergeRequest(_Request):
    records: list[RecordRef] = Field(
        min_length=1,
        max_length=20,
        description="Records to split out, each on its own: each is kept apart from every "
        "other record of the profile from now on.",
    )
    reason: Reason = None


class NeverMergeRequest(_Request):
    records: list[RecordRef] = Field(
        min_length=2, max_length=2, description="The two records to keep apart for good."
    )
    reason: Reason = None


class DecideRequest(_Request):
    reason: Reason = None


class RejectRequest(_Request):
    reason: Reason = None
    split: bool = Field(
        default=True,
        description="Should the pair share a profile by now, split it at once (false: "
        "leave it to the next resolve run). The never-merge decision is stored either way.",
    )


class RecordSummary(BaseModel):
    """A person record as someone judging a pair sees it."""

    rid: int = Field(description="Store id of the record.")
    source: str
    record_id: str
    label: str = Field(description="`source:record_id`.")
    name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    birth_date: Any
    city: str | None
    profile_id: int | None = Field(description="Its profile now.")


class PlacedRecord(RecordSummary):
    profile_before: int | None = Field(description="Its profile before the request.")


class ResolveRun(BaseModel):
    run_id: int
    processed: int
    created: int
    merged: int
    split: int


class Outcome(BaseModel):
    """What a request did, and where every record concerned sits now."""

    action: str
    ledger_id: int = Field(description="The merge ledger entry it wrote.")
    decisions_written: list[int] = Field(description="Revoke these to take it back.")
    decisions_revoked: list[int]
    records: list[PlacedRecord]
    run: ResolveRun | None = Field(description="The re-check that carried it out.")
    notes: list[str]


class UnmergeAnswer(BaseModel):
    profile_id: int
    outcomes: list[Outcome] = Field(description="One per record, in the order asked.")


class ReviewItem(BaseModel):
    id: int
    status: str
    weight: float = Field(description="Match weight (log2 odds); higher: more alike.")
    evidence: dict[str, Any] = Field(description="Comparison -> level, per field.")
    left: RecordSummary
    right: RecordSummary
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None


class RecordDetail(RecordSummary):
    """A person record with every attribute, for judging a pair field by field."""

    attributes: dict[str, Any] = Field(description="Every canonical attribute (null: none).")
    custom: dict[str, Any] = Field(description="Attributes outside the canonical set.")


class ReviewDetail(ReviewItem):
    left: RecordDetail
    right: RecordDetail
    previous_id: int | None = Field(description="The open item before this one in the queue.")
    next_id: int | None = Field(description="The open item after this one in the queue.")


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    next_cursor: str | None


class Decision(BaseModel):
    id: int
    kind: str = Field(description="merge | never_merge")
    left: RecordSummary
    right: RecordSummary
    actor: str
    reason: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None


class DecisionPage(BaseModel):
    items: list[Decision]
    next_cursor: str | None
