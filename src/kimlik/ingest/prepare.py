"""From read frames to insert-ready rows: the import's unit of work, run in workers.

Decoding, cleaning, laying out and encoding all happen here, in a worker process for
large files, so the parent only reads frames and hands finished rows to the driver.
The same code runs in-process for small files, so both paths store the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.engine import Dialect

from kimlik.ingest.cleaner import RowCleaner
from kimlik.ingest.kinds import kind_spec
from kimlik.ingest.layout import CONSTANT_MOMENTS, RecordLayout
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.readers import Batch, RowDecoder
from kimlik.ingest.rows import CleanRow, PreparedBatch, RejectedRow
from kimlik.store.bulk import RowEncoder
from kimlik.store.engine import open_engine


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What a worker needs to prepare the rows of one import run; small and picklable."""

    kind: str
    mapping: Mapping
    decoder: RowDecoder
    #: the store's driver ("sqlite", "postgresql+psycopg"), for its bind processors only:
    #: workers never connect, so they get no host or credentials
    driver: str
    source_id: int
    run_id: int
    now: dt.datetime
    #: custom attributes that identify a person on their own (``KIMLIK_RESOLVE_IDENTIFIERS``)
    identifiers: tuple[str, ...] = ()


class BatchPreparer:
    """Decodes, cleans and encodes batches of one run, in file order."""

    def __init__(self, spec: RunSpec, dialect: Dialect | None = None) -> None:
        self.spec = spec
        self.cleaner = RowCleaner(
            kind_spec(spec.kind), spec.mapping, spec.now.date(), spec.identifiers
        )
        self.layout = RecordLayout.for_kind(spec.kind)
        if dialect is None:
            dialect = open_engine(f"{spec.driver}://").dialect
        self.encoder = RowEncoder(dialect, self.layout.table, self.layout.columns)
        self._moment = self.encoder.value(CONSTANT_MOMENTS[0], spec.now)

    def prepare(self, batch: Batch) -> PreparedBatch:
        """One batch as read, ready for the writer."""
        spec = self.spec
        layout_row = self.layout.row
        records = []
        rejected: list[RejectedRow] = []
        issue_codes: Counter[str] = Counter()
        rows = self.spec.decoder.decode(batch)
        for outcome in self.cleaner.clean_batch(rows):
            if isinstance(outcome, CleanRow):
                records.append(layout_row(outcome, spec.source_id, spec.run_id, self._moment))
                if outcome.issues:
                    issue_codes.update(issue["code"] for issue in outcome.issues)
            else:
                rejected.append(outcome)
        self.encoder.encode(records, skip=CONSTANT_MOMENTS)
        return PreparedBatch(len(rows), records, rejected, dict(issue_codes))
