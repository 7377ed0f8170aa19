"""The audit log: ``/admin/audit``, newest first, filtered by a GET form.

It pages by id like ``GET /api/v1/audit`` (the log grows while someone reads it) and reads
through the same service, ``kimlik.access.audit.entries``, which also takes the date
range the form offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from kimlik.access import audit
from kimlik.access.permissions import Permission
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Permission.AUDIT_READ))]
PAGE_SIZE = 50
#: What the log holds, offered as suggestions for the action filter (docs/admin.md).
ACTIONS = (
    "auth.login",
    "profile.search",
    "profile.read",
    "profile.timeline",
    "export",
    "merge",
    "unmerge",
    "never_merge",
    "review.accept",
    "review.reject",
    "records.upsert",
    "source.create",
    "write_key.create",
    "write_key.revoke",
    "api_key.create",
    "api_key.revoke",
    "user.create",
    "user.role",
    "user.disable",
    "user.enable",
)
#: The longest filter values the log's columns can hold.
LIMITS = {"action": 64, "actor": 160, "target": 255}
LABELS = {"action": "Action", "actor": "Actor", "target": "Target", "since": "From", "until": "To"}


@dataclass(frozen=True, slots=True)
class Filters:
    action: str | None = None
    actor: str | None = None
    target: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    before: int | None = None


@router.get("/admin/audit")
def audit_page(
    current: Reader,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    before: str = "",
) -> Response:
    form = {"action": action, "actor": actor, "target": target, "since": since, "until": until}
    filters, problems = _parse(form, before)
    items: list[dict[str, Any]] = []
    following = None
    if not problems:
        items = audit.entries(
            current.state.engine,
            limit=PAGE_SIZE,
            before=filters.before,
            actor=filters.actor,
            action=filters.action,
            target=filters.target,
            since=_moment(filters.since),
            until=_moment(filters.until + dt.timedelta(days=1) if filters.until else None),
        )
        following = items[-1]["id"] if len(items) == PAGE_SIZE else None
    context = current.context(
        "Audit log",
        form=form,
        problems=problems,
        entries=[{**item, "summary": describe(item["detail"])} for item in items],
        following=following,
        paged=filters.before is not None,
        actions=ACTIONS,
        filtered=any(form.values()),
    )
    return render("admin_audit.html", context, 422 if problems else 200)


def _parse(form: dict[str, str], before: str) -> tuple[Filters, dict[str, str]]:
    """The filters, or a message per field that cannot be one."""
    problems: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    for field, limit in LIMITS.items():
        value = form[field].strip()
        if len(value) > limit:
            problems[field] = f"{LABELS[field]}: at most {limit} characters."
        texts[field] = value or None
    dates: dict[str, dt.date | None] = {}
    for field in ("since", "until"):
        value = form[field].strip()
        try:
            dates[field] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            problems[field] = f"{LABELS[field]}: enter a date as YYYY-MM-DD, e.g. 2026-01-31."
            dates[field] = None
    first, last = dates["since"], dates["until"]
    if first and last and first > last:
        problems["until"] = "To: must be on or after From."
    start: int | None = None
    if before.strip():
        try:
            start = int(before)
            if not 1 <= start <= 2**63 - 1:
                raise ValueError(before)
        except ValueError:
            problems["before"] = (
                "Page: that page marker is not valid; start from the newest entries."
            )
    filters = Filters(texts["action"], texts["actor"], texts["target"], first, last, start)
    return filters, problems


def _moment(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def describe(detail: Any) -> str:
    """An entry's detail as one short line people read: ``role: agent · scopes: a, b``."""
    if not isinstance(detail, dict) or not detail:
        return "" if detail in (None, {}, []) else str(detail)
    parts = []
    shown = dict(detail)
    if "from" in shown and "to" in shown:
        parts.append(f"{_value(shown.pop('from'))} → {_value(shown.pop('to'))}")
    for key, value in shown.items():
        if value is None or value == [] or value == {}:
            continue
        parts.append(f"{key.replace('_', ' ')}: {_value(value)}")
    return " · ".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {_value(item)}" for key, item in value.items())
    return str(value)
