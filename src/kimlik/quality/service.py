"""Building the data-quality report from the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from sqlalchemy import Engine

from kimlik.ingest.kinds import KINDS
from kimlik.quality import repository
from kimlik.store.migrate import require_current
from kimlik.store.tables import RECORD_TABLES

SHARED_EXAMPLES = 10


@dataclass(frozen=True, slots=True)
class AttributeQuality:
    """How one attribute of one kind looks in one source."""

    attribute: str
    present: int
    invalid: int
    changed: int
    completeness: float  # present / records
    validity: float  # present / (present + invalid): of the values given, the share usable


@dataclass(slots=True)
class KindQuality:
    """One record kind within one source."""

    kind: str
    records: int
    attributes: list[AttributeQuality]
    rejected: dict[str, int] = field(default_factory=dict)  # newest run: reason code -> rows


@dataclass(slots=True)
class CollectedEvents:
    """What SDKs sent a source through the collection endpoint."""

    events: int = 0
    #: attached to a person record; the rest are anonymous visitors or shared devices
    on_a_person: int = 0
    #: not looked at by the stitcher yet: a growing number means it cannot keep up
    pending: int = 0
    last_received_at: dt.datetime | None = None
    refused: dict[str, int] = field(default_factory=dict)  # reason code -> messages


@dataclass(slots=True)
class SourceQuality:
    """Everything the report says about one source."""

    source: str
    last_import_at: dt.datetime | None
    kinds: list[KindQuality] = field(default_factory=list)
    collected: CollectedEvents | None = None


@dataclass(frozen=True, slots=True)
class SharedIdentifier:
    """An email or phone that several person records carry."""

    value: str
    records: int
    sources: int


@dataclass(frozen=True, slots=True)
class SharedIdentifiers:
    """Identifiers shared by more than one person record: the duplicates resolution merges."""

    identifier: str
    shared: int
    records: int
    top: list[SharedIdentifier]


@dataclass(slots=True)
class QualityReport:
    """The whole report."""

    generated_at: dt.datetime
    sources: list[SourceQuality]
    shared: list[SharedIdentifiers]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (datetimes as ISO strings)."""
        return cast(dict[str, Any], _isoformat(asdict(self)))


def _isoformat(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _isoformat(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_isoformat(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def build_report(engine: Engine, now: dt.datetime | None = None) -> QualityReport:
    """Compute the report; every figure is an aggregate query over the current records."""
    require_current(engine)
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as connection:
        names = repository.source_names(connection)
        last = repository.last_imports(connection)
        latest_runs = repository.latest_completed_runs(connection)
        rejections = repository.rejections_by_reason(connection, list(latest_runs.values()))
        per_source = {
            sid: SourceQuality(name, last.get(sid))
            for sid, name in sorted(names.items(), key=lambda i: i[1])
        }
        for kind_name, spec in KINDS.items():
            attributes = [(f.name, f.target) for f in spec.fields]
            counts = repository.attribute_counts(connection, RECORD_TABLES[kind_name], attributes)
            for source_id, row in counts.items():
                records = row["records"]
                per_source[source_id].kinds.append(
                    KindQuality(
                        kind=kind_name,
                        records=records,
                        attributes=[
                            AttributeQuality(
                                attribute=name,
                                present=row[f"present:{name}"],
                                invalid=row[f"invalid:{name}"],
                                changed=row[f"changed:{name}"],
                                completeness=_ratio(row[f"present:{name}"], records),
                                validity=_ratio(
                                    row[f"present:{name}"],
                                    row[f"present:{name}"] + row[f"invalid:{name}"],
                                ),
                            )
                            for name, _ in attributes
                        ],
                    )
                )
        for source_id, kind_name, code, rows in rejections:
            quality = per_source[source_id]
            kind = next((k for k in quality.kinds if k.kind == kind_name), None)
            if kind is None:
                kind = KindQuality(kind_name, 0, [])
                quality.kinds.append(kind)
            kind.rejected[code] = rows
        for source_id, figures in repository.collected_events(connection).items():
            per_source[source_id].collected = CollectedEvents(**figures)
        for source_id, code, messages in repository.refused_events(connection):
            quality = per_source[source_id]
            quality.collected = quality.collected or CollectedEvents()
            quality.collected.refused[code] = messages
        shared = []
        for label, column in (("email", "email_key"), ("phone", "phone")):
            count, records, top = repository.shared_identifiers(connection, column, SHARED_EXAMPLES)
            shared.append(
                SharedIdentifiers(label, count, records, [SharedIdentifier(*t) for t in top])
            )
    return QualityReport(generated_at=now, sources=list(per_source.values()), shared=shared)
