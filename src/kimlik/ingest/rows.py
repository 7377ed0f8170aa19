"""What the cleaner hands to the writer: a clean row, or a rejection with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict


class Reason(TypedDict):
    """Why a row or a value was refused, naming the column and value at fault."""

    column: str | None
    attribute: str | None
    value: str | None
    code: str
    message: str
    severity: str


@dataclass(slots=True)
class CleanRow:
    """A row that will be stored: typed column values plus bookkeeping."""

    line: int
    record_id: str
    values: dict[str, Any]
    custom: dict[str, Any] | None
    issues: list[Reason] | None
    invalid_fields: str
    changed_fields: str
    content_hash: str
    raw: dict[str, Any]

    def __reduce__(self) -> tuple[type[CleanRow], tuple[Any, ...]]:
        # Plain tuples pickle in C; slotted dataclasses go through Python __getstate__.
        return CleanRow, (
            self.line,
            self.record_id,
            self.values,
            self.custom,
            self.issues,
            self.invalid_fields,
            self.changed_fields,
            self.content_hash,
            self.raw,
        )


@dataclass(slots=True)
class RejectedRow:
    """A row that cannot be stored as a record; kept with its reasons for review."""

    line: int
    record_id: str | None
    raw: dict[str, Any]
    reasons: list[Reason]

    def __reduce__(self) -> tuple[type[RejectedRow], tuple[Any, ...]]:
        return RejectedRow, (self.line, self.record_id, self.raw, self.reasons)


Outcome = CleanRow | RejectedRow


@dataclass(slots=True)
class PreparedBatch:
    """One batch, cleaned and encoded: all the parent has left to do is store it.

    ``records`` are insert-ready rows in ``RecordLayout`` order (values already through
    the database's bind processors); ``issue_codes`` counts field issues of those rows.
    """

    read: int
    records: list[list[Any]]
    rejected: list[RejectedRow]
    issue_codes: dict[str, int]
