"""What a field standardizer may know about the row and file it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kimlik.standardize.result import DateOrder


@dataclass(slots=True)
class RowContext:
    """Per-file settings plus facts learnt earlier in the same row (its country)."""

    region: str | None
    date_order: DateOrder | None
    today: dt.date
    vocabularies: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    country: str | None = None

    @property
    def phone_region(self) -> str | None:
        """A row's own country beats the file's default region."""
        return self.country or self.region
