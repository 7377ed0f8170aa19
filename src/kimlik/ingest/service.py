"""``import_file``: one file in, every row accounted for, nothing half-written.

Transactions: the run is recorded as ``running`` and committed first (so a crash leaves
a trace); all records, rejections and the link-up pass then commit together with the
run's final counts. Any failure rolls that back and marks the run ``failed``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from kimlik.config import Settings
from kimlik.errors import IngestError, KimlikError, StoreError
from kimlik.ingest import repository
from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.kinds import kind_spec
from kimlik.ingest.mapping import Mapping, load_mapping
from kimlik.ingest.pool import prepared_batches
from kimlik.ingest.prepare import BatchPreparer, RunSpec
from kimlik.ingest.readers import RecordFile
from kimlik.ingest.rows import PreparedBatch, Reason
from kimlik.ingest.workers import choose_workers
from kimlik.sources.repository import check_source_name, get_or_create_source
from kimlik.store.deferred_indexes import DeferredIndexes
from kimlik.store.migrate import require_current

#: Rejections kept in memory for the on-screen summary; all are stored in the database.
SHOWN_REJECTIONS = 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What the user asked for; command-line options override the mapping file."""

    path: Path
    source: str
    kind: str | None = None
    mapping_path: Path | None = None
    id_column: str | None = None
    region: str | None = None
    encoding: str | None = None


@dataclass(slots=True)
class Rejection:
    """One rejected row, for display."""

    line: int
    reasons: list[Reason]


@dataclass(slots=True)
class ImportResult:
    """Counts and findings of one import run."""

    run_id: int
    source: str
    kind: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    unlinked: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rejection_codes: Counter[str] = field(default_factory=Counter)
    field_issues: Counter[str] = field(default_factory=Counter)
    mapped_columns: dict[str, str] = field(default_factory=dict)
    custom_columns: list[str] = field(default_factory=list)
    content_ids: bool = False

    @property
    def accounted(self) -> bool:
        """Every row read is new, updated, unchanged or rejected."""
        return self.read == self.new + self.updated + self.unchanged + self.rejected


def resolve_mapping(request: ImportRequest) -> Mapping:
    """The mapping file merged with command-line options, validated."""
    mapping = load_mapping(request.mapping_path)
    return mapping.merged(
        kind=request.kind,
        id_column=request.id_column,
        region=request.region,
        encoding=request.encoding,
    )


def import_file(
    engine: Engine, settings: Settings, request: ImportRequest, progress: Progress | None = None
) -> ImportResult:
    """Import one CSV / JSON Lines file; whole-file failures raise IngestError / StoreError."""
    source_name = check_source_name(request.source)
    mapping = resolve_mapping(request)
    kind = kind_spec(mapping.kind or "people")
    mapping = mapping.merged(kind=kind.name)
    now = dt.datetime.now(dt.UTC)
    identifiers = tuple(settings.resolve_identifiers)
    cleaner = RowCleaner(kind, mapping, now.date(), identifiers)
    with RecordFile(request.path, encoding=mapping.encoding, delimiter=mapping.delimiter) as file:
        if file.headers:
            plan = cleaner.plan(file.headers)  # validates the mapping against the header
        require_current(engine)
        with engine.begin() as connection:
            source_id = get_or_create_source(connection, source_name, now)
            run_id = repository.start_run(
                connection,
                source_id=source_id,
                kind=kind.name,
                file_name=request.path.name,
                file_bytes=file.total_bytes,
                mapping=mapping.model_dump(mode="json"),
                now=now,
            )
        result = ImportResult(run_id=run_id, source=source_name, kind=kind.name)
        if file.headers:
            result.mapped_columns = plan.mapped()
            result.custom_columns = [
                h for h, a in zip(plan.headers, plan.attributes, strict=True) if a is None
            ]
            result.content_ids = plan.content_ids
        workers = choose_workers(
            settings.import_workers, file.total_bytes, settings.parallel_threshold_bytes
        )
        spec = RunSpec(
            kind=kind.name,
            mapping=mapping,
            decoder=file.decoder,
            driver=engine.url.drivername,
            source_id=source_id,
            run_id=run_id,
            now=now,
            identifiers=identifiers,
        )
        try:
            with engine.begin() as connection:
                preparer = BatchPreparer(spec, connection.dialect)
                writer = repository.RecordWriter(
                    connection, preparer.layout, preparer.encoder, source_id, now
                )
                batches = prepared_batches(
                    file.frame_batches(settings.import_batch_size), preparer, workers
                )
                deferred = DeferredIndexes(connection, preparer.layout.table)
                for batch in batches:
                    _store_batch(writer, batch, result, run_id)
                    deferred.consider(file.estimated_rows())
                    if progress is not None:
                        progress(file.bytes_read, file.total_bytes)
                deferred.after_load()
                repository.link_records(connection)
                result.unlinked = repository.count_unlinked(connection, kind.name, source_id)
                repository.finish_run(
                    connection,
                    run_id,
                    status="completed",
                    finished_at=dt.datetime.now(dt.UTC),
                    rows_read=result.read,
                    rows_new=result.new,
                    rows_updated=result.updated,
                    rows_unchanged=result.unchanged,
                    rows_rejected=result.rejected,
                    rows_unlinked=result.unlinked,
                    field_issues=dict(result.field_issues),
                )
        except BaseException as exc:
            _mark_failed(engine, run_id, exc)
            if isinstance(exc, SQLAlchemyError):
                raise StoreError(
                    f"import failed while writing: {exc.__class__.__name__}: {exc}"
                ) from exc
            raise
    return result


def _store_batch(
    writer: repository.RecordWriter, batch: PreparedBatch, result: ImportResult, run_id: int
) -> None:
    result.read += batch.read
    counts = writer.write(batch.records)
    result.new += counts.new
    result.updated += counts.updated
    result.unchanged += counts.unchanged
    result.rejected += len(batch.rejected)
    result.field_issues.update(batch.issue_codes)
    for refused in batch.rejected:
        result.rejection_codes.update(reason["code"] for reason in refused.reasons)
        if len(result.rejections) < SHOWN_REJECTIONS:
            result.rejections.append(Rejection(refused.line, refused.reasons))
    repository.store_rejections(
        writer.connection,
        batch.rejected,
        run_id=run_id,
        source_id=writer.source_id,
        kind=result.kind,
    )


def _mark_failed(engine: Engine, run_id: int, exc: BaseException) -> None:
    message = str(exc) if isinstance(exc, KimlikError) else exc.__class__.__name__
    try:
        with engine.begin() as connection:
            repository.finish_run(
                connection,
                run_id,
                status="failed",
                error=message[:2000],
                finished_at=dt.datetime.now(dt.UTC),
            )
    except SQLAlchemyError:
        pass  # the original error is the one worth reporting


__all__ = ["ImportRequest", "ImportResult", "IngestError", "import_file"]
