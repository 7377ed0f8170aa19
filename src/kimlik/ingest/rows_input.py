"""Records given as dicts (the management API's batch upsert) as the input of an import run.

Each record is framed as one JSON Lines line, so records sent to the API take the file
path exactly: the same decoder, cleaner, writer and rejection store, and a record sent
twice hashes the same whichever way it came. It follows that a record's values are what
a JSON Lines line's would be: text, numbers, booleans and nulls are standardized; nested
objects and arrays are never standardized and are kept whole, as JSON, in the record's
custom attributes. Values JSON cannot hold (dates, decimals from Python callers) are
written as JSON Lines would carry them: dates in ISO 8601, anything else as its text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from kimlik.ingest.kinds import KindSpec
from kimlik.ingest.mapping import Mapping as MappingFile
from kimlik.ingest.mapping import plan_columns
from kimlik.ingest.readers import Batch, Frame, RowDecoder
from kimlik.standardize.text import fold_key

_OPTIONS = orjson.OPT_NON_STR_KEYS
_INT64 = 2**63


def check_mapping(kind: KindSpec, mapping: MappingFile) -> None:
    """Refuse a mapping naming unknown attributes before anything is written.

    A file's header is known up front; records may each carry other keys, so only the
    mapping's own targets (and its id column, which every record is given) are checked.
    """
    headers = (mapping.id_column,) if mapping.id_column else ()
    plan_columns(headers, kind, mapping)


class RowsInput:
    """Records in memory, framed in batches like a JSON Lines file's lines.

    Row numbers are 1-based positions in ``rows``. With an id column, a record lacking
    that key gets it as null, so it is rejected (``record_id.missing``) on its own instead
    of failing every record of the run (a JSON Lines line without it is a mapping error).
    """

    headers: tuple[str, ...] = ()

    def __init__(self, rows: Sequence[Any], *, name: str, id_column: str | None = None) -> None:
        self.rows = rows
        self.name = name
        self.total_bytes = len(rows)  # progress counts records here, not bytes
        self.bytes_read = 0
        self._id_column = id_column
        self._id_key = fold_key(id_column) if id_column else None

    @property
    def decoder(self) -> RowDecoder:
        """JSON Lines decoding, which turns each framed record back into a dict."""
        return RowDecoder((), name=self.name)

    def estimated_rows(self) -> int:
        return len(self.rows)

    def frame_batches(self, size: int) -> Iterator[Batch]:
        """The records, ``size`` to a batch, each framed as the text of a JSON line."""
        rows = self.rows
        for start in range(0, len(rows), size):
            batch: Batch = [
                self.frame(number, row)
                for number, row in enumerate(rows[start : start + size], start=start + 1)
            ]
            self.bytes_read = start + len(batch)
            yield batch

    def frame(self, number: int, row: Any) -> Frame:
        """One record as the JSON line it would be in a file (not a dict: rejected there)."""
        if self._id_key is not None and isinstance(row, Mapping):
            if not any(fold_key(str(key)) == self._id_key for key in row):
                row = {**row, self._id_column: None}
        return number, _json_text(row)


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, default=_plain, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # integers past 64 bits, which orjson refuses: kept as their digits
        return json.dumps(_wide_ints(value), default=_text, ensure_ascii=False)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)


def _plain(value: Any) -> Any:
    """What orjson cannot write natively: mappings and sets as JSON, the rest as text."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _wide_ints(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _wide_ints(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_wide_ints(item) for item in value]
    return value
