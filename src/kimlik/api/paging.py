"""Paging shared by the management API's listings.

Listings answer ``{"items": [...], "total", "limit", "offset"}``; the audit log, which
grows while someone pages through it, pages by id instead (``before``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int

    def page(self, items: list[Any], total: int) -> dict[str, Any]:
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Items to skip (0: the first page).")
    ] = 0,
) -> Paging:
    return Paging(limit, offset)


Pages = Annotated[Paging, Depends(_paging)]
