"""Every query about users, keys, sessions and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, CursorResult, func, insert, select, update

from kimlik.store.server_tables import api_keys, audit_log, sessions, users, write_keys
from kimlik.store.tables import sources


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_by_email(connection: Connection, email: str) -> dict[str, Any] | None:
    row = (
        connection.execute(select(users).where(func.lower(users.c.email) == email.lower()))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def user_by_id(connection: Connection, user_id: int) -> dict[str, Any] | None:
    row = connection.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def insert_user(connection: Connection, **values: Any) -> int:
    return _new_id(connection.execute(insert(users).values(**values)))


def update_user(connection: Connection, user_id: int, **values: Any) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(**values))


def list_users(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(select(users).order_by(users.c.id)).mappings()
    return [dict(row) for row in rows]


def insert_session(connection: Connection, **values: Any) -> None:
    connection.execute(insert(sessions).values(**values))


def session_user(
    connection: Connection, token_hash: str, now: dt.datetime
) -> dict[str, Any] | None:
    """The active user behind a live session."""
    row = (
        connection.execute(
            select(users)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(
                sessions.c.token_hash == token_hash,
                sessions.c.expires_at > now,
                users.c.disabled_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def delete_session(connection: Connection, token_hash: str) -> None:
    connection.execute(sessions.delete().where(sessions.c.token_hash == token_hash))


def delete_user_sessions(connection: Connection, user_id: int) -> None:
    connection.execute(sessions.delete().where(sessions.c.user_id == user_id))


def insert_api_key(connection: Connection, **values: Any) -> int:
    return _new_id(connection.execute(insert(api_keys).values(**values)))


def live_api_key(connection: Connection, key_hash: str) -> dict[str, Any] | None:
    row = (
        connection.execute(
            select(api_keys).where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def touch_api_key(connection: Connection, key_id: int, now: dt.datetime) -> None:
    connection.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now))


def list_api_keys(connection: Connection) -> list[dict[str, Any]]:
    columns = [c for c in api_keys.c if c.name != "key_hash"]
    return [
        dict(row) for row in connection.execute(select(*columns).order_by(api_keys.c.id)).mappings()
    ]


def revoke_api_key(connection: Connection, key_id: int, now: dt.datetime) -> bool:
    result = connection.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def insert_write_key(connection: Connection, **values: Any) -> int:
    return _new_id(connection.execute(insert(write_keys).values(**values)))


def live_write_key_source(connection: Connection, key_hash: str) -> tuple[int, str] | None:
    """(source id, source name) of a live write key."""
    row = connection.execute(
        select(write_keys.c.source_id, sources.c.name)
        .join(sources, sources.c.id == write_keys.c.source_id)
        .where(write_keys.c.key_hash == key_hash, write_keys.c.revoked_at.is_(None))
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def list_write_keys(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            write_keys.c.id,
            write_keys.c.name,
            write_keys.c.key_prefix,
            sources.c.name.label("source"),
            write_keys.c.created_at,
            write_keys.c.created_by,
            write_keys.c.revoked_at,
        )
        .join(sources, sources.c.id == write_keys.c.source_id)
        .order_by(write_keys.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def revoke_write_key(connection: Connection, key_id: int, now: dt.datetime) -> bool:
    result = connection.execute(
        update(write_keys)
        .where(write_keys.c.id == key_id, write_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def insert_audit(connection: Connection, **values: Any) -> None:
    connection.execute(insert(audit_log).values(**values))


def audit_page(
    connection: Connection,
    *,
    limit: int,
    before: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Newest first; ``before`` is the last id of the previous page; ``since`` is
    inclusive and ``until`` exclusive."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if action:
        query = query.where(audit_log.c.action == action)
    if target:
        query = query.where(audit_log.c.target == target)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    return [dict(row) for row in connection.execute(query).mappings()]
