"""Cases for survivorship: each strategy, ties, groups, lineage, and order independence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kimlik.profiles.rules import PERSON_ATTRIBUTES, SurvivorshipRules, default_rules
from kimlik.profiles.survivorship import (
    GoldenValue,
    Member,
    build_golden,
    golden_record,
    lineage_json,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SOURCES = {"crm": 10, "webshop": 20, "support": 30}


def m(key: int, source: str = "crm", *, updated: int = 0, seen: int = 0, **values: Any) -> Member:
    """A member record; ``updated`` and ``seen`` are days after T0."""
    return Member(
        record_key=key,
        source=source,
        record_id=f"{source}-{key}",
        first_seen_at=T0 + dt.timedelta(days=seen),
        updated_at=T0 + dt.timedelta(days=updated),
        values=values,
    )


def rules_for(attribute: str, strategies: list[str]) -> SurvivorshipRules:
    return SurvivorshipRules.model_validate(
        {"sources": SOURCES, "attributes": {attribute: strategies}}
    )


# (id, attribute, strategies, members, expected value, expected record key, expected rule)
CASES: list[tuple[str, str, list[str], list[Member], Any, int, str]] = [
    ("one record holds it", "email", ["most_recent"], [m(1, email="a@x.com"), m(2)], "a@x.com", 1, "only"),
    ("records agree", "email", ["most_recent"], [m(1, email="a@x.com"), m(2, updated=3, email="a@x.com")], "a@x.com", 2, "agreed"),
    ("agree up to case and spaces", "city", ["most_recent"], [m(1, updated=2, city="New  York"), m(2, city="new york")], "New  York", 1, "agreed"),
    ("None is missing", "email", ["most_trusted"], [m(1, email=None), m(2, "support", email="b@x.com")], "b@x.com", 2, "only"),
    ("blank text is missing", "email", ["most_trusted"], [m(1, email=" \t "), m(2, "support", email="b@x.com")], "b@x.com", 2, "only"),
    ("most_trusted: crm over webshop", "email", ["most_trusted"], [m(1, "webshop", email="w@x.com"), m(2, "crm", email="c@x.com")], "c@x.com", 2, "most_trusted"),
    ("most_trusted: listed source over unknown", "email", ["most_trusted"], [m(1, "legacy", email="l@x.com"), m(2, "support", email="s@x.com")], "s@x.com", 2, "most_trusted"),
    ("most_trusted: two unknown sources tie", "email", ["most_trusted"], [m(3, "legacy", email="l@x.com"), m(2, "erp", email="e@x.com")], "e@x.com", 2, "lowest_record_key"),
    ("most_recent: newest update", "phone", ["most_recent"], [m(1, updated=5, phone="+901"), m(2, updated=1, phone="+902")], "+901", 1, "most_recent"),
    ("most_recent breaks a trust tie", "phone", ["most_trusted", "most_recent"], [m(1, updated=1, phone="+901"), m(2, updated=4, phone="+902"), m(3, "support", updated=9, phone="+903")], "+902", 2, "most_recent"),
    ("most_trusted decides before most_recent", "phone", ["most_trusted", "most_recent"], [m(1, "support", updated=9, phone="+901"), m(2, "crm", phone="+902")], "+902", 2, "most_trusted"),
    ("most_frequent: folded majority", "first_name", ["most_frequent"], [m(1, first_name="Joan"), m(2, first_name="Jane"), m(3, first_name="JANE")], "Jane", 2, "most_frequent"),
    ("most_frequent: later rule picks the spelling", "first_name", ["most_frequent", "most_recent"], [m(1, first_name="Joan"), m(2, first_name="Jane"), m(3, updated=2, first_name="JANE")], "JANE", 3, "most_frequent"),
    ("most_frequent: no majority falls through", "first_name", ["most_frequent", "most_recent"], [m(1, first_name="Joan"), m(2, updated=2, first_name="Jane")], "Jane", 2, "most_recent"),
    ("most_frequent: dates", "birth_date", ["most_frequent"], [m(1, birth_date=dt.date(1990, 1, 2)), m(2, birth_date=dt.date(1990, 2, 1)), m(3, birth_date=dt.date(1990, 2, 1))], dt.date(1990, 2, 1), 2, "most_frequent"),
    ("most_complete: longest text", "company", ["most_complete"], [m(1, company="Acme"), m(2, company="Acme Corporation")], "Acme Corporation", 2, "most_complete"),
    ("most_complete: initial loses to full name", "first_name", ["most_trusted", "most_complete"], [m(1, first_name="J."), m(2, first_name="John")], "John", 2, "most_complete"),
    ("first_seen: earliest record", "gender", ["first_seen"], [m(1, seen=5, gender="female"), m(2, seen=1, gender="male")], "male", 2, "first_seen"),
    ("earliest: first sign-up anywhere", "signed_up_at", ["earliest"], [m(1, signed_up_at=T0 + dt.timedelta(days=30)), m(2, signed_up_at=T0)], T0, 2, "earliest"),
    ("earliest: birth date", "birth_date", ["earliest"], [m(1, birth_date=dt.date(1991, 1, 1)), m(2, birth_date=dt.date(1990, 1, 1))], dt.date(1990, 1, 1), 2, "earliest"),
    ("latest: largest income", "annual_income", ["latest"], [m(1, annual_income=Decimal("90000")), m(2, annual_income=Decimal("120000.50"))], Decimal("120000.50"), 2, "latest"),
    ("earliest: same value, lowest key cited", "signed_up_at", ["earliest"], [m(7, signed_up_at=T0), m(4, signed_up_at=T0), m(5, signed_up_at=T0 + dt.timedelta(days=1))], T0, 4, "earliest"),
    ("tie after every rule: lowest record key", "job_title", ["most_trusted", "most_recent"], [m(9, job_title="CTO"), m(4, job_title="CEO")], "CEO", 4, "lowest_record_key"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attribute", "strategies", "members", "value", "record_key", "rule"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_strategies(
    attribute: str,
    strategies: list[str],
    members: list[Member],
    value: Any,
    record_key: int,
    rule: str,
) -> None:
    golden = build_golden(members, rules_for(attribute, strategies))
    chosen = golden[attribute]
    assert (chosen.value, chosen.record_key, chosen.rule) == (value, record_key, rule)
    assert chosen.group is None


def test_attribute_nobody_holds_is_absent() -> None:
    golden = build_golden([m(1, email="a@x.com", phone=None, city=" ")], default_rules())
    assert list(golden) == ["email"]
    assert build_golden([], default_rules()) == {}


def test_non_canonical_values_are_ignored() -> None:
    golden = build_golden([m(1, email="a@x.com", loyalty_tier="gold")], default_rules())
    assert golden_record(golden) == {"email": "a@x.com"}


ADDRESS_RULES = SurvivorshipRules.model_validate(
    {
        "sources": SOURCES,
        "groups": {
            "address": {
                "attributes": ["street", "postal_code", "city", "country"],
                "rules": ["most_recent", "most_complete"],
            }
        },
    }
)
FULL = {"street": "Bağdat Cd. 1", "city": "İstanbul", "postal_code": "34710", "country": "TR"}

# (id, members, expected address, expected record key, expected rule)
GROUPS: list[tuple[str, list[Member], dict[str, str], int, str]] = [
    ("newest record wins whole", [m(1, updated=1, **FULL), m(2, updated=5, street="Atatürk Blv. 5", city="Ankara", country="TR")], {"street": "Atatürk Blv. 5", "city": "Ankara", "country": "TR"}, 2, "most_recent"),
    ("not mixed: no postal code borrowed", [m(1, updated=1, **FULL), m(2, updated=5, street="Atatürk Blv. 5", city="Ankara")], {"street": "Atatürk Blv. 5", "city": "Ankara"}, 2, "most_recent"),
    ("a newer country-only record keeps the full address", [m(1, updated=1, **FULL), m(2, updated=5, country="DE")], FULL, 1, "most_precise"),
    ("a newer city-only record keeps the full address", [m(1, updated=1, **FULL), m(2, updated=5, city="Ankara")], FULL, 1, "most_precise"),
    ("the rule picks among records with a street", [m(1, updated=1, **FULL), m(2, updated=9, country="TR"), m(3, updated=5, street="Atatürk Blv. 5", city="Ankara")], {"street": "Atatürk Blv. 5", "city": "Ankara"}, 3, "most_recent"),
    ("without a street, a postal code outranks a city", [m(1, updated=1, postal_code="34710", country="TR"), m(2, updated=5, city="Ankara", country="TR")], {"postal_code": "34710", "country": "TR"}, 1, "most_precise"),
    ("most complete breaks a recency tie", [m(1, city="Ankara"), m(2, city="İstanbul", country="TR")], {"city": "İstanbul", "country": "TR"}, 2, "most_complete"),
    ("a street outranks more fields", [m(1, city="Ankara", postal_code="06100", country="TR"), m(2, updated=2, street="Atatürk Blv. 5")], {"street": "Atatürk Blv. 5"}, 2, "most_precise"),
    ("same fields, longer text wins", [m(1, **{**FULL, "street": "Bağdat 1"}), m(2, **FULL)], FULL, 2, "most_complete"),
    ("records agree on the address", [m(1, **FULL), m(2, updated=3, **FULL)], FULL, 2, "agreed"),
    ("one record has an address", [m(1, email="a@x.com"), m(2, **FULL)], FULL, 2, "only"),
    ("records without address fields are not candidates", [m(1, updated=9, email="a@x.com", street=""), m(2, **FULL)], FULL, 2, "only"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("members", "address", "record_key", "rule"),
    [c[1:] for c in GROUPS],
    ids=[c[0] for c in GROUPS],
)
def test_groups_survive_from_one_record(
    members: list[Member], address: dict[str, str], record_key: int, rule: str
) -> None:
    golden = build_golden(members, ADDRESS_RULES)
    grouped = {a: g for a, g in golden.items() if a in FULL}
    assert {a: g.value for a, g in grouped.items()} == address
    assert {(g.record_key, g.rule, g.group) for g in grouped.values()} == {
        (record_key, rule, "address")
    }


def test_default_rules_keep_the_street_over_a_newer_country_only_record() -> None:
    members = [m(1, "crm", updated=1, **FULL), m(2, "web", updated=30, country="DE")]
    golden = build_golden(members, default_rules())
    assert {a: golden[a].value for a in FULL} == FULL
    assert {golden[a].rule for a in FULL} == {"most_precise"}


def test_golden_record_and_lineage_json() -> None:
    members = [
        m(11, "crm", updated=1, first_name="Ayşe", birth_date=dt.date(1990, 5, 17), **FULL),
        m(12, "webshop", updated=4, first_name="Ayse", email="ayse@example.com",
          annual_income=Decimal("85000.00"), signed_up_at=T0),
    ]  # fmt: skip
    golden = build_golden(members, default_rules())
    assert golden_record(golden) == {
        "first_name": "Ayşe",
        "email": "ayse@example.com",
        "birth_date": dt.date(1990, 5, 17),
        **FULL,
        "annual_income": Decimal("85000.00"),
        "signed_up_at": T0,
    }
    lineage = lineage_json(golden)
    assert list(lineage) == [a for a in PERSON_ATTRIBUTES if a in golden]
    assert lineage["first_name"] == {
        "value": "Ayşe",
        "record_key": 11,
        "source": "crm",
        "record_id": "crm-11",
        "rule": "most_trusted",
    }
    assert lineage["birth_date"]["value"] == "1990-05-17"
    assert lineage["annual_income"]["value"] == "85000.00"
    assert lineage["signed_up_at"]["value"] == "2024-01-01T00:00:00+00:00"
    assert lineage["city"] == {
        "value": "İstanbul",
        "record_key": 11,
        "source": "crm",
        "record_id": "crm-11",
        "rule": "only",
        "group": "address",
    }
    assert orjson.loads(orjson.dumps(lineage)) == lineage


# --- order independence -------------------------------------------------------------------

ALL_STRATEGIES = SurvivorshipRules.model_validate(
    {
        "sources": SOURCES,
        "default": ["most_frequent", "most_complete"],
        "attributes": {
            "email": ["most_recent", "most_trusted"],
            "phone": ["first_seen"],
            "first_name": ["most_trusted", "most_frequent", "most_complete"],
            "birth_date": ["earliest"],
            "signed_up_at": ["latest", "most_trusted"],
        },
        "groups": {"address": {"attributes": ["street", "city"], "rules": ["most_frequent"]}},
    }
)
TEXT = st.sampled_from([None, "", " ", "Jane", "JANE", "jane ", "Joan", "J.", "a@x.com"])
DAYS = st.integers(min_value=0, max_value=3)


@st.composite
def member_lists(draw: st.DrawFn) -> list[Member]:
    keys = draw(st.lists(st.integers(1, 50), min_size=0, max_size=7, unique=True))
    members = []
    for key in keys:
        values: dict[str, Any] = {
            a: draw(TEXT) for a in ("first_name", "email", "phone", "street", "city", "company")
        }
        values["birth_date"] = draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(1990, 1, 3)))
        values["signed_up_at"] = draw(st.none() | DAYS.map(lambda d: T0 + dt.timedelta(days=d)))
        source = draw(st.sampled_from(["crm", "webshop", "support", "legacy", "erp"]))
        members.append(m(key, source, updated=draw(DAYS), seen=draw(DAYS), **values))
    return members


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data(), members=member_lists())
def test_member_order_does_not_matter(data: st.DataObject, members: list[Member]) -> None:
    shuffled = data.draw(st.permutations(members))
    for rules in (ALL_STRATEGIES, default_rules()):
        golden = build_golden(members, rules)
        assert build_golden(shuffled, rules) == golden
        assert_lineage_is_true(golden, members)


def assert_lineage_is_true(golden: dict[str, GoldenValue], members: list[Member]) -> None:
    """Every golden value is the cited record's own value; a group cites one record."""
    by_key = {member.record_key: member for member in members}
    for attribute, chosen in golden.items():
        assert by_key[chosen.record_key].values[attribute] == chosen.value
        assert str(chosen.value).strip()
    assert len({golden[a].record_key for a in ("street", "city") if a in golden}) <= 1


def test_one_record_profile_takes_every_value_it_holds() -> None:
    """The one-record shortcut gives what the rules give: each value, rule ``only``."""
    alone = m(7, "webshop", first_name="Ayşe", street="Gül Sk. 4", city="İzmir", country="TR")
    golden = build_golden([alone], default_rules())
    assert {a: g.value for a, g in golden.items()} == {
        "first_name": "Ayşe",
        "street": "Gül Sk. 4",
        "city": "İzmir",
        "country": "TR",
    }
    assert {g.rule for g in golden.values()} == {"only"}
    groups = {a: g.group for a, g in golden.items()}
    assert groups["first_name"] is None and groups["street"] == groups["country"] is not None
    # Same as the general path: two copies of the record agree on every value.
    twice = build_golden([alone, m(8, "webshop", **alone.values)], default_rules())
    assert {a: g.value for a, g in twice.items()} == {a: g.value for a, g in golden.items()}
