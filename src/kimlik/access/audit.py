"""The audit log: who read a full profile, exported, merged or changed access, and when.

Entries name people by profile id, never by name or email: the log itself must not become
a copy of the personal data it protects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.access import repository
from kimlik.access.principal import Principal


def record(
    connection: Connection,
    principal: Principal,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
) -> None:
    """Write one entry inside the caller's transaction: no action without its entry."""
    repository.insert_audit(
        connection,
        at=dt.datetime.now(dt.UTC),
        actor=principal.actor[:160],
        action=action,
        target=target,
        detail=detail or {},
        client=client,
    )


def record_now(
    engine: Engine,
    principal: Principal,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
) -> None:
    """Write one entry in a transaction of its own (after a read, which changes nothing)."""
    with engine.begin() as connection:
        record(connection, principal, action, target, detail, client)


def entries(
    engine: Engine,
    *,
    limit: int = 50,
    before: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """A page of the log, newest first; ``since`` inclusive, ``until`` exclusive."""
    with engine.connect() as connection:
        return repository.audit_page(
            connection, limit=limit, before=before, actor=actor, action=action, target=target,
            since=since, until=until,
        )  # fmt: skip
