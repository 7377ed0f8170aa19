"""``import_file`` and ``import_rows``: rows in, every row accounted for, nothing half-written.

A file and records given as dicts (the API's batch upsert) take one path, ``_import``:
the same cleaner, layout, encoder, writer, rejection store and link-up pass.

Transactions: the run is recorded as ``running`` and committed first (so a crash leaves
a trace); all records, rejections and the link-up pass then commit together with the
run's final counts. Any failure rolls that back and marks the run ``failed``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from kimlik.config import Settings
from kimlik.errors import IngestError, KimlikError, MappingError, StoreError
from kimlik.ingest import repository
from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.failures import write_failure
from kimlik.ingest.kinds import KindSpec, kind_spec
from kimlik.ingest.mapping import Mapping, load_mapping
from kimlik.ingest.pool import prepared_batches
from kimlik.ingest.prepare import BatchPreparer, RunSpec
from kimlik.ingest.readers import Batch, RecordFile, RowDecoder
from kimlik.ingest.rows import PreparedBatch, Reason
from kimlik.ingest.rows_input import RowsInput, check_mapping
from kimlik.ingest.workers import choose_workers
from kimlik.sources.repository import check_source_name, get_or_create_source
from kimlik.store.deferred_indexes import DeferredIndexes
from kimlik.store.migrate import require_current

#: Rejections kept in memory for the on-screen summary; all are stored in the database.
SHOWN_REJECTIONS = 20
Progress = Callable[[int, int], None]
#: Called with the run's result so far: once the run is recorded, then after each batch
#: (the web UI's progress page reads the run id and the counts from it).
Watch = Callable[["ImportResult"], None]


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


class _Input(Protocol):
    """What an import reads from: a ``RecordFile``, or records in memory (``RowsInput``)."""

    @property
    def headers(self) -> tuple[str, ...]: ...

    @property
    def total_bytes(self) -> int: ...

    @property
    def bytes_read(self) -> int: ...

    @property
    def decoder(self) -> RowDecoder: ...

    def frame_batches(self, size: int) -> Iterator[Batch]: ...

    def estimated_rows(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Run:
    """One import run's fixed inputs, whichever way its rows arrive."""

    source: str
    kind: KindSpec
    mapping: Mapping
    file_name: str
    file_bytes: int | None
    workers: int
    #: rejections kept for the caller (all are stored); None keeps every one
    shown: int | None = SHOWN_REJECTIONS


def import_file(
    engine: Engine,
    settings: Settings,
    request: ImportRequest,
    progress: Progress | None = None,
    watch: Watch | None = None,
) -> ImportResult:
    """Import one CSV / JSON Lines file; whole-file failures raise IngestError / StoreError."""
    source_name = check_source_name(request.source)
    mapping = resolve_mapping(request)
    kind = kind_spec(mapping.kind or "people")
    mapping = mapping.merged(kind=kind.name)
    with RecordFile(request.path, encoding=mapping.encoding, delimiter=mapping.delimiter) as file:
        workers = choose_workers(
            settings.import_workers, file.total_bytes, settings.parallel_threshold_bytes
        )
        run = _Run(source_name, kind, mapping, request.path.name, file.total_bytes, workers)
        return _import(engine, settings, run, file, progress, watch)


def import_rows(
    engine: Engine,
    settings: Settings,
    *,
    source: str,
    kind: str,
    rows: Sequence[MappingOf[str, Any]],
    mapping: Mapping | None = None,
    label: str = "api",
) -> ImportResult:
    """Import records given as dicts (column -> value, like a file's rows) as one run.

    The same pipeline as ``import_file``, in-process: records are framed as JSON Lines
    lines (``rows_input``), so nested values are kept whole as custom attributes, and
    sending the same records again counts them ``unchanged``. ``label`` is the run's file
    name; rejections are reported, every one, by 1-based position in ``rows``. A mapping
    whose ``kind`` contradicts ``kind`` is a ``MappingError``.
    """
    source_name = check_source_name(source)
    given = mapping or Mapping()
    spec = kind_spec(kind)
    if given.kind is not None and kind_spec(given.kind).name != spec.name:
        raise MappingError(f"the mapping's kind {given.kind!r} contradicts kind {kind!r}")
    given = given.merged(kind=spec.name)
    check_mapping(spec, given)
    records = RowsInput(rows, name=label, id_column=given.id_column)
    run = _Run(source_name, spec, given, label, None, workers=0, shown=None)
    return _import(engine, settings, run, records)


def _import(
    engine: Engine,
    settings: Settings,
    run: _Run,
    source: _Input,
    progress: Progress | None = None,
    watch: Watch | None = None,
) -> ImportResult:
    """The one import path: record the run, then clean, write, link and count in one go."""
    kind, mapping = run.kind, run.mapping
    now = dt.datetime.now(dt.UTC)
    identifiers = tuple(settings.resolve_identifiers)
    cleaner = RowCleaner(kind, mapping, now.date(), identifiers)
    if source.headers:
        plan = cleaner.plan(source.headers)  # validates the mapping against the header
    require_current(engine)
    source_id, run_id = _start(engine, run, now)
    result = ImportResult(run_id=run_id, source=run.source, kind=kind.name)
    if source.headers:
        result.mapped_columns = plan.mapped()
        result.custom_columns = [
            h for h, a in zip(plan.headers, plan.attributes, strict=True) if a is None
        ]
        result.content_ids = plan.content_ids
    if watch is not None:
        watch(result)
    spec = RunSpec(
        kind=kind.name,
        mapping=mapping,
        decoder=source.decoder,
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
                source.frame_batches(settings.import_batch_size), preparer, run.workers
            )
            deferred = DeferredIndexes(connection, preparer.layout.table)
            for batch in batches:
                _store_batch(writer, batch, result, run_id, run.shown)
                deferred.consider(source.estimated_rows())
                if progress is not None:
                    progress(source.bytes_read, source.total_bytes)
                if watch is not None:
                    watch(result)
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
        translated = write_failure(engine, exc)
        if translated is not None:
            raise translated from exc
        raise
    return result


def _start(engine: Engine, run: _Run, now: dt.datetime) -> tuple[int, int]:
    """Record the run as ``running`` (committed, so a crash leaves a trace).

    Tried twice: two first imports into one new source at once (two API requests) race to
    create it, and the loser finds it on the second try.
    """
    for attempt in (1, 2):
        try:
            with engine.begin() as connection:
                source_id = get_or_create_source(connection, run.source, now)
                run_id = repository.start_run(
                    connection,
                    source_id=source_id,
                    kind=run.kind.name,
                    file_name=run.file_name,
                    file_bytes=run.file_bytes,
                    mapping=run.mapping.model_dump(mode="json"),
                    now=now,
                )
            return source_id, run_id
        except IntegrityError as exc:
            if attempt == 2:
                raise StoreError(f"could not record an import into source {run.source!r}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the import run: {exc.__class__.__name__}") from exc
    raise AssertionError("unreachable")


def _store_batch(
    writer: repository.RecordWriter,
    batch: PreparedBatch,
    result: ImportResult,
    run_id: int,
    shown: int | None,
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
        if shown is None or len(result.rejections) < shown:
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


__all__ = ["ImportRequest", "ImportResult", "IngestError", "import_file", "import_rows"]
