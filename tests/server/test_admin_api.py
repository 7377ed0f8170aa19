"""The management API's admin side over real HTTP: imports, quality, sources and write keys,
users and API keys, the audit log and the profile export, on both backends."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.service import import_rows
from kimlik.profiles.export import PROFILE_COLUMNS
from kimlik.store.server_tables import audit_log, events
from kimlik.store.tables import profiles
from tests.server.conftest import PASSWORD, LiveServer

MASK = "•••"
PEOPLE = [
    {"id": "C1", "first_name": "Ayşe", "email": "ayse@example.com", "city": "İzmir"},
    {"id": "C2", "first_name": "Ayse", "email": "ayse@example.com", "city": "Izmir"},
    {"id": "C3", "note": "nobody"},
]


def load(live: LiveServer, rows: list[dict[str, Any]] = PEOPLE, **options: Any) -> int:
    options.setdefault("source", "crm")
    options.setdefault("kind", "people")
    return import_rows(live.engine, live.settings, rows=rows, **options).run_id


def actions(live: LiveServer) -> list[tuple[str, str | None]]:
    with live.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.target).order_by(audit_log.c.id)
        ).all()
    return [(row.action, row.target) for row in rows]


def keyed(live: LiveServer, *scopes: str) -> httpx.Client:
    """A client with an API key holding exactly ``scopes``, made through the API."""
    with live.client("admin") as client:
        token = client.post("/api/v1/api-keys", json={"name": "t", "scopes": list(scopes)})
    return httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {token.json()['token']}"}
    )


# --- imports and quality ----------------------------------------------------------------


def test_imports_are_listed_filtered_and_paged(live_server: LiveServer) -> None:
    first = load(live_server)
    load(live_server, [{"order_id": "O1", "customer_id": "C1"}], source="shop", kind="orders")
    with live_server.client("analyst") as client:
        everything = client.get("/api/v1/imports").json()
        orders = client.get("/api/v1/imports", params={"kind": "orders"}).json()
        crm = client.get("/api/v1/imports", params={"source": "crm", "status": "completed"})
        page = client.get("/api/v1/imports", params={"limit": 1, "offset": 1}).json()
        bad = client.get("/api/v1/imports", params={"status": "done"})
        missing = client.get("/api/v1/imports/999999")
    assert everything["total"] == 2 and everything["items"][0]["source"] == "shop"  # newest first
    assert [run["kind"] for run in orders["items"]] == ["orders"]
    assert [run["id"] for run in crm.json()["items"]] == [first]
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [run["id"] for run in page["items"]] == [first]
    assert bad.status_code == 422 and missing.status_code == 404


def test_rejected_rows_show_values_only_to_personal_callers(live_server: LiveServer) -> None:
    run_id = load(live_server)
    with live_server.client("admin") as client:
        full = client.get(f"/api/v1/imports/{run_id}").json()["rejected_rows"]
    with live_server.client("analyst") as client:
        masked = client.get(f"/api/v1/imports/{run_id}").json()["rejected_rows"]
    assert full["total"] == 1 and full["items"][0]["raw"] == PEOPLE[2]
    assert full["items"][0]["record_id"] == "C3"
    assert masked["items"][0]["raw"] == {"id": MASK, "note": MASK}
    assert masked["items"][0]["record_id"] == MASK
    assert masked["items"][0]["reasons"][0]["code"] == "row.no_identity"


def test_quality_masks_shared_identifiers_without_personal(live_server: LiveServer) -> None:
    load(live_server)
    with live_server.client("marketer") as client:
        seen = client.get("/api/v1/quality").json()
    with live_server.client("analyst") as client:
        hidden = client.get("/api/v1/quality").json()
    email = next(group for group in seen["shared"] if group["identifier"] == "email")
    assert email["top"] == [{"value": "ayse@example.com", "records": 2, "sources": 1}]
    masked = next(group for group in hidden["shared"] if group["identifier"] == "email")
    assert masked["top"] == [{"value": MASK, "records": 2, "sources": 1}]
    assert [source["source"] for source in hidden["sources"]] == ["crm", "web"]


def test_quality_answers_from_the_servers_snapshot_when_asked(live_server: LiveServer) -> None:
    load(live_server)
    with live_server.client("analyst") as client:
        built = client.get("/api/v1/quality", params={"max_age": 3600}).json()  # none yet
        kept = client.get("/api/v1/quality", params={"max_age": 3600}).json()
        counted = client.get("/api/v1/quality").json()
        time.sleep(1.1)
        rebuilt = client.get("/api/v1/quality", params={"max_age": 1}).json()
        bad = client.get("/api/v1/quality", params={"max_age": -1})
    assert kept == built  # the same snapshot, not counted again
    assert counted["generated_at"] > built["generated_at"]
    assert rebuilt["generated_at"] > counted["generated_at"]
    assert counted["sources"] == built["sources"] == rebuilt["sources"]
    assert bad.status_code == 422 and "max_age" in bad.text


# --- sources and write keys ---------------------------------------------------------------


def test_sources_are_listed_with_counts_and_created(live_server: LiveServer) -> None:
    run_id = load(live_server)
    with live_server.client("admin") as client:
        made = client.post("/api/v1/sources", json={"name": "POS", "trust_rank": 20})
        again = client.post("/api/v1/sources", json={"name": "pos"})
        bad = client.post("/api/v1/sources", json={"name": "no spaces"})
        rank = client.post("/api/v1/sources", json={"name": "x", "trust_rank": -1})
        listed = {s["name"]: s for s in client.get("/api/v1/sources").json()["items"]}
    assert made.status_code == 201 and made.json()["name"] == "pos"
    assert again.status_code == 400 and "already exists" in again.json()["message"]
    assert bad.status_code == 422 and rank.status_code == 422
    assert set(listed) == {"crm", "pos", "web"}
    assert listed["crm"]["records"] == {"people": 2}
    assert listed["crm"]["last_import"]["id"] == run_id
    assert listed["pos"]["trust_rank"] == 20 and listed["pos"]["last_import"] is None
    assert listed["web"]["live_write_keys"] == 1  # the test server's own key
    assert ("source.create", "source:pos") in actions(live_server)


def test_a_write_key_is_shown_once_and_its_snippets_work(live_server: LiveServer) -> None:
    with live_server.client("admin") as client:
        made = client.post("/api/v1/sources/web/write-keys", json={"name": "shop site"})
        listed = client.get("/api/v1/sources/web/write-keys").json()["items"]
        unknown = client.post("/api/v1/sources/nowhere/write-keys", json={})
    assert made.status_code == 201 and unknown.status_code == 404
    key = made.json()
    assert key["token"].startswith("kw_") and "not shown again" in key["warning"]
    assert key["token"] not in json.dumps(listed, default=str)
    assert all("key_hash" not in item for item in listed) and len(listed) == 2
    for name, snippet in key["snippets"].items():
        assert live_server.url in snippet and key["token"] in snippet
        run = subprocess.run(
            [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, name + run.stderr
    with live_server.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(events)).scalar_one()
    assert stored == 4  # an identify and a track from each SDK
    assert ("write_key.create", f"write_key:{key['id']}") in actions(live_server)


def test_a_revoked_write_key_is_listed_as_revoked(live_server: LiveServer) -> None:
    with live_server.client("admin") as client:
        key = client.post("/api/v1/sources/web/write-keys", json={}).json()
        gone = client.delete(f"/api/v1/write-keys/{key['id']}")
        twice = client.delete(f"/api/v1/write-keys/{key['id']}")
        unknown = client.delete("/api/v1/write-keys/999999")
        listed = client.get("/api/v1/sources/web/write-keys").json()["items"]
    assert (gone.status_code, twice.status_code, unknown.status_code) == (204, 400, 404)
    assert key["name"] == "web"  # defaults to the source's name
    revoked = next(item for item in listed if item["id"] == key["id"])
    assert revoked["revoked_at"] is not None
    assert ("write_key.revoke", f"write_key:{key['id']}") in actions(live_server)


def test_refused_events_mask_payloads_without_personal(live_server: LiveServer) -> None:
    basic = base64.b64encode(f"{live_server.write_key}:".encode()).decode()
    batch = {"batch": [{"type": "shout", "messageId": "m1", "traits": {"email": "a@b.co"}}]}
    sent = httpx.post(
        f"{live_server.url}/v1/batch", json=batch, headers={"Authorization": f"Basic {basic}"}
    )
    assert sent.status_code == 400
    with live_server.client("admin") as client:
        full = client.get("/api/v1/sources/web/rejected-events").json()
        missing = client.get("/api/v1/sources/nowhere/rejected-events")
    with keyed(live_server, "sources.manage") as client:
        masked = client.get("/api/v1/sources/web/rejected-events").json()
    assert full["total"] == 1 and full["items"][0]["code"] == "invalid_type"
    assert full["items"][0]["payload"]["traits"] == {"email": "a@b.co"}
    assert masked["items"][0]["payload"]["traits"] == {"email": MASK}
    assert masked["items"][0]["message_id"] == "m1" and missing.status_code == 404


# --- users and API keys ----------------------------------------------------------------


def test_users_are_created_changed_and_never_show_a_hash(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    with live_server.client("admin") as client:
        made = client.post(
            "/api/v1/users",
            json={
                "email": "Ada@Example.com",
                "name": "Ada",
                "role": "analyst",
                "password": PASSWORD,
            },
        )
        user = made.json()
        promoted = client.patch(f"/api/v1/users/{user['id']}", json={"role": "admin"})
        disabled = client.patch(f"/api/v1/users/{user['id']}", json={"disabled": True})
        enabled = client.patch(f"/api/v1/users/{user['id']}", json={"disabled": False})
        listed = client.get("/api/v1/users")
    assert made.status_code == 201 and user["email"] == "Ada@example.com"
    assert promoted.json()["role"] == "admin"
    assert disabled.json()["disabled"] is True and enabled.json()["disabled"] is False
    assert "password_hash" not in listed.text and "argon2" not in listed.text
    target = f"user:{user['id']}"
    assert [a for a in actions(live_server) if a[1] == target] == [
        ("user.create", target),
        ("user.role", target),
        ("user.disable", target),
        ("user.enable", target),
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "words"),
    [
        ("post", "/api/v1/users", {"email": "x@example.com", "role": "boss", "password": PASSWORD}, 422, "role"),
        ("post", "/api/v1/users", {"email": "x@example.com", "role": "agent", "password": "short"}, 422, "password"),
        ("post", "/api/v1/users", {"email": "not-an-email", "role": "agent", "password": PASSWORD}, 400, "email"),
        ("post", "/api/v1/users", {"email": "admin@example.com", "role": "agent", "password": PASSWORD}, 400, "already exists"),
        ("patch", "/api/v1/users/999999", {"role": "agent"}, 404, "no user"),
        ("patch", "/api/v1/users/1", {}, 422, "role and/or disabled"),
        ("post", "/api/v1/api-keys", {"name": "k", "scopes": ["everything"]}, 422, "scopes"),
        ("post", "/api/v1/api-keys", {"name": "k", "scopes": []}, 422, "scopes"),
        ("delete", "/api/v1/api-keys/999999", None, 404, "no API key"),
    ],
    ids=[
        "unknown role", "weak password", "invalid email", "taken email", "unknown user",
        "nothing to change", "unknown scope", "no scope", "unknown key",
    ],
)  # fmt: skip
def test_account_mistakes_are_named(
    live_server: LiveServer,
    users: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    words: str,
) -> None:
    with live_server.client("admin") as client:
        reply = client.request(method.upper(), path, json=body)
    assert reply.status_code == status, reply.text
    assert words in reply.json()["message"]


def test_the_last_admin_cannot_be_demoted_or_disabled(
    live_server: LiveServer, users: dict[str, str]
) -> None:
    with live_server.client("admin") as client:
        listed = client.get("/api/v1/users").json()["items"]
        admin = next(user for user in listed if user["role"] == "admin")
        demote = client.patch(f"/api/v1/users/{admin['id']}", json={"role": "agent"})
        disable = client.patch(f"/api/v1/users/{admin['id']}", json={"disabled": True})
    assert demote.status_code == disable.status_code == 400
    assert "last active admin" in demote.json()["message"]


def test_api_keys_carry_their_scopes_and_die_when_revoked(live_server: LiveServer) -> None:
    with live_server.client("admin") as client:
        made = client.post(
            "/api/v1/api-keys", json={"name": "nightly", "scopes": ["quality.read", "quality.read"]}
        )
        key = made.json()
        listed = client.get("/api/v1/api-keys")
    assert made.status_code == 201 and key["scopes"] == ["quality.read"]
    assert key["token"] not in listed.text and "key_hash" not in listed.text
    nightly = httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {key['token']}"}
    )
    with nightly:
        assert nightly.get("/api/v1/auth/me").json()["permissions"] == ["quality.read"]
        assert nightly.get("/api/v1/quality").status_code == 200
        assert nightly.get("/api/v1/imports").status_code == 403
        with live_server.client("admin") as client:
            assert client.delete(f"/api/v1/api-keys/{key['id']}").status_code == 204
            assert client.delete(f"/api/v1/api-keys/{key['id']}").status_code == 400
        assert nightly.get("/api/v1/quality").status_code == 401
    assert ("api_key.revoke", f"api_key:{key['id']}") in actions(live_server)


# --- audit log and export -------------------------------------------------------------------


def test_the_audit_log_is_newest_first_filtered_and_paged(live_server: LiveServer) -> None:
    with live_server.client("admin") as client:
        for name in ("a", "b", "c"):
            client.post("/api/v1/sources", json={"name": name})
        first = client.get("/api/v1/audit", params={"action": "source.create", "limit": 2}).json()
        rest = client.get(
            "/api/v1/audit",
            params={"action": "source.create", "limit": 2, "before": first["next_before"]},
        ).json()
        by_target = client.get("/api/v1/audit", params={"target": "source:b"}).json()
    assert [e["target"] for e in first["items"]] == ["source:c", "source:b"]
    assert [e["target"] for e in rest["items"]] == ["source:a"] and rest["next_before"] is None
    assert [e["action"] for e in by_target["items"]] == ["source.create"]
    assert first["items"][0]["actor"].startswith("key:")


def test_the_export_streams_profiles_masked_for_analysts(live_server: LiveServer) -> None:
    load(live_server)
    resolve(live_server.engine, engine_settings(live_server.settings))
    with live_server.client("marketer") as client:
        lines = client.get("/api/v1/exports/profiles").text.splitlines()
    with live_server.client("analyst") as client:
        reply = client.get("/api/v1/exports/profiles", params={"format": "csv"})
    with live_server.engine.connect() as connection:
        active = (
            connection.execute(
                select(profiles.c.id).where(profiles.c.status == "active").order_by(profiles.c.id)
            )
            .scalars()
            .all()
        )
    exported = [json.loads(line) for line in lines]
    assert [row["profile_id"] for row in exported] == active and active
    assert all(list(row) == list(PROFILE_COLUMNS) for row in exported)
    assert {(row["email"], row["city"]) for row in exported} <= {
        ("ayse@example.com", "İzmir"), ("ayse@example.com", "Izmir"),
    }  # fmt: skip
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [int(row["profile_id"]) for row in rows] == active
    assert {(row["email"], row["first_name"], row["country"]) for row in rows} == {(MASK, MASK, "")}
    assert {row["city"] for row in rows} == {row["city"] for row in exported}  # not personal
    with live_server.engine.connect() as connection:
        details = (
            connection.execute(select(audit_log.c.detail).where(audit_log.c.action == "export"))
            .scalars()
            .all()
        )
    assert details == [
        {"what": "profiles", "format": "jsonl", "masked": False},
        {"what": "profiles", "format": "csv", "masked": True},
    ]
