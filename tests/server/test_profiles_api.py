"""Profile search, the single customer view and the timeline over real HTTP, both stores.

The store: Ayşe Yılmaz in a CRM and a webshop (her email in another case, her phone in
national form), the Kaya family sharing an email (kept apart), John Smith, Kemal Sunal,
and twelve people in Bursa to page through; Ayşe's order, ticket, survey answer,
consent, a custom loyalty card, and three tracked SDK events attached to her webshop
record. Masking is checked by walking every answer for any of her personal values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, insert, select

from kimlik.access.service import create_api_key
from kimlik.api.cursors import encode
from kimlik.config import Settings
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.profiles.service import get_profile
from kimlik.store.server_tables import audit_log, events
from kimlik.store.tables import profile_members, source_records, sources
from tests.server.conftest import LiveServer

PEOPLE = (
    "id,first_name,last_name,email,phone,birth_date,street,postal_code,city,country,loyalty_card\n"
)
CRM = PEOPLE + (
    "CRM-0001,Ayşe,Yılmaz,ayse.yilmaz@gmail.com,+90 532 111 22 33,1985-04-12,"
    "Bağdat Caddesi 12,34710,İstanbul,TR,LOYAL-778899\n"
    "CRM-0002,Ahmet,Kaya,kaya.ailesi@example.com,+90 533 222 33 44,1970-01-05,,,Ankara,TR,\n"
    "CRM-0003,Leyla,Kaya,kaya.ailesi@example.com,+90 533 999 88 77,1975-06-30,,,Ankara,TR,\n"
    "CRM-0004,John,Smith,john.smith@example.com,+1 212 555 0101,1990-01-05,,,New York,US,\n"
    + "".join(
        f"CRM-1{i:03d},{first},{last},p{i}@example.org,+90 535 000 10 {i:02d},"
        f"19{60 + i}-0{1 + i % 9}-1{i % 9},,,Bursa,TR,\n"
        for i, (first, last) in enumerate(
            [("Deniz", "Acar"), ("Arda", "Bulut"), ("Ece", "Çelik"), ("Mert", "Doğan"),
             ("Zehra", "Erdem"), ("Can", "Fidan"), ("Selin", "Güneş"), ("Emre", "Hakan"),
             ("İpek", "Işık"), ("Ozan", "Jale"), ("Nil", "Koç"), ("Barış", "Levent")]
        )
    )
)  # fmt: skip
WEBSHOP = PEOPLE + (
    "W-0001,Ayse,Yilmaz,AyseYilmaz@Gmail.com,0532 111 22 33,,,,Istanbul,TR,\n"
    "W-0002,Kemal,Sunal,kemal.sunal@gmail.com,+90 533 444 55 66,1970-05-05,,,İzmir,TR,\n"
)
RELATED = {
    "orders": "order_id,customer_id,ordered_at,total,currency,status,channel\n"
    "O-1,W-0001,2024-03-01T10:00:00Z,149.90,TRY,delivered,web\n",
    "interactions": "interaction_id,email,channel,occurred_at,department,agent,reason,outcome\n"
    "T-1,ayse.yilmaz@gmail.com,phone,2024-04-02T09:30:00Z,Delivery,Zeynep,Late parcel,Resolved\n",
    "feedback": "response_id,email,survey,question,score,comment,answered_at\n"
    "R-1,ayse.yilmaz@gmail.com,NPS 2024,Recommend us?,9,Fast delivery,2024-05-10T12:00:00Z\n",
    "consents": "email,purpose,channel,status,recorded_at\n"
    "ayse.yilmaz@gmail.com,newsletter,email,granted,2023-12-01T08:00:00Z\n",
}
EVENTS = [
    ("m-1", "identify", None, "2024-02-01T10:00:00",
     {"traits": {"email": "ayse.events@example.com", "firstName": "Ayşe", "plan": "gold"}}),
    ("m-2", "track", "Order Completed", "2024-03-01T10:05:00",
     {"properties": {"revenue": 149.9, "currency": "TRY",
                     "contact": "write to ayse.events@example.com"}}),
    ("m-3", "page", "Home", "2024-06-01T08:00:00", {"properties": {"path": "/", "title": "Home"}}),
]  # fmt: skip
#: Everything that identifies Ayşe; no answer to an analyst may hold any of them.
AYSE_PERSONAL = [
    "Ayşe", "Yılmaz", "ayse", "yilmaz", "+905321112233", "1985-04-12", "Bağdat Caddesi",
    "34710", "CRM-0001", "W-0001", "LOYAL-778899", "u-ayse-77",
]  # fmt: skip


@dataclass
class Store:
    engine: Engine
    profiles: dict[str, int]  # "source:record_id" -> profile id
    rids: dict[str, int]  # "source:record_id" -> store id

    def refresh(self) -> None:
        self.profiles, self.rids = placed(self.engine)


def placed(engine: Engine) -> tuple[dict[str, int], dict[str, int]]:
    statement = (
        select(
            sources.c.name,
            source_records.c.record_id,
            source_records.c.id,
            profile_members.c.profile_id,
        )
        .join(source_records, source_records.c.source_id == sources.c.id)
        .outerjoin(profile_members, profile_members.c.rid == source_records.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    labels = {f"{source}:{record}": (rid, pid) for source, record, rid, pid in rows}
    return (
        {label: int(pid) for label, (_, pid) in labels.items() if pid is not None},
        {label: int(rid) for label, (rid, _) in labels.items()},
    )


def build_store(engine: Engine, settings: Settings, folder: Path) -> Store:
    """Import, resolve, and attach Ayşe's tracked events to her webshop record."""
    files = [("crm", "people", CRM), ("webshop", "people", WEBSHOP)]
    files += [("webshop", kind, content) for kind, content in RELATED.items()]
    for source, kind, content in files:
        path = folder / f"{source}_{kind}.csv"
        path.write_text(content, encoding="utf-8")
        request = ImportRequest(path=path, source=source, kind=kind, region="TR")
        import_file(engine, settings, request)
    resolve(engine, engine_settings(settings))
    store = Store(engine, *placed(engine))
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        web = connection.execute(select(sources.c.id).where(sources.c.name == "web")).scalar()
        rows = [
            {"source_id": web, "message_id": mid, "type": kind, "event": name,
             "user_id": "u-ayse-77", "occurred_at": dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC),
             "received_at": now, "payload": {"type": kind, "userId": "u-ayse-77", **body},
             "person_record_id": store.rids["webshop:W-0001"], "stitched_at": now}
            for mid, kind, name, at, body in EVENTS
        ]  # fmt: skip
        connection.execute(insert(events), rows)
    assert store.profiles["crm:CRM-0001"] == store.profiles["webshop:W-0001"]
    assert store.profiles["crm:CRM-0002"] != store.profiles["crm:CRM-0003"]
    return store


@pytest.fixture
def store(live_server: LiveServer, server_settings: Settings, tmp_path: Path) -> Store:
    return build_store(live_server.engine, server_settings, tmp_path)


def strings(value: Any) -> list[str]:
    """Every key and text in a JSON answer."""
    if isinstance(value, dict):
        return [*value, *(s for item in value.values() for s in strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def leaks(answer: Any, values: list[str]) -> set[str]:
    texts = [text.casefold() for text in strings(answer)]
    return {value for value in values if any(value.casefold() in text for text in texts)}


def ok(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    return reply.json()


def found(client: httpx.Client, **params: Any) -> set[int]:
    return {item["id"] for item in ok(client.get("/api/v1/profiles", params=params))["items"]}


# --- search -----------------------------------------------------------------------------


#: Search parameters -> the records whose profiles they find.
SEARCHES: list[tuple[dict[str, str], list[str]]] = [
    ({"q": "yilmaz"}, ["crm:CRM-0001"]),
    ({"q": "YILMAZ"}, ["crm:CRM-0001"]),
    ({"q": "yıl"}, ["crm:CRM-0001"]),
    ({"q": "ayşe YIL"}, ["crm:CRM-0001"]),
    ({"name": "AYSE yilmaz"}, ["crm:CRM-0001"]),
    ({"name": "kaya"}, ["crm:CRM-0002", "crm:CRM-0003"]),
    ({"q": "çelik"}, ["crm:CRM-1002"]),
    ({"q": "celik"}, ["crm:CRM-1002"]),
    ({"q": "AYSE.YILMAZ@GMAIL.COM"}, ["crm:CRM-0001"]),
    ({"email": "ayse.yilmaz+shop@googlemail.com"}, ["crm:CRM-0001"]),
    ({"q": "+90 (532) 111-22-33"}, ["crm:CRM-0001"]),
    ({"phone": "0532 111 22 33", "region": "tr"}, ["crm:CRM-0001"]),
    ({"q": "0090 533 222 3344", "region": "TR"}, ["crm:CRM-0002"]),
    ({"identifier": "customer_id:crm:CRM-0004"}, ["crm:CRM-0004"]),
    ({"q": "email:AyseYilmaz@gmail.com"}, ["crm:CRM-0001"]),
    ({"q": "WebShop:W-0002"}, ["webshop:W-0002"]),
    ({"city": "istanbul"}, ["crm:CRM-0001"]),
    ({"city": "ANKARA", "name": "kaya"}, ["crm:CRM-0002", "crm:CRM-0003"]),
    ({"country": "United States"}, ["crm:CRM-0004"]),
    ({"q": "nobody"}, []),
    ({"q": "nobody@example.com"}, []),
]


def test_search_reads_names_emails_phones_and_identifiers_as_people_type_them(
    live_server: LiveServer, store: Store
) -> None:
    wrong = {}
    with live_server.client("agent") as agent:
        for params, who in SEARCHES:
            expected = {store.profiles[label] for label in who}
            if (got := found(agent, **params)) != expected:
                wrong[str(params)] = (got, expected)
    assert wrong == {}


def test_search_pages_cover_every_result_exactly_once(
    live_server: LiveServer, store: Store
) -> None:
    everyone = set(store.profiles.values())
    with live_server.client("marketer") as client:
        for params in ({}, {"country": "TR"}):
            seen: list[int] = []
            cursor = None
            while True:
                page = ok(client.get("/api/v1/profiles", params={
                    **params, "limit": 4, **({"cursor": cursor} if cursor else {})
                }))  # fmt: skip
                assert len(page["items"]) <= 4
                seen += [item["id"] for item in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert len(seen) == len(set(seen))
            expected = everyone - ({store.profiles["crm:CRM-0004"]} if params else set())
            assert set(seen) == expected and seen == sorted(seen)
        first = ok(client.get("/api/v1/profiles", params={"q": "yilmaz"}))["items"][0]
    assert first["name"] == "Ayşe Yılmaz" and first["phone"] == "+905321112233"
    assert first["record_count"] == 2 and first["country"] == "TR" and first["updated_at"]


# --- the profile ------------------------------------------------------------------------


def test_profile_view_has_lineage_identities_members_and_figures(
    live_server: LiveServer, store: Store
) -> None:
    ayse = store.profiles["crm:CRM-0001"]
    with live_server.client("agent") as agent:
        by_email = ok(agent.get("/api/v1/profiles/AYSE.yilmaz@gmail.com"))
        view = ok(agent.get(f"/api/v1/profiles/{ayse}"))
        by_record = ok(agent.get("/api/v1/profiles/webshop:W-0001"))
    assert by_email["id"] == view["id"] == by_record["id"] == ayse
    assert view["redirected_from"] is None and view["notice"] is None
    golden = {g["name"]: g for g in view["golden"]}
    assert golden["birth_date"] == {
        "name": "birth_date", "value": "1985-04-12", "source": "crm",
        "record_id": "CRM-0001", "rule": "only", "group": None,
    }  # fmt: skip
    identities = {(i["kind"], i["value"]): i["records"] for i in view["identities"]}
    assert identities[("email", "ayseyilmaz@gmail.com")] == 2
    assert identities[("customer_id", "webshop:W-0001")] == 1
    members = {m["record_id"]: m for m in view["members"]}
    assert set(members) == {"CRM-0001", "W-0001"}
    assert members["CRM-0001"]["custom"] == {"loyalty_card": "LOYAL-778899"}
    figures = view["figures"]
    assert figures["orders"] == 1 and figures["total_spent"] == {"TRY": "149.90"}
    assert figures["latest_nps"] == 9
    assert figures["last_seen"].startswith("2024-06-01")  # the latest tracked event
    assert "timeline" not in view


def test_every_profile_read_is_audited_without_personal_data(
    live_server: LiveServer, store: Store
) -> None:
    ayse = store.profiles["crm:CRM-0001"]
    with live_server.client("agent") as agent:
        ok(agent.get("/api/v1/profiles/ayse.yilmaz@gmail.com"))
        ok(agent.get(f"/api/v1/profiles/{ayse}/timeline"))
        ok(agent.get("/api/v1/profiles", params={"email": "ayse.yilmaz@gmail.com"}))
        assert agent.get("/api/v1/profiles/999999").status_code == 404
    with live_server.engine.connect() as connection:
        rows = connection.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all()
    entries = [(r["action"], r["target"]) for r in rows if r["action"].startswith("profile.")]
    assert entries == [
        ("profile.read", f"profile:{ayse}"),
        ("profile.timeline", f"profile:{ayse}"),
        ("profile.search", None),
    ]
    assert all(row["actor"].startswith("key:") for row in rows)
    assert leaks([dict(row["detail"]) for row in rows], AYSE_PERSONAL + ["gmail"]) == set()


# --- the timeline -----------------------------------------------------------------------


def test_timeline_holds_tracked_events_pages_and_filters(
    live_server: LiveServer, store: Store
) -> None:
    ayse = store.profiles["crm:CRM-0001"]
    url = f"/api/v1/profiles/{ayse}/timeline"
    with live_server.client("agent") as agent:
        whole = ok(agent.get(url, params={"limit": 200}))["items"]
        kinds = [entry["kind"] for entry in whole]
        assert kinds[:7] == [
            "consent", "event", "order", "event", "interaction", "feedback", "event"
        ]  # fmt: skip
        assert set(kinds[7:]) == {"profile"}
        track = whole[3]
        assert track["source"] == "web" and track["record_id"] == "m-2"
        assert track["details"]["type"] == "track"
        assert track["details"]["event"] == "Order Completed"
        assert track["details"]["properties"]["revenue"] == 149.9
        for order in ("asc", "desc"):
            seen, cursor = [], None
            while True:
                params: dict[str, Any] = {"limit": 3, "order": order}
                page = ok(
                    agent.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
                )
                seen += page["items"]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert seen == (whole if order == "asc" else whole[::-1])
        only = ok(agent.get(url, params=[("kind", "event"), ("kind", "order")]))["items"]
        assert [e["kind"] for e in only] == ["event", "order", "event", "event"]
        window = ok(
            agent.get(url, params={"since": "2024-03-01", "until": "2024-05-10T12:00:00+00:00"})
        )
        assert [e["kind"] for e in window["items"]] == ["order", "event", "interaction"]
    # the command line shows tracked events too
    view = get_profile(live_server.engine, str(ayse))
    assert [e.record_id for e in view.timeline if e.kind == "event"] == ["m-1", "m-2", "m-3"]


#: (path, parameters, status, a word the message holds); TIMELINE: Ayşe's timeline.
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("/api/v1/profiles/424242", {}, 404, "424242"),
    ("/api/v1/profiles/nobody@example.com", {}, 404, "nobody@example.com"),
    ("/api/v1/profiles/424242/timeline", {}, 404, "424242"),
    ("/api/v1/profiles", {"cursor": "not-a-cursor"}, 422, "cursor"),
    ("/api/v1/profiles", {"limit": 0}, 422, "limit"),
    ("/api/v1/profiles", {"limit": 201}, 422, "limit"),
    ("/api/v1/profiles", {"phone": "12"}, 422, "not a phone number"),
    ("/api/v1/profiles", {"country": "Atlantis"}, 422, "country"),
    ("/api/v1/profiles", {"identifier": "customer_id:"}, 422, "identifier"),
    ("/api/v1/profiles", {"q": "99999999999999999999999"}, 422, "too large"),
    ("TIMELINE", {"kind": "party"}, 422, "kind"),
    ("TIMELINE", {"since": "yesterday"}, 422, "since"),
    ("TIMELINE", {"since": "2024-05-01", "until": "2024-01-01"}, 422, "until"),
    ("TIMELINE", {"cursor": encode("profiles", {"after": 1})}, 422, "another list"),
]


def test_bad_requests_are_clear_4xx_answers(live_server: LiveServer, store: Store) -> None:
    timeline = f"/api/v1/profiles/{store.profiles['crm:CRM-0001']}/timeline"
    with live_server.client("agent") as agent:
        for path, params, status, needle in BAD_REQUESTS:
            reply = agent.get(timeline if path == "TIMELINE" else path, params=params)
            assert reply.status_code == status, (path, params, reply.text)
            answer = reply.json()
            assert answer["code"] in {"not_found", "invalid_request"}
            assert needle in answer["message"], (path, params, answer)


# --- masking and permissions -------------------------------------------------------------


def answers(client: httpx.Client, store: Store) -> list[Any]:
    """Everything a caller can read about Ayşe (by id and by city: no personal lookup)."""
    ayse = store.profiles["crm:CRM-0001"]
    return [
        ok(client.get("/api/v1/profiles", params={"city": "istanbul"})),
        ok(client.get("/api/v1/profiles", params={"q": str(ayse)})),
        ok(client.get(f"/api/v1/profiles/{ayse}")),
        ok(client.get(f"/api/v1/profiles/{ayse}/timeline", params={"limit": 200})),
    ]


def test_an_analyst_sees_no_personal_value_anywhere(live_server: LiveServer, store: Store) -> None:
    with live_server.client("analyst") as analyst:
        seen = answers(analyst, store)
    assert leaks(seen, AYSE_PERSONAL + ["ayse.events@example.com"]) == set()
    search, _, view, timeline = seen
    assert search["items"][0]["email"] == "•••" and search["items"][0]["city"] in {
        "İstanbul", "Istanbul",
    }  # fmt: skip
    assert {g["name"]: g["rule"] for g in view["golden"]}["first_name"]  # lineage kept
    assert view["figures"]["orders"] == 1  # aggregates need no names
    assert any(e["kind"] == "event" for e in timeline["items"])


def test_callers_with_profiles_personal_see_everything(
    live_server: LiveServer, store: Store
) -> None:
    shown = set(AYSE_PERSONAL + ["ayse.events@example.com"]) - {"u-ayse-77"}  # not shown
    for role in ("agent", "marketer", "admin"):
        with live_server.client(role) as client:
            assert leaks(answers(client, store), list(shown)) == shown, role


#: Searches that look a person up by what identifies them.
PERSONAL_SEARCHES = [
    {"q": "ayse.yilmaz@gmail.com"}, {"q": "yilmaz"}, {"phone": "+905321112233"},
    {"name": "kaya"}, {"identifier": "customer_id:crm:CRM-0001"}, {"q": "crm:CRM-0001"},
]  # fmt: skip


def test_without_profiles_personal_looking_a_person_up_is_refused(
    live_server: LiveServer, store: Store
) -> None:
    with live_server.client("analyst") as analyst:
        refused = [analyst.get("/api/v1/profiles", params=p) for p in PERSONAL_SEARCHES]
        refused.append(analyst.get("/api/v1/profiles/ayse.yilmaz@gmail.com"))
        refused.append(analyst.get("/api/v1/profiles/crm:CRM-0001"))
    for reply in refused:
        assert reply.status_code == 403, reply.request.url
        answer = reply.json()
        assert answer["code"] == "forbidden" and answer["permission"] == "profiles.personal"
        assert "profiles.personal" in answer["message"] and "profile id" in answer["message"]
    with live_server.engine.connect() as connection:
        assert connection.execute(select(audit_log.c.action)).scalars().all() == []


def test_anonymous_callers_get_401_and_callers_without_profiles_read_403(
    live_server: LiveServer,
) -> None:
    paths = ["/api/v1/profiles", "/api/v1/profiles/1", "/api/v1/profiles/1/timeline"]
    quality = create_api_key(live_server.engine, "quality only", ["quality.read"], "test").token
    with live_server.client(None) as anonymous, httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {quality}"}
    ) as other:  # fmt: skip
        for path in paths:
            reply = anonymous.get(path)
            assert reply.status_code == 401 and reply.json()["code"] == "unauthorized"
            reply = other.get(path)
            assert reply.status_code == 403, path
            assert reply.json()["permission"] == "profiles.read"


def test_openapi_describes_every_parameter(live_server: LiveServer) -> None:
    with live_server.client(None) as client:
        schema = ok(client.get("/openapi.json"))
    search = schema["paths"]["/api/v1/profiles"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "email", "phone", "name", "identifier", "city", "country", "limit",
            "cursor"} <= names  # fmt: skip
    assert all(p.get("description") for p in search["parameters"])
    timeline = schema["paths"]["/api/v1/profiles/{profile_id}/timeline"]["get"]
    assert {p["name"] for p in timeline["parameters"]} >= {"kind", "since", "until", "cursor"}
    for path in ("/api/v1/profiles", "/api/v1/profiles/{ref}"):
        assert schema["paths"][path]["get"]["summary"]
