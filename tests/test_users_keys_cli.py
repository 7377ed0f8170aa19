"""``kimlik users`` and ``kimlik keys`` end to end, on both backends, and the export's audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from kimlik.access.permissions import ROLES, Permission
from kimlik.access.service import authenticate, bearer_principal, write_key_source
from kimlik.cli.app import app
from kimlik.cli.users_cmd import ROLE_NAMES, SCOPE_NAMES
from kimlik.errors import AuthenticationError
from kimlik.store.server_tables import audit_log

runner = CliRunner()
PASSWORD = "correct horse battery"


def kimlik(url: str, *args: str, input: str | None = None) -> Result:
    # wide enough that Rich never wraps a table cell
    return runner.invoke(app, ["--database", url, *args], input=input, env={"COLUMNS": "200"})


def audit_actions(engine: Engine) -> list[tuple[str, str | None, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.target, audit_log.c.actor).order_by(
                audit_log.c.id
            )
        ).all()
    return [(row.action, row.target, row.actor) for row in rows]


def test_the_help_lists_every_role_and_scope() -> None:
    assert set(ROLE_NAMES) == set(ROLES)
    assert set(SCOPE_NAMES) == {permission.value for permission in Permission}


def test_users_are_created_listed_changed_and_audited(database_url: str, engine: Engine) -> None:
    made = kimlik(
        database_url,
        "users", "create", "Ada@Example.com", "--role", "analyst", "--name", "Ada",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "created user 1: Ada@example.com (analyst)" in made.output
    assert PASSWORD not in made.output  # the prompt hides it
    scripted = kimlik(
        database_url,
        "users", "create", "bob@example.com", "--role", "admin", "--password-stdin",
        input=f"{PASSWORD}\n",
    )  # fmt: skip
    assert scripted.exit_code == 0, scripted.output
    assert authenticate(engine, "ada@example.com", PASSWORD).role == "analyst"
    assert kimlik(database_url, "users", "set-role", "1", "marketer").exit_code == 0
    disabled = kimlik(database_url, "users", "disable", "1")
    assert disabled.exit_code == 0 and "disabled" in disabled.output
    with pytest.raises(AuthenticationError):
        authenticate(engine, "ada@example.com", PASSWORD)
    listed = kimlik(database_url, "users", "list", "--format", "json")
    users = json.loads(listed.stdout)
    assert [(u["email"], u["role"], u["disabled"]) for u in users] == [
        ("Ada@example.com", "marketer", True),
        ("bob@example.com", "admin", False),
    ]
    assert "password" not in listed.stdout and "argon2" not in listed.stdout
    text = kimlik(database_url, "users", "list")
    assert "Ada@example.com" in text.output and "disabled" in text.output
    assert kimlik(database_url, "users", "enable", "1").exit_code == 0
    actions = audit_actions(engine)
    assert [(a, t) for a, t, _ in actions] == [
        ("user.create", "user:1"),
        ("user.create", "user:2"),
        ("user.role", "user:1"),
        ("user.disable", "user:1"),
        ("user.enable", "user:1"),
    ]
    assert all(actor.startswith("cli:") for _, _, actor in actions)


@pytest.mark.parametrize(
    ("args", "input", "status", "words"),
    [
        (["users", "create", "a@example.com", "--role", "boss", "--password-stdin"], f"{PASSWORD}\n", 1, "unknown role 'boss'"),
        (["users", "create", "a@example.com", "--role", "agent", "--password-stdin"], "short\n", 1, "at least 10 characters"),
        (["users", "create", "a@example.com", "--role", "agent", "--password-stdin"], "", 2, "no password"),
        (["users", "set-role", "99", "agent"], None, 1, "no user 99"),
        (["users", "disable", "99"], None, 1, "no user 99"),
        (["keys", "create", "k", "--scope", "everything"], None, 1, "unknown scope everything"),
        (["keys", "create", "k"], None, 2, "--scope"),
        (["keys", "create", "k", "--scope", "audit.read", "--role", "admin"], None, 2, "not both"),
        (["keys", "create", "k", "--role", "boss"], None, 1, "unknown role 'boss'"),
        (["keys", "create", "k", "--write"], None, 2, "needs --source"),
        (["keys", "create", "k", "--write", "--source", "no spaces"], None, 1, "invalid source name"),
        (["keys", "revoke", "99"], None, 1, "no API key 99"),
        (["keys", "revoke", "99", "--write"], None, 1, "no write key 99"),
    ],
    ids=[
        "unknown role", "weak password", "empty stdin", "set-role unknown user", "disable unknown user",
        "unknown scope", "no scope", "scope and role", "unknown key role", "write without source",
        "bad source", "unknown API key", "unknown write key",
    ],
)  # fmt: skip
def test_mistakes_are_one_line_and_a_status(
    database_url: str, args: list[str], input: str | None, status: int, words: str
) -> None:
    result = kimlik(database_url, *args, input=input)
    assert result.exit_code == status, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_the_last_admin_stays(database_url: str) -> None:
    create = ["users", "create", "a@example.com", "--role", "admin", "--password-stdin"]
    assert kimlik(database_url, *create, input=f"{PASSWORD}\n").exit_code == 0
    result = kimlik(database_url, "users", "disable", "1")
    assert result.exit_code == 1 and "last active admin" in result.output


def test_api_keys_by_scope_or_role_print_the_token_once(database_url: str, engine: Engine) -> None:
    scoped = kimlik(database_url, "keys", "create", "nightly", "--scope", "quality.read")
    assert scoped.exit_code == 0, scoped.output
    token = scoped.stdout.strip()
    assert token.startswith("ka_") and "\n" not in token  # stdout: the token alone
    assert "not shown again" in scoped.stderr
    assert bearer_principal(engine, token).permissions == {Permission.QUALITY_READ}
    by_role = kimlik(database_url, "keys", "create", "bi", "--role", "analyst")
    assert bearer_principal(engine, by_role.stdout.strip()).permissions == ROLES["analyst"]
    listed = kimlik(database_url, "keys", "list", "--format", "json")
    keys = json.loads(listed.stdout)
    assert [key["name"] for key in keys["api_keys"]] == ["nightly", "bi"]
    assert token not in listed.stdout and "key_hash" not in listed.stdout
    revoked = kimlik(database_url, "keys", "revoke", "1")
    assert revoked.exit_code == 0 and "revoked API key 1" in revoked.output
    with pytest.raises(AuthenticationError):
        bearer_principal(engine, token)
    again = kimlik(database_url, "keys", "revoke", "1")
    assert again.exit_code == 1 and "already revoked" in again.output
    assert [(a, t) for a, t, _ in audit_actions(engine)] == [
        ("api_key.create", "api_key:1"),
        ("api_key.create", "api_key:2"),
        ("api_key.revoke", "api_key:1"),
    ]


def test_write_keys_collect_into_their_source(database_url: str, engine: Engine) -> None:
    made = kimlik(database_url, "keys", "create", "website", "--write", "--source", "Web")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("kw_") and "for source web" in made.stderr
    assert write_key_source(engine, token)[1] == "web"
    text = kimlik(database_url, "keys", "list")
    assert "Write keys" in text.output and "website" in text.output and token not in text.output
    assert kimlik(database_url, "keys", "revoke", "1", "--write").exit_code == 0
    with pytest.raises(AuthenticationError):
        write_key_source(engine, token)
    assert [(a, t) for a, t, _ in audit_actions(engine)] == [
        ("write_key.create", "write_key:1"),
        ("write_key.revoke", "write_key:1"),
    ]


def test_the_cli_export_is_audited(database_url: str, engine: Engine, tmp_path: Path) -> None:
    for what in ("profiles", "members"):
        output = tmp_path / f"{what}.csv"
        result = kimlik(database_url, "export", what, "--output", str(output))
        assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        entries = connection.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.detail)
        ).all()
    assert [(entry.action, entry.detail["what"], entry.detail["rows"]) for entry in entries] == [
        ("export", "profiles", 0),
        ("export", "members", 0),
    ]
    assert all(entry.actor.startswith("cli:") for entry in entries)


def test_a_store_without_schema_is_one_line(tmp_path: Path) -> None:
    result = kimlik(f"sqlite:///{tmp_path / 'empty.db'}", "users", "list")
    assert result.exit_code == 3 and "kimlik init" in result.output
