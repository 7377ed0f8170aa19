"""Survivorship rules: which source record's value becomes a profile's golden value.

Rules are data (GUIDE §2.6): a YAML or JSON document, validated completely on load and
stored as JSON with every resolve run that used them, so a golden value can always be
explained by the rules of its run. Every error names the key at fault.
See ``docs/survivorship.md`` for the format and the reasoning behind the defaults.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

from kimlik.errors import ConfigurationError

#: The canonical person attributes (GUIDE §4), in the order golden records list them.
PERSON_ATTRIBUTES: tuple[str, ...] = (
    "first_name", "last_name", "email", "phone", "birth_date", "street", "city", "region",
    "postal_code", "country", "company", "job_title", "industry", "gender", "marital_status",
    "education", "annual_income", "signed_up_at",
)  # fmt: skip
#: Attributes whose values have a meaningful order, so ``earliest`` / ``latest`` apply.
ORDERED_ATTRIBUTES = frozenset({"birth_date", "signed_up_at", "annual_income"})


class Strategy(StrEnum):
    """One way to prefer some candidates over others; a rule is a list tried in order."""

    MOST_TRUSTED = "most_trusted"  # source with the lowest trust rank
    MOST_RECENT = "most_recent"  # record updated last
    MOST_FREQUENT = "most_frequent"  # value held by most records (case/space folded)
    MOST_COMPLETE = "most_complete"  # most non-empty fields, then the longest text
    FIRST_SEEN = "first_seen"  # record first seen earliest
    EARLIEST = "earliest"  # smallest value itself (ordered attributes only)
    LATEST = "latest"  # largest value itself (ordered attributes only)


#: Strategies that compare the values themselves: they need one ordered attribute.
VALUE_STRATEGIES = frozenset({Strategy.EARLIEST, Strategy.LATEST})
_NAMES = frozenset(s.value for s in Strategy)


def _strategy_list(value: Any) -> Any:
    """Accept a single name for a one-strategy rule; reject unknown, repeated or none."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return value  # pydantic reports the wrong type
    if not value:
        raise ValueError("needs at least one strategy")
    for name in value:
        if isinstance(name, str) and name not in _NAMES:
            raise ValueError(f"unknown strategy {name!r}; known: {', '.join(Strategy)}")
    repeated = sorted({str(n) for n in value if value.count(n) > 1})
    if repeated:
        raise ValueError(f"strategy {repeated[0]!r} is listed twice")
    return value


Strategies = Annotated[tuple[Strategy, ...], BeforeValidator(_strategy_list)]


class Group(BaseModel):
    """Attributes that survive together, all taken from one record (an address)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attributes: tuple[str, ...]
    rules: Strategies

    @field_validator("attributes")
    @classmethod
    def _known_attributes(cls, attributes: tuple[str, ...]) -> tuple[str, ...]:
        if not attributes:
            raise ValueError("a group needs at least one attribute")
        if unknown := [a for a in attributes if a not in PERSON_ATTRIBUTES]:
            raise ValueError(f"unknown attribute {unknown[0]!r}; {_known_hint()}")
        if len(set(attributes)) != len(attributes):
            raise ValueError("an attribute is listed twice")
        return attributes

    @field_validator("rules")
    @classmethod
    def _record_rules(cls, rules: tuple[Strategy, ...]) -> tuple[Strategy, ...]:
        if value_rules := VALUE_STRATEGIES.intersection(rules):
            raise ValueError(f"'{min(value_rules)}' compares single values and cannot pick a group")
        return rules


class SurvivorshipRules(BaseModel):
    """The whole rules document; see ``docs/survivorship.md``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    #: source name -> trust rank; lower is more trusted
    sources: dict[str, int] = {}
    #: rank of any source not listed; must stay above every listed rank
    unknown_source_rank: int = 100
    #: rule for attributes neither listed in ``attributes`` nor in a group
    default: Strategies = (Strategy.MOST_TRUSTED, Strategy.MOST_RECENT)
    attributes: dict[str, Strategies] = {}
    groups: dict[str, Group] = {}

    @model_validator(mode="after")
    def _check(self) -> SurvivorshipRules:
        for source, rank in self.sources.items():
            if rank >= self.unknown_source_rank:
                raise ValueError(
                    f"sources.{source}: rank {rank} must be below unknown_source_rank "
                    f"({self.unknown_source_rank}) so unknown sources rank after listed ones"
                )
        if value_rules := VALUE_STRATEGIES.intersection(self.default):
            raise ValueError(
                f"default: '{min(value_rules)}' only fits ordered attributes "
                f"({', '.join(sorted(ORDERED_ATTRIBUTES))}), not every attribute"
            )
        for attribute, rules in self.attributes.items():
            if attribute not in PERSON_ATTRIBUTES:
                raise ValueError(f"attributes.{attribute}: unknown attribute; {_known_hint()}")
            value_rules = VALUE_STRATEGIES.intersection(rules)
            if value_rules and attribute not in ORDERED_ATTRIBUTES:
                raise ValueError(
                    f"attributes.{attribute}: '{min(value_rules)}' only fits ordered "
                    f"attributes ({', '.join(sorted(ORDERED_ATTRIBUTES))})"
                )
        owner: dict[str, str] = {}
        for name, group in self.groups.items():
            for attribute in group.attributes:
                if attribute in self.attributes:
                    raise ValueError(
                        f"attributes.{attribute}: also in group {name!r}; "
                        "a grouped attribute takes the group's rules"
                    )
                if attribute in owner:
                    raise ValueError(
                        f"groups.{name}.attributes: {attribute!r} is already in group "
                        f"{owner[attribute]!r}"
                    )
                owner[attribute] = name
        return self

    def rank(self, source: str) -> int:
        """Trust rank of ``source``; unknown sources rank after every listed one."""
        return self.sources.get(source, self.unknown_source_rank)

    def group_of(self, attribute: str) -> str | None:
        """Name of the group ``attribute`` survives with, if any."""
        return self.group_names.get(attribute)

    def strategies_for(self, attribute: str) -> tuple[Strategy, ...]:
        """The rule that picks ``attribute``: its group's, its own, or the default."""
        group = self.group_of(attribute)
        if group is not None:
            return self.groups[group].rules
        return self.attributes.get(attribute, self.default)

    # Worked out once per rules document: survivorship asks for every profile it builds.
    @cached_property
    def group_names(self) -> dict[str, str]:
        """attribute -> the group it survives with, for the attributes in a group."""
        return {a: name for name, group in self.groups.items() for a in group.attributes}

    @cached_property
    def decided_alone(self) -> tuple[tuple[str, tuple[Strategy, ...]], ...]:
        """The attributes in no group, in canonical order, each with its strategies."""
        return tuple(
            (a, self.strategies_for(a)) for a in PERSON_ATTRIBUTES if a not in self.group_names
        )

    def to_json(self) -> str:
        """The rules as JSON, stored with each resolve run; ``from_json`` reads it back."""
        return orjson.dumps(self.model_dump(mode="json")).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> SurvivorshipRules:
        """Rules from their JSON form (a stored run's rules, an API body)."""
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ConfigurationError(f"survivorship rules are not valid JSON: {exc}") from exc
        return _validate(data, "survivorship rules")


def load_rules(path: Path) -> SurvivorshipRules:
    """Read and validate a rules file: JSON for ``.json``, YAML for anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read survivorship rules file {path}: {exc.strerror}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"survivorship rules file {path} is not UTF-8 text") from exc
    try:
        data = orjson.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ConfigurationError(
            f"survivorship rules file {path} is not valid {kind}: {exc}"
        ) from exc
    return _validate(data, f"survivorship rules file {path}")


def default_rules() -> SurvivorshipRules:
    """The rules shipped with Kimlik (``profiles/default_rules.yaml``)."""
    text = resources.files("kimlik.profiles").joinpath("default_rules.yaml").read_text("utf-8")
    return _validate(yaml.safe_load(text), "default survivorship rules")


def _validate(data: Any, where: str) -> SurvivorshipRules:
    if data is None:
        raise ConfigurationError(f"{where} is empty")
    if not isinstance(data, dict):
        raise ConfigurationError(f"{where} must hold a mapping of keys, not {type(data).__name__}")
    try:
        return SurvivorshipRules.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"{where}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    """One line per error, each starting with the dotted key at fault."""
    parts = []
    for error in exc.errors():
        key = ".".join(str(step) for step in error["loc"])
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "value_error":
            message = str(error["ctx"]["error"])
        else:
            message = error["msg"]
        # Cross-field checks have no location: their message starts with the key.
        parts.append(f"{key}: {message}" if key else message)
    return "; ".join(parts)


def _known_hint() -> str:
    return f"known: {', '.join(PERSON_ATTRIBUTES)}"
