"""``kimlik profiles show`` and ``kimlik export`` end to end, on both backends.

Each test builds a small store through the real CLI: people from a CRM and a webshop (Ayşe
twice, her emails differing in case and Gmail dots; a couple sharing a family email), an
order with two lines, a support ticket, a survey answer and a consent; then ``kimlik
resolve``.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner, Result

from kimlik.cli.app import app
from kimlik.profiles.rules import PERSON_ATTRIBUTES
from kimlik.store.tables import profile_members, profiles

runner = CliRunner()
#: Wide enough that Rich never wraps a table cell in the text view.
WIDE = {"COLUMNS": "220"}

FILES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (content, source, extra import options)
    "crm_people.csv": (
        "id,first_name,last_name,email,phone,birth_date,city,country\n"
        "C1,Ayşe,Yılmaz,ayse.yilmaz@gmail.com,+90 532 111 22 33,1985-04-12,İstanbul,TR\n"
        "C2,Ahmet,Kaya,kaya.ailesi@example.com,+90 533 222 33 44,1970-01-05,Ankara,TR\n"
        "C3,Leyla,Kaya,kaya.ailesi@example.com,+90 533 999 88 77,1975-06-30,Ankara,TR\n",
        "crm",
        (),
    ),
    "webshop_people.csv": (
        "customer_id,First Name,Last Name,Email,Phone,City,Country\n"
        "W1,Ayse,Yilmaz,AyseYilmaz@Gmail.com,0532 111 22 33,Izmir,TR\n",
        "webshop",
        ("--region", "TR"),
    ),
    "webshop_orders.csv": (
        "order_id,customer_id,ordered_at,total,currency,status,channel\n"
        "O-1,W1,2024-03-01T10:00:00Z,149.90,TRY,delivered,web\n",
        "webshop",
        ("--kind", "orders"),
    ),
    "webshop_items.csv": (
        "order_id,sku,product_name,quantity,unit_price\n"
        "O-1,SKU-1,Kettle,2,50.00\n"
        "O-1,SKU-2,Mug,1,49.90\n",
        "webshop",
        ("--kind", "order_items"),
    ),
    "support_tickets.csv": (
        "interaction_id,email,channel,occurred_at,department,agent,reason,outcome\n"
        "T-1,ayse.yilmaz@gmail.com,phone,2024-04-02T09:30:00Z,Delivery,Zeynep,Late parcel,Resolved\n",
        "support",
        ("--kind", "interactions"),
    ),
    "survey.csv": (
        "response_id,email,survey,question,score,comment,answered_at\n"
        "R-1,AYSE.YILMAZ@gmail.com,NPS 2024,How likely are you to recommend us?,9,Fast delivery,2024-05-10T12:00:00Z\n",
        "survey",
        ("--kind", "feedback"),
    ),
    "consents.csv": (
        "email,purpose,channel,status,recorded_at\n"
        "ayse.yilmaz@gmail.com,newsletter,email,granted,2023-12-01T08:00:00Z\n",
        "newsletter",
        ("--kind", "consents"),
    ),
}


def kimlik(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, ["--database", database_url, *args], env=env)


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> str:
    """The small two-source store above, imported and resolved; returns its URL."""
    assert kimlik(database_url, "init").exit_code == 0
    for name, (content, source, options) in FILES.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = kimlik(database_url, "import", str(path), "--source", source, *options)
        assert result.exit_code == 0, result.output
    resolved = kimlik(database_url, "resolve")
    assert resolved.exit_code == 0, resolved.output
    return database_url


def show_json(url: str, ref: str) -> dict[str, Any]:
    result = kimlik(url, "profiles", "show", ref, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_show_by_id_prints_the_single_customer_view(store: str) -> None:
    ayse = show_json(store, "crm:C1")["id"]
    result = kimlik(store, "profiles", "show", str(ayse), env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"profile {ayse} · Ayşe Yılmaz" in out
    assert "golden record" in out and "crm/C1 (" in out  # lineage: source/record_id (rule)
    assert "email ayseyilmaz@gmail.com (×2)" in out  # identities line
    assert "crm/C1" in out and "webshop/W1" in out  # members side by side
    assert "city ≠" in out and "İstanbul" in out and "Izmir" in out  # disagreement marked
    assert "orders 1" in out and "149.90 TRY" in out and "latest NPS 9" in out
    assert "3 item(s)" in out and "Late parcel" in out and '"Fast delivery"' in out
    assert "newsletter · email · granted" in out
    assert "Traceback" not in out


def test_show_json_has_lineage_members_timeline_and_figures(store: str) -> None:
    view = show_json(store, "crm:C1")
    golden = {g["name"]: g for g in view["golden"]}
    assert golden["first_name"]["value"] == "Ayşe"
    assert golden["birth_date"] == {
        "name": "birth_date",
        "value": "1985-04-12",
        "source": "crm",
        "record_id": "C1",
        "rule": "only",
        "group": None,
    }
    assert {(m["source"], m["record_id"]) for m in view["members"]} == {
        ("crm", "C1"),
        ("webshop", "W1"),
    }
    for member in view["members"]:
        assert list(member["attributes"]) == list(PERSON_ATTRIBUTES)
    assert "city" in view["differing"] and "email" not in view["differing"]  # one mailbox
    identities = {(i["kind"], i["value"]): i["records"] for i in view["identities"]}
    assert identities[("email", "ayseyilmaz@gmail.com")] == 2
    assert identities[("phone", "+905321112233")] == 2
    kinds = [entry["kind"] for entry in view["timeline"]]
    assert kinds == ["consent", "order", "interaction", "feedback", "profile"]  # oldest first
    order = view["timeline"][1]
    assert order["record_id"] == "O-1" and order["details"]["items"] == 3
    assert order["details"]["total"] == "149.90" and order["details"]["currency"] == "TRY"
    ticket = view["timeline"][2]["details"]
    assert (ticket["channel"], ticket["department"], ticket["agent"]) == (
        "phone",
        "Delivery",
        "Zeynep",
    )
    assert view["timeline"][-1]["details"]["action"] == "create"
    figures = view["figures"]
    assert figures["orders"] == 1 and figures["total_spent"] == {"TRY": "149.90"}
    assert figures["latest_nps"] == 9 and figures["latest_nps_survey"] == "NPS 2024"
    assert figures["first_seen"].startswith("2023-12-01")
    assert figures["last_seen"].startswith("2024-05-10")


#: Ways people type Ayşe's reference; every one must find her one profile.
AYSE_REFERENCES = [
    "AYSE.YILMAZ@GMAIL.COM",  # case
    "a.y.s.e.yilmaz@gmail.com",  # Gmail ignores dots
    "ayseyilmaz+shop@googlemail.com",  # +tag, googlemail
    " ayse.yilmaz@gmail.com ",  # stray spaces
    "+90 532 111 22 33",
    "+905321112233",
    "crm:C1",
    "CRM:C1",  # source names are lower-case slugs
    "webshop:W1",
]
#: References that match nothing, and what the one-line error says.
UNKNOWN_REFERENCES = [
    ("nobody@example.com", "no profile matches 'nobody@example.com' (email"),
    ("crm:C404", "no profile matches 'crm:C404' (record 'C404' of source 'crm')"),
    ("+90 555 000 11 22", "no profile matches '+90 555 000 11 22' (phone +905550001122)"),
    ("999999", "no profile matches '999999' (profile id 999999)"),
    ("hello", "not an id, email, phone"),
]


def test_show_finds_the_profile_by_id_email_phone_or_record(store: str) -> None:
    ayse = show_json(store, "crm:C1")["id"]
    assert show_json(store, str(ayse))["id"] == ayse
    found = {ref: show_json(store, ref)["id"] for ref in AYSE_REFERENCES}
    assert found == dict.fromkeys(AYSE_REFERENCES, ayse)


def test_unknown_reference_exits_1_with_one_line(store: str) -> None:
    for ref, message in UNKNOWN_REFERENCES:
        result = kimlik(store, "profiles", "show", ref)
        assert result.exit_code == 1, ref
        assert message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stdout == ""


def test_shared_family_email_is_ambiguous_and_lists_candidates(store: str) -> None:
    ahmet = show_json(store, "crm:C2")["id"]
    leyla = show_json(store, "crm:C3")["id"]
    assert ahmet != leyla  # a household is two people
    result = kimlik(store, "profiles", "show", "kaya.ailesi@example.com")
    assert result.exit_code == 1
    assert "matches 2 profiles" in result.stderr
    assert f"{ahmet} (Ahmet Kaya)" in result.stderr and f"{leyla} (Leyla Kaya)" in result.stderr


def test_merged_profile_id_leads_to_the_active_profile(store: str, tmp_path: Path) -> None:
    """Deniz is two profiles until a support record bridges them; resolve merges them."""
    people = "id,first_name,last_name,email,phone\n"
    first = [
        ("deniz_crm.csv", "crm", "D1,Deniz,Aksoy,deniz@aksoy.com.tr,+905551112233"),
        ("deniz_shop.csv", "webshop", "D2,Deniz,,dd@example.org,+905559998877"),
    ]
    for name, source, row in first:
        (tmp_path / name).write_text(people + row + "\n", encoding="utf-8")
        assert kimlik(store, "import", str(tmp_path / name), "--source", source).exit_code == 0
    assert kimlik(store, "resolve").exit_code == 0
    kept, absorbed = show_json(store, "crm:D1")["id"], show_json(store, "webshop:D2")["id"]
    assert kept < absorbed, "two profiles before the bridging record"

    bridge = tmp_path / "deniz_support.csv"
    bridge.write_text(people + "D3,Deniz,Aksoy,deniz@aksoy.com.tr,+905559998877\n", "utf-8")
    assert kimlik(store, "import", str(bridge), "--source", "support").exit_code == 0
    assert kimlik(store, "resolve").exit_code == 0

    view = show_json(store, str(absorbed))
    assert view["id"] == kept and view["redirected_from"] == absorbed
    assert len(view["members"]) == 3
    merges = [e["details"] for e in view["timeline"] if e["details"].get("action") == "merge"]
    assert merges == [
        {
            "action": "merge",
            "profile_id": kept,
            "other_profile_id": absorbed,
            "records": 3,
            "actor": "resolve",
        }
    ]
    # the absorbed profile's identities still name it: the lookup must not call that ambiguous
    assert show_json(store, "dd@example.org")["id"] == kept
    text = kimlik(store, "profiles", "show", str(absorbed), env=WIDE)
    assert f"profile {absorbed} was merged into profile {kept}" in text.output
    assert f"merge: profile {absorbed} into {kept}" in text.output


def _active_profiles(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(profiles.c.status == "active")
        return int(connection.execute(query).scalar_one())


def test_export_profiles_csv_and_jsonl(store: str, engine: Engine, tmp_path: Path) -> None:
    active = _active_profiles(engine)
    assert active == 3  # Ayşe (two records), Ahmet, Leyla
    ayse = show_json(store, "crm:C1")["id"]
    header = ["profile_id", *PERSON_ATTRIBUTES]

    result = kimlik(store, "export", "profiles", "--output", str(tmp_path / "profiles.csv"))
    assert result.exit_code == 0, result.output
    assert f"wrote {active} profiles" in result.output
    with (tmp_path / "profiles.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == header and len(rows) == active + 1
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_id[str(ayse)]["first_name"] == "Ayşe"
    assert by_id[str(ayse)]["birth_date"] == "1985-04-12"
    assert by_id[str(ayse)]["company"] == ""

    result = kimlik(store, "export", "profiles", "--output", str(tmp_path / "profiles.jsonl"))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "profiles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == active and all(list(r) == header for r in records)
    assert {r["profile_id"] for r in records} == {int(k) for k in by_id}

    result = kimlik(store, "export", "profiles", "-o", str(tmp_path / "profiles.csv.gz"))
    assert result.exit_code == 0, result.output
    with gzip.open(tmp_path / "profiles.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == rows


def test_export_members(store: str, engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as connection:
        members = int(
            connection.execute(select(func.count()).select_from(profile_members)).scalar_one()
        )
    assert members == 4  # every person record has a profile
    ayse = show_json(store, "crm:C1")["id"]

    result = kimlik(store, "export", "members", "--output", str(tmp_path / "members.csv"))
    assert result.exit_code == 0, result.output
    assert f"wrote {members} member records" in result.output
    with (tmp_path / "members.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["profile_id", "source", "record_id"] and len(rows) == members + 1
    assert {(r[1], r[2]) for r in rows[1:] if r[0] == str(ayse)} == {
        ("crm", "C1"),
        ("webshop", "W1"),
    }

    result = kimlik(store, "export", "members", "--output", str(tmp_path / "members.jsonl"))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "members.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == members
    assert json.loads(lines[0]).keys() == {"profile_id", "source", "record_id"}


@pytest.mark.parametrize("name", ["profiles.xlsx", "profiles.json", "profiles"])
def test_export_refuses_an_unknown_extension(database_url: str, tmp_path: Path, name: str) -> None:
    result = kimlik(database_url, "export", "profiles", "--output", str(tmp_path / name))
    assert result.exit_code != 0
    suffix = Path(name).suffix
    assert (f"'{suffix}'" if suffix else "no extension") in result.stderr
    assert ".csv or .jsonl" in result.stderr
    assert not (tmp_path / name).exists()
    assert "Traceback" not in result.output


def test_export_on_an_empty_store_writes_only_the_header(database_url: str, tmp_path: Path) -> None:
    result = kimlik(database_url, "export", "profiles", "--output", str(tmp_path / "p.csv"))
    assert result.exit_code == 0, result.output
    assert "wrote 0 profiles" in result.output
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines() == [
        ",".join(["profile_id", *PERSON_ATTRIBUTES])
    ]


def test_golden_timestamps_are_aware_utc_on_every_database(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    """SQLite hands back naive datetimes; the view and the exports still say UTC, also for
    a profile stored before timestamps were normalized (naive ISO text in its JSON)."""
    people = tmp_path / "people.csv"
    people.write_text(
        "id,first_name,last_name,email,signed_up_at\n"
        "S1,Deniz,Aksoy,deniz@aksoy.com.tr,2021-06-05T14:30:00+03:00\n",
        encoding="utf-8",
    )
    assert kimlik(database_url, "init").exit_code == 0
    assert kimlik(database_url, "import", str(people), "--source", "crm").exit_code == 0
    assert kimlik(database_url, "resolve").exit_code == 0
    expected = "2021-06-05T11:30:00+00:00"

    def exported() -> tuple[str, str]:
        csv_path, jsonl_path = tmp_path / "p.csv", tmp_path / "p.jsonl"
        assert kimlik(database_url, "export", "profiles", "-o", str(csv_path)).exit_code == 0
        assert kimlik(database_url, "export", "profiles", "-o", str(jsonl_path)).exit_code == 0
        with csv_path.open(encoding="utf-8", newline="") as handle:
            (row,) = csv.DictReader(handle)
        (line,) = jsonl_path.read_text(encoding="utf-8").splitlines()
        return row["signed_up_at"], json.loads(line)["signed_up_at"]

    view = show_json(database_url, "crm:S1")
    golden = {g["name"]: g["value"] for g in view["golden"]}
    assert golden["signed_up_at"] == expected
    assert view["members"][0]["attributes"]["signed_up_at"] == expected
    assert view["figures"]["first_seen"] == expected
    assert exported() == (expected, expected)

    with engine.begin() as connection:
        (profile_id, attributes) = connection.execute(
            select(profiles.c.id, profiles.c.attributes)
        ).one()
        stale = {**attributes, "signed_up_at": "2021-06-05T11:30:00"}
        connection.execute(
            profiles.update().where(profiles.c.id == profile_id).values(attributes=stale)
        )
    golden = {g["name"]: g["value"] for g in show_json(database_url, "crm:S1")["golden"]}
    assert golden["signed_up_at"] == expected
    assert exported() == (expected, expected)
