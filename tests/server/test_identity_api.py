"""Merge, unmerge, never-merge, review and revoke over real HTTP, on both stores.

The store is the one of ``test_profiles_api``. Review items are inserted directly: on
data this small the shipped model is sure of every pair, so resolving queues none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from kimlik.config import Settings
from kimlik.store.server_tables import audit_log
from kimlik.store.tables import identity_decisions, review_items
from tests.server.conftest import LiveServer
from tests.server.test_profiles_api import AYSE_PERSONAL, Store, build_store, leaks, ok


@pytest.fixture
def store(live_server: LiveServer, server_settings: Settings, tmp_path: Path) -> Store:
    return build_store(live_server.engine, server_settings, tmp_path)


def audited(live: LiveServer) -> list[tuple[str, str | None, dict[str, Any]]]:
    with live.engine.connect() as connection:
        rows = connection.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all()
    return [(r["action"], r["target"], dict(r["detail"])) for r in rows]


def add_review_item(store: Store, left: str, right: str, weight: float) -> int:
    a, b = sorted((store.rids[left], store.rids[right]))
    values = {
        "record_a": a, "record_b": b, "weight": weight,
        "evidence": {"first_name": "exact", "birth_date": "different"},
        "status": "open", "created_at": dt.datetime.now(dt.UTC),
    }  # fmt: skip
    with store.engine.begin() as connection:
        inserted = connection.execute(insert(review_items).values(**values))
        return int(inserted.inserted_primary_key[0])


def test_merge_then_unmerge_round_trip(live_server: LiveServer, store: Store) -> None:
    ahmet, leyla = store.profiles["crm:CRM-0002"], store.profiles["crm:CRM-0003"]
    with live_server.client("agent") as agent:
        merged = ok(agent.post(
            "/api/v1/profiles/merge",
            json={"profiles": [ahmet, leyla], "reason": "one household account"},
        ))  # fmt: skip
        store.refresh()
        one = store.profiles["crm:CRM-0002"]
        assert store.profiles["crm:CRM-0003"] == one
        assert merged["action"] == "manual_merge" and merged["decisions_written"]
        assert {r["label"]: r["profile_id"] for r in merged["records"]} == {
            "crm:CRM-0002": one, "crm:CRM-0003": one,
        }  # fmt: skip
        assert merged["run"]["run_id"] > 0
        gone = leyla if one == ahmet else ahmet
        view = ok(agent.get(f"/api/v1/profiles/{gone}"))
        assert view["id"] == one and view["redirected_from"] == gone
        assert view["notice"] == f"profile {gone} was merged into profile {one}"
        timeline = ok(agent.get(f"/api/v1/profiles/{gone}/timeline", params={"kind": "profile"}))
        assert timeline["profile_id"] == one and timeline["redirected_from"] == gone
        assert "manual_merge" in {e["details"]["action"] for e in timeline["items"]}

        split = ok(agent.post(
            f"/api/v1/profiles/{one}/unmerge",
            json={"records": ["crm:CRM-0003"], "reason": "two people after all"},
        ))  # fmt: skip
        store.refresh()
        assert store.profiles["crm:CRM-0002"] != store.profiles["crm:CRM-0003"]
        assert split["profile_id"] == one
        outcome = split["outcomes"][0]
        assert outcome["action"] == "unmerge" and outcome["decisions_revoked"]
        listed = ok(agent.get("/api/v1/decisions"))["items"]
        assert {d["kind"] for d in listed} == {"merge", "never_merge"}
        assert all(d["actor"].startswith("key:") and "agent key" in d["actor"] for d in listed)
    actions = [(action, target) for action, target, _ in audited(live_server)]
    assert actions[:2] == [("merge", f"profile:{ahmet}"), ("profile.read", f"profile:{one}")]
    assert ("unmerge", f"profile:{one}") in actions
    merge_detail = audited(live_server)[0][2]
    assert merge_detail["profiles"] == [ahmet, leyla] and merge_detail["ledger_id"]
    assert sorted(merge_detail["records"]) == sorted(
        [store.rids["crm:CRM-0002"], store.rids["crm:CRM-0003"]]
    )


def test_never_merge_splits_and_revoke_brings_the_pair_back(
    live_server: LiveServer, store: Store
) -> None:
    with live_server.client("admin") as admin:
        apart = ok(admin.post(
            "/api/v1/never-merge", json={"records": ["crm:CRM-0001", "webshop:W-0001"]}
        ))  # fmt: skip
        store.refresh()
        assert store.profiles["crm:CRM-0001"] != store.profiles["webshop:W-0001"]
        assert apart["action"] == "never_merge"
        decision = apart["decisions_written"][0]
        again = admin.post(
            "/api/v1/never-merge", json={"records": ["webshop:W-0001", "crm:CRM-0001"]}
        )
        assert again.status_code == 409 and "already kept apart" in again.json()["message"]
        back = ok(admin.post(f"/api/v1/decisions/{decision}/revoke", json={"reason": "typo"}))
        store.refresh()
        assert store.profiles["crm:CRM-0001"] == store.profiles["webshop:W-0001"]
        assert back["decisions_revoked"] == [decision]
        twice = admin.post(f"/api/v1/decisions/{decision}/revoke")
        assert twice.status_code == 409 and "already revoked" in twice.json()["message"]
        active = ok(admin.get("/api/v1/decisions", params={"active": True}))["items"]
        assert active == []
    actions = [action for action, _, _ in audited(live_server)]
    assert actions == ["never_merge", "revoke"]


def test_review_queue_accept_and_reject(live_server: LiveServer, store: Store) -> None:
    family = add_review_item(store, "crm:CRM-0002", "crm:CRM-0003", 1.5)
    strangers = add_review_item(store, "crm:CRM-0004", "webshop:W-0002", -1.0)
    ayse = add_review_item(store, "crm:CRM-0001", "crm:CRM-1000", -3.0)
    with live_server.client("analyst") as analyst:
        masked = ok(analyst.get("/api/v1/review"))
    assert [item["id"] for item in masked["items"]] == [family, strangers, ayse]
    assert leaks(masked, AYSE_PERSONAL) == set()
    assert masked["items"][0]["evidence"] == {"first_name": "exact", "birth_date": "different"}
    with live_server.client("agent") as agent:
        first = ok(agent.get("/api/v1/review", params={"limit": 2}))
        rest = ok(agent.get("/api/v1/review", params={"limit": 2, "cursor": first["next_cursor"]}))
        assert [i["id"] for i in first["items"] + rest["items"]] == [family, strangers, ayse]
        assert rest["next_cursor"] is None
        top = first["items"][0]
        assert top["weight"] == 1.5 and top["left"]["name"] == "Ahmet Kaya"
        assert top["left"]["email"] == "kaya.ailesi@example.com"
        accepted = ok(agent.post(f"/api/v1/review/{family}/accept", json={"reason": "same"}))
        assert accepted["action"] == "review_accept"
        rejected = ok(agent.post(f"/api/v1/review/{strangers}/reject", json={"split": False}))
        assert rejected["action"] == "review_reject"
        ok(agent.post(f"/api/v1/review/{ayse}/reject"))
        store.refresh()
        assert store.profiles["crm:CRM-0002"] == store.profiles["crm:CRM-0003"]
        assert ok(agent.get("/api/v1/review"))["items"] == []
        decided = ok(agent.get("/api/v1/review", params={"status": "all"}))["items"]
        assert {i["status"] for i in decided} == {"accepted", "rejected"}
        twice = agent.post(f"/api/v1/review/{family}/reject")
        assert twice.status_code == 409 and "already accepted" in twice.json()["message"]
    with store.engine.connect() as connection:
        kinds = connection.execute(select(identity_decisions.c.kind)).scalars().all()
    assert sorted(kinds) == ["merge", "never_merge", "never_merge"]
    actions = [action for action, _, _ in audited(live_server)]
    assert actions == ["review.accept", "review.reject", "review.reject"]


def test_review_item_detail_and_dismiss(live_server: LiveServer, store: Store) -> None:
    strong = add_review_item(store, "crm:CRM-0002", "crm:CRM-0003", 1.5)
    ayse = add_review_item(store, "crm:CRM-0001", "crm:CRM-1000", -3.0)
    with live_server.client("analyst") as analyst:
        masked = ok(analyst.get(f"/api/v1/review/{ayse}"))
        assert leaks(masked, AYSE_PERSONAL) == set()
        assert masked["left"]["attributes"]["first_name"] == "•••"
    with live_server.client("agent") as agent:
        detail = ok(agent.get(f"/api/v1/review/{strong}"))
        assert detail["left"]["name"] == "Ahmet Kaya" and detail["status"] == "open"
        assert detail["left"]["attributes"]["email"] == "kaya.ailesi@example.com"
        assert "country" in detail["left"]["attributes"]
        assert (detail["previous_id"], detail["next_id"]) == (None, ayse)
        assert ok(agent.get(f"/api/v1/review/{ayse}"))["previous_id"] == strong
        assert agent.get("/api/v1/review/987654").status_code == 404
        dismissed = ok(agent.post(f"/api/v1/review/{strong}/dismiss", json={"reason": "unsure"}))
        assert dismissed["action"] == "review_dismiss"
        assert dismissed["decisions_written"] == [] and dismissed["run"] is None
        assert ok(agent.get(f"/api/v1/review/{strong}"))["status"] == "dismissed"
        assert ok(agent.get(f"/api/v1/review/{ayse}"))["previous_id"] is None
        listed = ok(agent.get("/api/v1/review", params={"status": "dismissed"}))["items"]
        assert [item["id"] for item in listed] == [strong]
        twice = agent.post(f"/api/v1/review/{strong}/dismiss")
        assert twice.status_code == 409 and "already dismissed" in twice.json()["message"]
    with live_server.client("analyst") as analyst:
        assert analyst.post(f"/api/v1/review/{ayse}/dismiss").status_code == 403
    with store.engine.connect() as connection:
        assert connection.execute(select(identity_decisions.c.id)).all() == []
    actions = [(action, target) for action, target, _ in audited(live_server)]
    assert actions == [("review.dismiss", f"review:{strong}")]


def test_bad_requests_are_clear_4xx_and_change_nothing(
    live_server: LiveServer, store: Store
) -> None:
    ayse, john = store.profiles["crm:CRM-0001"], store.profiles["crm:CRM-0004"]
    cases: list[tuple[str, str, Any, int, str]] = [
        ("/api/v1/profiles/merge", "json", {"profiles": [ayse, 424242]}, 404, "424242"),
        ("/api/v1/profiles/merge", "json", {"profiles": [ayse, ayse]}, 409, "already one"),
        ("/api/v1/profiles/merge", "json", {"profiles": [ayse]}, 422, "profiles"),
        ("/api/v1/profiles/merge", "json", {"profiles": [ayse, "x"]}, 422, "profiles"),
        ("/api/v1/profiles/merge", "json", {"profiles": [ayse, john], "x": 1}, 422, "x"),
        ("/api/v1/profiles/merge", "content", b"{not json", 422, "body"),
        (f"/api/v1/profiles/{ayse}/unmerge", "json", {"records": []}, 422, "records"),
        (f"/api/v1/profiles/{ayse}/unmerge", "json", {"records": ["crm:NOPE"]}, 404,
         "crm:NOPE"),
        (f"/api/v1/profiles/{ayse}/unmerge", "json", {"records": ["crm:CRM-0004"]}, 409,
         "not in profile"),
        ("/api/v1/profiles/424242/unmerge", "json", {"records": ["crm:CRM-0001"]}, 404,
         "424242"),
        ("/api/v1/never-merge", "json", {"records": ["crm:CRM-0001", "ghost:1"]}, 404,
         "ghost:1"),
        ("/api/v1/never-merge", "json", {"records": ["crm:CRM-0001", "crm:CRM-0001"]}, 409,
         "same record"),
        ("/api/v1/review/31337/accept", "json", None, 404, "31337"),
        ("/api/v1/review/31337/reject", "json", {"split": "maybe"}, 422, "split"),
        ("/api/v1/review/0/reject", "json", None, 422, "item"),
        ("/api/v1/decisions/31337/revoke", "json", {}, 404, "31337"),
    ]  # fmt: skip
    with live_server.client("agent") as agent:
        for path, kind, body, status, needle in cases:
            sent: dict[str, Any] = {"json": body} if kind == "json" else {"content": body}
            reply = agent.post(path, **sent)
            assert reply.status_code == status, (path, body, reply.text)
            answer = reply.json()
            assert answer["code"] and needle in answer["message"], (path, body, answer)
        bad_cursor = agent.get("/api/v1/review", params={"cursor": "%%%"})
        assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["message"]
    with store.engine.connect() as connection:
        assert connection.execute(select(identity_decisions.c.id)).all() == []
    assert audited(live_server) == []


def test_anonymous_callers_get_401_and_callers_without_identity_decide_403(
    live_server: LiveServer,
) -> None:
    changes = [
        ("/api/v1/profiles/merge", {"profiles": [1, 2]}),
        ("/api/v1/profiles/1/unmerge", {"records": ["crm:C-1"]}),
        ("/api/v1/never-merge", {"records": ["crm:C-1", "crm:C-2"]}),
        ("/api/v1/review/1/accept", {}),
        ("/api/v1/review/1/reject", {}),
        ("/api/v1/decisions/1/revoke", {}),
    ]
    reads = ["/api/v1/review", "/api/v1/decisions"]
    with live_server.client(None) as anonymous:
        for path, body in changes:
            assert anonymous.post(path, json=body).status_code == 401, path
        for path in reads:
            assert anonymous.get(path).status_code == 401, path
    for role in ("analyst", "marketer"):
        with live_server.client(role) as client:
            for path, body in changes:
                reply = client.post(path, json=body)
                assert reply.status_code == 403, (role, path)
                assert reply.json()["permission"] == "identity.decide"
            for path in reads:  # reading needs profiles.read only (and is masked)
                assert client.get(path).status_code == 200
    from kimlik.access.service import create_api_key

    token = create_api_key(live_server.engine, "audit only", ["audit.read"], "test").token
    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        for path in reads:
            reply = c.get(path)
            assert reply.status_code == 403 and reply.json()["permission"] == "profiles.read"
