"""Sign-in, sessions, CSRF, bearer keys, login limits and secrets, over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from kimlik.access.service import create_api_key, disable_user, revoke_api_key
from kimlik.app import create_app
from kimlik.cli.app import app as cli_app
from kimlik.config import Settings
from kimlik.errors import ConfigurationError
from kimlik.store.server_tables import audit_log
from kimlik.store.server_tables import users as users_table
from tests.server.conftest import PASSWORD, LiveServer


def sign_in(
    live: LiveServer, email: str, password: str = PASSWORD
) -> tuple[httpx.Client, httpx.Response]:
    client = live.client(None)
    reply = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return client, reply


def test_a_user_signs_in_with_a_cookie_and_signs_out(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    client, reply = sign_in(live_server, users["agent"])
    assert reply.status_code == 200
    me = reply.json()
    assert me["role"] == "agent" and "profiles.personal" in me["permissions"] and me["csrf_token"]
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/api/v1/auth/me").json()["name"] == users["agent"]
    assert (
        client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": me["csrf_token"]}).status_code
        == 200
    )
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_signed_in_change_needs_the_csrf_token(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    client, reply = sign_in(live_server, users["admin"])
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    wrong = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "email", ["admin@example.com", "nobody@example.com"], ids=["wrong password", "unknown user"]
)
def test_wrong_credentials_get_one_answer_whatever_was_wrong(
    live_server: LiveServer, users: dict[str, str], email: str
) -> None:
    _, reply = sign_in(live_server, email, "not the password")
    assert reply.status_code == 401
    assert reply.json() == {"code": "unauthorized", "message": "wrong email or password"}


def test_failed_sign_ins_are_limited(live_server: LiveServer, users: dict[str, str]) -> None:
    for _ in range(live_server.settings.login_attempts):
        assert sign_in(live_server, users["admin"], "guess guess guess")[1].status_code == 401
    _, reply = sign_in(live_server, users["admin"])  # even the right password, for now
    assert reply.status_code == 429
    assert int(reply.headers["retry-after"]) > 0 and reply.json()["code"] == "rate_limited"


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    client, _ = sign_in(live_server, users["marketer"])
    with live_server.engine.connect() as connection:
        user_id = connection.execute(
            select(users_table.c.id).where(users_table.c.email == users["marketer"])
        ).scalar_one()
    disable_user(live_server.engine, user_id)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert sign_in(live_server, users["marketer"])[1].status_code == 401


def test_bearer_keys_work_until_revoked(live_server: LiveServer) -> None:
    key = create_api_key(live_server.engine, "reporting", ["quality.read"], "test")
    client = live_server.client(None, Authorization=f"Bearer {key.token}")
    me = client.get("/api/v1/auth/me").json()
    assert me["kind"] == "key" and me["permissions"] == ["quality.read"]
    revoke_api_key(live_server.engine, key.id)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_write_keys_cannot_use_the_management_api(live_server: LiveServer) -> None:
    client = live_server.client(None, Authorization=f"Bearer {live_server.write_key}")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_sign_ins_are_audited_without_passwords(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    sign_in(live_server, users["analyst"])
    with live_server.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
        ).all()
    assert [(r.action, r.detail) for r in rows] == [("auth.login", {})]
    assert users["analyst"] in rows[0].actor
    assert PASSWORD not in str(rows)


def test_default_secrets_are_refused_outside_development(tmp_path) -> None:  # type: ignore[no-untyped-def]
    production = Settings(database_url=f"sqlite:///{tmp_path / 'k.db'}", environment="production")
    with pytest.raises(ConfigurationError, match="KIMLIK_SECRET_KEY"):
        create_app(production)
    short = production.model_copy(update={"secret_key": SecretStr("too-short")})
    with pytest.raises(ConfigurationError, match="32 characters"):
        short.check_secrets()
    strong = production.model_copy(update={"secret_key": SecretStr("x" * 48)})
    strong.check_secrets()


def test_serve_refuses_a_default_secret_in_production(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KIMLIK_ENVIRONMENT", "production")
    result = CliRunner().invoke(cli_app, ["--database", f"sqlite:///{tmp_path / 'k.db'}", "serve"])
    assert result.exit_code == 2
    assert "KIMLIK_SECRET_KEY" in result.output and "Traceback" not in result.output


def test_no_page_loads_assets_from_a_cdn(live_server: LiveServer) -> None:
    client = live_server.client(None)
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    document = client.get("/openapi.json")
    assert document.status_code == 200 and document.json()["paths"]
    assert "cdn" not in document.text.lower()
