"""Cases for the survivorship rules document: validation names the key, JSON round-trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from kimlik.errors import ConfigurationError
from kimlik.ingest.kinds import PEOPLE
from kimlik.profiles.rules import (
    PERSON_ATTRIBUTES,
    Strategy,
    SurvivorshipRules,
    default_rules,
    load_rules,
)

ADDRESS = {"attributes": ["street", "city"], "rules": ["most_recent"]}

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("unknown top-level key", {"atributes": {}}, "atributes: unknown key"),
    ("unknown strategy", {"attributes": {"email": ["newest"]}}, "attributes.email: unknown strategy 'newest'"),
    ("unknown strategy in default", {"default": ["most_trusted", "trust"]}, "default: unknown strategy 'trust'"),
    ("unknown strategy in group", {"groups": {"address": {**ADDRESS, "rules": ["nearest"]}}}, "groups.address.rules: unknown strategy 'nearest'"),
    ("strategy not a string", {"attributes": {"email": [3]}}, "attributes.email.0:"),
    ("empty strategy list", {"attributes": {"email": []}}, "attributes.email: needs at least one strategy"),
    ("repeated strategy", {"attributes": {"phone": ["most_recent", "most_recent"]}}, "attributes.phone: strategy 'most_recent' is listed twice"),
    ("unknown attribute", {"attributes": {"full_name": ["most_recent"]}}, "attributes.full_name: unknown attribute"),
    ("unknown attribute in group", {"groups": {"address": {**ADDRESS, "attributes": ["street", "town"]}}}, "groups.address.attributes: unknown attribute 'town'"),
    ("attribute twice in a group", {"groups": {"address": {**ADDRESS, "attributes": ["city", "city"]}}}, "groups.address.attributes: an attribute is listed twice"),
    ("empty group", {"groups": {"address": {**ADDRESS, "attributes": []}}}, "groups.address.attributes: a group needs at least one attribute"),
    ("unknown key in group", {"groups": {"address": {**ADDRESS, "rule": ["most_recent"]}}}, "groups.address.rule: unknown key"),
    ("group without rules", {"groups": {"address": {"attributes": ["city"]}}}, "groups.address.rules: Field required"),
    ("grouped and listed directly", {"attributes": {"street": ["most_recent"]}, "groups": {"address": ADDRESS}}, "attributes.street: also in group 'address'"),
    ("attribute in two groups", {"groups": {"address": ADDRESS, "home": {"attributes": ["city"], "rules": ["most_trusted"]}}}, "groups.home.attributes: 'city' is already in group 'address'"),
    ("earliest on text attribute", {"attributes": {"email": ["earliest"]}}, "attributes.email: 'earliest' only fits ordered attributes"),
    ("latest in default", {"default": ["latest"]}, "default: 'latest' only fits ordered attributes"),
    ("earliest picking a group", {"groups": {"address": {**ADDRESS, "rules": ["earliest"]}}}, "groups.address.rules: 'earliest' compares single values"),
    ("source ranked after unknown ones", {"sources": {"crm": 10, "legacy": 100}}, "sources.legacy: rank 100 must be below unknown_source_rank (100)"),
    ("rank not a number", {"sources": {"crm": "high"}}, "sources.crm: Input should be a valid integer"),
    ("unsupported version", {"version": 2}, "version: Input should be 1"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])  # fmt: skip
def test_invalid_rules_name_the_key(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match="survivorship rules") as caught:
        SurvivorshipRules.from_json(orjson.dumps(document))
    assert message in str(caught.value)


VALID: list[tuple[str, dict[str, Any], str, tuple[Strategy, ...]]] = [
    ("listed attribute", {"attributes": {"email": ["most_recent"]}}, "email", (Strategy.MOST_RECENT,)),
    ("single strategy without brackets", {"attributes": {"signed_up_at": "earliest"}}, "signed_up_at", (Strategy.EARLIEST,)),
    ("unlisted attribute takes the default", {"default": ["first_seen"]}, "gender", (Strategy.FIRST_SEEN,)),
    ("grouped attribute takes the group's rules", {"groups": {"address": ADDRESS}}, "city", (Strategy.MOST_RECENT,)),
    ("latest on an ordered attribute", {"attributes": {"annual_income": ["latest"]}}, "annual_income", (Strategy.LATEST,)),
    ("empty document: built-in default", {}, "email", (Strategy.MOST_TRUSTED, Strategy.MOST_RECENT)),
]  # fmt: skip


@pytest.mark.parametrize(("document", "attribute", "expected"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])  # fmt: skip
def test_strategies_for(
    document: dict[str, Any], attribute: str, expected: tuple[Strategy, ...]
) -> None:
    assert SurvivorshipRules.model_validate(document).strategies_for(attribute) == expected


RANKS = [
    ("listed source", "crm", 10),
    ("another listed source", "support", 30),
    ("unknown source ranks after every listed one", "legacy_erp", 100),
]


@pytest.mark.parametrize(("source", "rank"), [c[1:] for c in RANKS], ids=[c[0] for c in RANKS])
def test_rank(source: str, rank: int) -> None:
    rules = SurvivorshipRules(sources={"crm": 10, "webshop": 20, "support": 30})
    assert rules.rank(source) == rank


def test_unknown_source_rank_can_be_moved() -> None:
    rules = SurvivorshipRules.model_validate({"sources": {"crm": 500}, "unknown_source_rank": 1000})
    assert rules.rank("crm") == 500
    assert rules.rank("other") == 1000


YAML_RULES = """\
version: 1
sources: {crm: 10, webshop: 20}
default: [most_trusted, most_recent]
attributes:
  email: [most_recent, most_trusted]
  signed_up_at: earliest
groups:
  address: {attributes: [street, city, postal_code, country], rules: [most_recent, most_complete]}
"""


def test_load_yaml_and_json_files_agree(write) -> None:  # type: ignore[no-untyped-def]
    from_yaml = load_rules(write("rules.yaml", YAML_RULES))
    from_json = load_rules(write("rules.json", from_yaml.to_json()))
    assert from_yaml == from_json
    assert from_yaml.group_of("postal_code") == "address"
    assert from_yaml.strategies_for("signed_up_at") == (Strategy.EARLIEST,)


BAD_FILES = [
    ("not valid YAML", "rules.yaml", "attributes: [email\n", "rules.yaml is not valid YAML"),
    ("not valid JSON", "rules.json", "{'version': 1}", "rules.json is not valid JSON"),
    ("a list, not a mapping", "rules.yml", "- most_recent\n", "must hold a mapping of keys, not list"),
    ("empty file", "rules.yaml", "", "rules.yaml is empty"),
    ("invalid key names file and key", "rules.yaml", "attributes: {email: [newest]}\n", "rules.yaml: attributes.email: unknown strategy 'newest'"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])  # fmt: skip
def test_bad_files(write, name: str, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError) as caught:
        load_rules(write(name, content))
    assert message in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "rules.yaml"
    with pytest.raises(
        ConfigurationError, match="cannot read survivorship rules file .*rules.yaml"
    ):
        load_rules(path)


def test_not_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"default: [most_trusted] # \xff\xfe\n")
    with pytest.raises(ConfigurationError, match="is not UTF-8"):
        load_rules(path)


def test_from_json_rejects_broken_json() -> None:
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        SurvivorshipRules.from_json("{")


def test_json_round_trip_is_exact() -> None:
    rules = SurvivorshipRules.model_validate(yaml.safe_load(YAML_RULES))
    text = rules.to_json()
    assert SurvivorshipRules.from_json(text) == rules
    assert SurvivorshipRules.from_json(text).to_json() == text
    assert orjson.loads(text)["attributes"]["signed_up_at"] == ["earliest"]


def test_default_rules_round_trip() -> None:
    rules = default_rules()
    assert SurvivorshipRules.from_json(rules.to_json()) == rules


def test_default_rules_cover_every_canonical_attribute() -> None:
    rules = default_rules()
    for attribute in PERSON_ATTRIBUTES:
        assert rules.strategies_for(attribute), attribute
    named = set(rules.attributes) | {a for g in rules.groups.values() for a in g.attributes}
    assert named <= set(PERSON_ATTRIBUTES)


def test_default_rules_choices() -> None:
    rules = default_rules()
    assert set(rules.sources) >= {"crm", "webshop", "pos", "support", "newsletter", "web"}
    assert rules.strategies_for("email")[0] is Strategy.MOST_RECENT
    assert rules.strategies_for("signed_up_at") == (Strategy.EARLIEST,)
    assert rules.group_of("street") == rules.group_of("postal_code") == "address"


def test_person_attributes_match_the_people_kind() -> None:
    assert set(PERSON_ATTRIBUTES) == {spec.name for spec in PEOPLE.fields}
