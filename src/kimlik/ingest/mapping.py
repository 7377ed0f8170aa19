"""Mapping files (YAML or JSON) and the column plan they produce for one file's header.

A mapping is validated completely before anything is written: unknown keys, unknown
attributes and bad regions are a ``MappingError`` naming the key at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kimlik.errors import MappingError
from kimlik.ingest.kinds import KindSpec
from kimlik.standardize.countries import standardize_country
from kimlik.standardize.headers import canonical_header
from kimlik.standardize.result import DateOrder
from kimlik.standardize.text import fold_key


class Mapping(BaseModel):
    """The mapping-file contract (GUIDE §4); every key optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str | None = None
    id_column: str | None = None
    region: str | None = Field(default=None, description="Default phone region, ISO alpha-2.")
    date_order: DateOrder | None = None
    encoding: str = "utf-8-sig"
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    #: header -> attribute; ``None`` (``null``) keeps a column that would be detected as
    #: an attribute as a custom attribute instead
    columns: dict[str, str | None] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    required: list[str] = Field(default_factory=list)

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str | None) -> str | None:
        if region is None:
            return None
        code = standardize_country(region).value
        if code is None:
            raise ValueError(f"unknown region {region!r}; use an ISO country code such as TR")
        return code

    def merged(self, **overrides: Any) -> Mapping:
        """This mapping with command-line options (those not None) taking precedence."""
        given = {key: value for key, value in overrides.items() if value is not None}
        try:
            return Mapping.model_validate({**self.model_dump(), **given})
        except ValidationError as exc:
            raise MappingError(_describe(exc, "option")) from exc


def load_mapping(path: Path | None) -> Mapping:
    """Read and validate a mapping file; no path gives the empty mapping."""
    if path is None:
        return Mapping()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"mapping file {path} is not UTF-8 text") from exc
    try:
        data = orjson.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        raise MappingError(
            f"mapping file {path} is not valid {path.suffix or 'YAML'}: {exc}"
        ) from exc
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise MappingError(
            f"mapping file {path} must hold a mapping of keys, not {type(data).__name__}"
        )
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        raise MappingError(f"mapping file {path}: {_describe(exc, 'key')}") from exc


def _describe(exc: ValidationError, noun: str) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(step) for step in error["loc"]) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{noun} {where!r}: {message}")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """For each column of a file, the attribute it feeds (None: kept as a custom attribute)."""

    headers: tuple[str, ...]
    attributes: tuple[str | None, ...]
    #: True when the kind's single id attribute has no column: ids are content hashes.
    content_ids: bool

    # Derived once per plan for the row cleaner, whose per-row loop is the import's hot path.
    #: (header, attribute) for every column, in file order
    pairs: tuple[tuple[str, str | None], ...] = field(init=False, repr=False, compare=False)
    #: (header, attribute) for the mapped columns only, in file order
    mapped_pairs: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    #: headers kept as custom attributes, in file order
    custom_headers: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: attribute -> its column, when no attribute is fed by two columns (else None)
    single_columns: dict[str, str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pairs = tuple(zip(self.headers, self.attributes, strict=True))
        mapped = tuple((h, a) for h, a in pairs if a is not None)
        columns = {a: h for h, a in mapped}
        object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "mapped_pairs", mapped)
        object.__setattr__(self, "custom_headers", tuple(h for h, a in pairs if a is None))
        object.__setattr__(self, "single_columns", columns if len(columns) == len(mapped) else None)

    def mapped(self) -> dict[str, str]:
        """Header -> attribute for every recognized column, for display and the run record."""
        return {h: a for h, a in zip(self.headers, self.attributes, strict=True) if a}


def plan_columns(headers: Sequence[str], kind: KindSpec, mapping: Mapping) -> ColumnPlan:
    """Decide what each header means: mapping first, then --id-column, then auto-detection."""
    _check_mapping_targets(kind, mapping)
    explicit = {fold_key(header): target for header, target in mapping.columns.items()}
    id_attribute = kind.id_attributes[0]
    id_key = fold_key(mapping.id_column) if mapping.id_column else None
    if id_key is not None and id_key not in {fold_key(h) for h in headers}:
        raise MappingError(
            f"id column {mapping.id_column!r} is not in the file; its columns are: "
            + ", ".join(headers)
        )
    attributes: list[str | None] = []
    for header in headers:
        key = fold_key(header)
        if id_key is not None and key == id_key:
            attributes.append(id_attribute)
        elif key in explicit:
            attributes.append(explicit[key])
        else:
            attributes.append(canonical_header(header, kind.name))
    if id_key is not None:
        # An explicit id column wins: any other column auto-detected as the id becomes custom.
        attributes = [
            None if a == id_attribute and fold_key(h) != id_key else a
            for h, a in zip(headers, attributes, strict=True)
        ]
    single_id = len(kind.id_attributes) == 1
    content_ids = single_id and id_attribute not in attributes
    return ColumnPlan(tuple(headers), tuple(attributes), content_ids)


def _check_mapping_targets(kind: KindSpec, mapping: Mapping) -> None:
    known = kind.attributes
    for header, target in mapping.columns.items():
        if target is not None and target not in known:
            raise MappingError(
                f"column {header!r} maps to unknown {kind.name} attribute {target!r}; "
                f"known: {', '.join(sorted(known))}"
            )
    for name in (*mapping.values, *mapping.required):
        if name not in known:
            raise MappingError(f"unknown {kind.name} attribute {name!r} in mapping")
