"""Changing who may do what, each change with its audit entry: one path for CLI and API.

New users and keys come from ``service`` (its rules: roles, password strength, scopes),
their audit entry written once they are committed. Changes (role, disabling, revoking)
commit together with their entry. Around both, what every delivery needs: "no such user
or key" told apart from a refused change (the API answers 404 for one, 400 for the
other), and a guard against locking every admin out. Entries name users and keys by id,
never by email or token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

from kimlik.access import audit, repository, service
from kimlik.access.permissions import ROLES
from kimlik.access.principal import Principal
from kimlik.access.service import NewKey
from kimlik.errors import AccountError

#: What a listing or an answer may show of a user: never the password hash.
USER_FIELDS = ("id", "email", "name", "role", "created_at", "disabled_at", "last_login_at")


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    """A user as answers show it, with ``disabled`` spelled out."""
    shown = {name: user.get(name) for name in USER_FIELDS}
    shown["disabled"] = user.get("disabled_at") is not None
    return shown


def find_user(engine: Engine, user_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        user = repository.user_by_id(connection, user_id)
    return public_user(user) if user else None


def list_users(engine: Engine) -> list[dict[str, Any]]:
    return [public_user(user) for user in service.list_users(engine)]


def add_user(
    engine: Engine,
    actor: Principal,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    client: str | None = None,
) -> dict[str, Any]:
    """A new user; refused (``AccountError``) for a taken email, unknown role, weak password."""
    user_id = service.create_user(engine, email, name, role, password)
    audit.record_now(engine, actor, "user.create", f"user:{user_id}", {"role": role}, client)
    user = find_user(engine, user_id)
    assert user is not None
    return user


def change_user(
    engine: Engine,
    actor: Principal,
    user_id: int,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    client: str | None = None,
) -> dict[str, Any] | None:
    """Set a user's role and/or disable or re-enable them; None when there is no such user.

    Each change commits with its audit entry. Refuses to demote or disable the last
    active admin: nobody but someone holding the database (the CLI) could manage users.
    """
    if role is not None and role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    target = f"user:{user_id}"
    with engine.begin() as connection:
        user = repository.user_by_id(connection, user_id)
        if user is None:
            return None
        was_disabled = user["disabled_at"] is not None
        demoted = role is not None and role != "admin"
        if user["role"] == "admin" and not was_disabled and (demoted or disabled):
            _keep_an_admin(connection, user_id)
        if role is not None and role != user["role"]:
            repository.update_user(connection, user_id, role=role)
            change = {"from": user["role"], "to": role}
            audit.record(connection, actor, "user.role", target, change, client)
        if disabled and not was_disabled:
            repository.update_user(connection, user_id, disabled_at=dt.datetime.now(dt.UTC))
            repository.delete_user_sessions(connection, user_id)  # signed out at once
            audit.record(connection, actor, "user.disable", target, None, client)
        elif disabled is False and was_disabled:
            repository.update_user(connection, user_id, disabled_at=None)
            audit.record(connection, actor, "user.enable", target, None, client)
        changed = repository.user_by_id(connection, user_id)
    assert changed is not None
    return public_user(changed)


def _keep_an_admin(connection: Connection, user_id: int) -> None:
    others = [
        user
        for user in repository.list_users(connection)
        if user["role"] == "admin" and user["disabled_at"] is None and user["id"] != user_id
    ]
    if not others:
        raise AccountError(
            f"user {user_id} is the last active admin; make another user admin first"
        )


def add_api_key(
    engine: Engine, actor: Principal, name: str, scopes: list[str], client: str | None = None
) -> NewKey:
    """A management API key with exactly ``scopes`` (permission names)."""
    key = service.create_api_key(engine, name, scopes, actor.actor)
    detail = {"name": name, "scopes": sorted(set(scopes))}
    audit.record_now(engine, actor, "api_key.create", f"api_key:{key.id}", detail, client)
    return key


def role_scopes(role: str) -> list[str]:
    """A role's permissions as API key scopes."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return sorted(permission.value for permission in ROLES[role])


def list_api_keys(engine: Engine) -> list[dict[str, Any]]:
    """Every API key, revoked ones included; never the key or its hash."""
    return [
        {k: v for k, v in key.items() if k != "key_hash"} for key in service.list_api_keys(engine)
    ]


def revoke_api_key(
    engine: Engine, actor: Principal, key_id: int, client: str | None = None
) -> bool:
    """Revoke an API key at once, with its audit entry; False when there is no such key."""
    with engine.begin() as connection:
        keys = repository.list_api_keys(connection)
        if not _revoke(connection, keys, key_id, "API key", repository.revoke_api_key):
            return False
        audit.record(connection, actor, "api_key.revoke", f"api_key:{key_id}", None, client)
    return True


def _revoke(
    connection: Connection,
    keys: list[dict[str, Any]],
    key_id: int,
    kind: str,
    revoke: Callable[[Connection, int, dt.datetime], bool],
) -> bool:
    key = next((k for k in keys if k["id"] == key_id), None)
    if key is None:
        return False
    if key["revoked_at"] is not None or not revoke(connection, key_id, dt.datetime.now(dt.UTC)):
        raise AccountError(f"{kind} {key_id} is already revoked")
    return True


def add_write_key(
    engine: Engine, actor: Principal, source: str, name: str, client: str | None = None
) -> NewKey:
    """A write key for SDKs sending into ``source`` (created if new)."""
    key = service.create_write_key(engine, source, name, actor.actor)
    detail = {"source": source.strip().lower(), "name": key.name}
    audit.record_now(engine, actor, "write_key.create", f"write_key:{key.id}", detail, client)
    return key


def list_write_keys(engine: Engine, source: str | None = None) -> list[dict[str, Any]]:
    """Write keys (of one source when given), revoked ones included; never the key."""
    keys = service.list_write_keys(engine)
    return [key for key in keys if source is None or key["source"] == source]


def revoke_write_key(
    engine: Engine, actor: Principal, key_id: int, client: str | None = None
) -> bool:
    """Revoke a write key, with its audit entry; False when there is no such key."""
    with engine.begin() as connection:
        keys = repository.list_write_keys(connection)
        if not _revoke(connection, keys, key_id, "write key", repository.revoke_write_key):
            return False
        audit.record(connection, actor, "write_key.revoke", f"write_key:{key_id}", None, client)
    return True
