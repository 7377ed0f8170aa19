"""Users, sign-in, sessions and keys: the rules; queries live in ``repository``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from kimlik.access import repository
from kimlik.access.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from kimlik.access.permissions import ROLES, Permission, parse_scopes, role_permissions
from kimlik.access.principal import Principal
from kimlik.access.secrets import (
    API_KEY_PREFIX,
    WRITE_KEY_PREFIX,
    new_token,
    shown,
    token_hash,
)
from kimlik.errors import AccountError, AuthenticationError, IngestError
from kimlik.sources.repository import check_source_name, get_or_create_source
from kimlik.standardize.email import standardize_email


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key as created: ``token`` is shown this once and never stored."""

    id: int
    name: str
    token: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _clean_email(email: str) -> str:
    result = standardize_email(email)
    if result.value is None:
        raise AccountError(f"not a valid email address: {email!r}")
    return str(result.value)


def create_user(engine: Engine, email: str, name: str, role: str, password: str) -> int:
    """A new user; refuses a taken email, an unknown role or a weak password."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if (problem := check_strength(password)) is not None:
        raise AccountError(problem)
    address = _clean_email(email)
    with engine.begin() as connection:
        if repository.user_by_email(connection, address) is not None:
            raise AccountError(f"a user with email {address} already exists")
        return repository.insert_user(
            connection,
            email=address,
            name=name.strip() or address,
            role=role,
            password_hash=hash_password(password),
            created_at=_now(),
        )


def set_password(engine: Engine, user_id: int, password: str) -> None:
    """A new password for the user; their other sessions end, as after any reset."""
    if (problem := check_strength(password)) is not None:
        raise AccountError(problem)
    with engine.begin() as connection:
        if repository.user_by_id(connection, user_id) is None:
            raise AccountError(f"no user {user_id}")
        repository.update_user(connection, user_id, password_hash=hash_password(password))
        repository.delete_user_sessions(connection, user_id)


def set_role(engine: Engine, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    with engine.begin() as connection:
        if repository.user_by_id(connection, user_id) is None:
            raise AccountError(f"no user {user_id}")
        repository.update_user(connection, user_id, role=role)


def disable_user(engine: Engine, user_id: int) -> None:
    """Disabled users cannot sign in, and their sessions end now."""
    with engine.begin() as connection:
        if repository.user_by_id(connection, user_id) is None:
            raise AccountError(f"no user {user_id}")
        repository.update_user(connection, user_id, disabled_at=_now())
        repository.delete_user_sessions(connection, user_id)


def list_users(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [
            {k: v for k, v in user.items() if k != "password_hash"}
            for user in repository.list_users(connection)
        ]


def authenticate(engine: Engine, email: str, password: str) -> Principal:
    """The user with these credentials; one message for every failure, on purpose."""
    with engine.begin() as connection:
        user = repository.user_by_email(connection, email.strip())
        stored = user["password_hash"] if user and user["disabled_at"] is None else None
        if not verify_password(stored, password) or user is None:
            raise AuthenticationError("wrong email or password")
        changes: dict[str, Any] = {"last_login_at": _now()}
        if needs_rehash(user["password_hash"]):
            changes["password_hash"] = hash_password(password)
        repository.update_user(connection, user["id"], **changes)
    return user_principal(user)


def user_principal(user: dict[str, Any]) -> Principal:
    return Principal(
        "user", int(user["id"]), str(user["email"]), role_permissions(user["role"]), user["role"]
    )


def start_session(engine: Engine, user_id: int, hours: int) -> str:
    """A new session for the user; returns the cookie's token."""
    token = new_token()
    now = _now()
    with engine.begin() as connection:
        repository.insert_session(
            connection,
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
    return token


def session_principal(engine: Engine, token: str) -> Principal:
    with engine.connect() as connection:
        user = repository.session_user(connection, token_hash(token), _now())
    if user is None:
        raise AuthenticationError("the session has expired or ended; sign in again")
    return user_principal(user)


def end_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        repository.delete_session(connection, token_hash(token))


def create_api_key(engine: Engine, name: str, scopes: list[str], created_by: str) -> NewKey:
    """A bearer token for the management API with exactly ``scopes``."""
    try:
        permissions = parse_scopes(scopes)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if not permissions:
        raise AccountError("an API key needs at least one scope")
    token = new_token(API_KEY_PREFIX)
    with engine.begin() as connection:
        key_id = repository.insert_api_key(
            connection,
            name=name,
            key_hash=token_hash(token),
            key_prefix=shown(token),
            scopes=sorted(p.value for p in permissions),
            created_at=_now(),
            created_by=created_by,
        )
    return NewKey(key_id, name, token)


def bearer_principal(engine: Engine, token: str) -> Principal:
    """The API key behind a bearer token."""
    with engine.begin() as connection:
        key = repository.live_api_key(connection, token_hash(token))
        if key is None:
            raise AuthenticationError("unknown or revoked API key")
        now = _now()
        last = key["last_used_at"]
        if last is None or _aware(last) < now - dt.timedelta(minutes=1):
            repository.touch_api_key(connection, key["id"], now)  # at most once a minute
    scopes = frozenset(Permission(scope) for scope in key["scopes"])
    return Principal("key", int(key["id"]), str(key["name"]), scopes)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def revoke_api_key(engine: Engine, key_id: int) -> None:
    with engine.begin() as connection:
        if not repository.revoke_api_key(connection, key_id, _now()):
            raise AccountError(f"no live API key {key_id}")


def list_api_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return repository.list_api_keys(connection)


def create_write_key(engine: Engine, source: str, name: str, created_by: str) -> NewKey:
    """A key SDKs send events with, into ``source`` (created if new); it can do nothing else."""
    try:
        source_name = check_source_name(source)
    except IngestError as exc:
        raise AccountError(str(exc)) from None
    token = new_token(WRITE_KEY_PREFIX)
    now = _now()
    with engine.begin() as connection:
        source_id = get_or_create_source(connection, source_name, now)
        key_id = repository.insert_write_key(
            connection,
            source_id=source_id,
            name=name or source_name,
            key_hash=token_hash(token),
            key_prefix=shown(token),
            created_at=now,
            created_by=created_by,
        )
    return NewKey(key_id, name or source_name, token)


def write_key_source(engine: Engine, token: str) -> tuple[int, str]:
    """(source id, name) a write key collects into."""
    with engine.connect() as connection:
        found = repository.live_write_key_source(connection, token_hash(token))
    if found is None:
        raise AuthenticationError("unknown or revoked write key")
    return found


def revoke_write_key(engine: Engine, key_id: int) -> None:
    with engine.begin() as connection:
        if not repository.revoke_write_key(connection, key_id, _now()):
            raise AccountError(f"no live write key {key_id}")


def list_write_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return repository.list_write_keys(connection)
