"""Streaming readers for CSV and JSON Lines (optionally gzip-compressed).

Rows are yielded one at a time with their line number, so memory stays flat whatever
the file size. A malformed *row* (wrong field count, broken JSON) comes out as a
``ReadRow`` with an error and is rejected downstream; a malformed *file* (missing,
undecodable, not CSV/JSONL) raises ``UnreadableFileError`` before or while reading.

Reading is two steps so the importer's parent process does only the first: *framing*
(``RecordFile.frame_batches``: a JSON line, or for CSV whole runs of lines as text, with
line numbers) and *decoding* (``RowDecoder``: to ``ReadRow``s), which runs wherever the
rows are cleaned. CSV lines without a quote character cannot start or continue a quoted
field, so runs of them go out as one string that the worker splits into fields; only the
rare line with a quote is split in the parent, where a quoted field may run on past the
lines read so far.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from kimlik.errors import UnreadableFileError

csv.field_size_limit(16 * 1024 * 1024)
_DELIMITERS = ",;\t|"
_MAX_RAW_LINE = 4096
#: Characters read per CSV batch for each row of the batch size: a guess at a row's
#: length that only sets how many rows a batch holds.
_CHARS_PER_ROW = 160
_QUOTE = '"'


@dataclass(slots=True)
class ReadRow:
    """One data row: its values by header, or the reason it could not be read.

    Not frozen: a frozen dataclass costs a microsecond more to build, once per row read.
    """

    line: int
    values: dict[str, Any]
    error_code: str | None = None
    error_message: str | None = None
    #: every value is a string (a CSV row): the cleaner can skip its type checks
    text_only: bool = False

    def __reduce__(self) -> tuple[type[ReadRow], tuple[Any, ...]]:
        # Slotted dataclasses pickle through Python-level __getstate__, which made
        # sending rows to worker processes cost more than cleaning them.
        return ReadRow, (
            self.line,
            self.values,
            self.error_code,
            self.error_message,
            self.text_only,
        )


#: One row as read from the file, not yet decoded: its line number and its CSV fields or
#: its JSON text. Plain tuples, lists and strings pickle in C, cheaply, to worker processes.
Frame = tuple[int, list[str] | str]


class TextRun(NamedTuple):
    """CSV lines without a quote character, whole: one string to send, split by the worker."""

    #: data lines of the file before the run (the header is line 1 and not counted)
    lines_before: int
    text: str


#: What the parent sends a worker: framed rows and runs of unframed CSV lines, in file order.
Batch = list[Frame | TextRun]


@dataclass(frozen=True, slots=True)
class RowDecoder:
    """Turns frames of one file into ``ReadRow``s: a dict by header, or a row error."""

    headers: tuple[str, ...]
    delimiter: str = ","
    #: the file's name, for the message when a run of lines is not CSV
    name: str = ""

    def decode(self, batch: Iterable[Frame | TextRun]) -> list[ReadRow]:
        """Decode a batch, in order; blank CSV lines give no row."""
        rows: list[ReadRow] = []
        for item in batch:
            if type(item) is TextRun:
                rows.extend(self._run_rows(item))
            else:
                rows.append(self.row(item))
        return rows

    def row(self, frame: Frame) -> ReadRow:
        """Decode one frame: CSV fields come as a list, a JSON line as text."""
        line, body = frame
        if isinstance(body, str):
            return self._json_row(line, body)
        return self._csv_row(line, body)

    def _run_rows(self, run: TextRun) -> list[ReadRow]:
        # A run has no quote character, so each of its lines is one record: line numbers
        # count up by one, blank lines included (the header, line 1, was read apart).
        reader = csv.reader(io.StringIO(run.text, newline=""), delimiter=self.delimiter)
        headers = self.headers
        width = len(headers)
        rows = []
        try:
            for line, fields in enumerate(reader, start=run.lines_before + 2):
                if len(fields) == width > 1:  # the common case, inline (lengths checked)
                    values = dict(zip(headers, fields, strict=False))
                    rows.append(ReadRow(line, values, None, None, True))
                elif not _blank(fields):
                    rows.append(self._csv_row(line, fields))
        except csv.Error as exc:
            raise UnreadableFileError(f"{self.name}: malformed CSV: {exc}") from exc
        return rows

    def _csv_row(self, line: int, fields: list[str]) -> ReadRow:
        headers = self.headers
        width = len(headers)
        if len(fields) == width:
            return ReadRow(line, dict(zip(headers, fields, strict=True)), text_only=True)
        values: dict[str, Any] = dict(zip(headers, fields, strict=False))
        if len(fields) > width:
            values["_extra_fields"] = fields[width:]
        return ReadRow(
            line, values, "row.field_count", f"has {len(fields)} fields but the header has {width}"
        )

    @staticmethod
    def _json_row(number: int, text: str) -> ReadRow:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return ReadRow(number, {"_line": text[:_MAX_RAW_LINE]}, "row.invalid_json", str(exc))
        if not isinstance(value, dict):
            return ReadRow(
                number,
                {"_line": text[:_MAX_RAW_LINE]},
                "row.not_object",
                f"is a JSON {type(value).__name__}, not an object",
            )
        return ReadRow(number, value)


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for an honest progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def file_format(path: Path) -> str:
    """``csv`` or ``jsonl`` from the file name (a ``.gz`` suffix is looked through)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise UnreadableFileError(
        f"{path.name}: unsupported file type; use .csv or .jsonl (optionally .gz)"
    )


class RecordFile:
    """An open CSV or JSON Lines file; iterate it for ``ReadRow``s.

    The header (CSV) is read on open, so a file that cannot even start fails before the
    importer writes anything.
    """

    def __init__(self, path: Path, *, encoding: str = "utf-8-sig", delimiter: str | None = None):
        self.path = path
        self.format = file_format(path)
        self.encoding = _check_encoding(encoding)
        try:
            self.total_bytes = path.stat().st_size
            raw_file: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise UnreadableFileError(f"cannot open {path}: {exc.strerror}") from exc
        self._counter = _CountingReader(raw_file)
        binary: IO[bytes] = io.BufferedReader(self._counter, buffer_size=1 << 20)
        if path.name.lower().endswith(".gz"):
            binary = gzip.GzipFile(fileobj=binary, mode="rb")  # type: ignore[assignment]
        self._text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
        self.headers: tuple[str, ...] = ()
        self.delimiter = ","
        #: data lines read so far (a quoted CSV field may span lines: close enough to rows)
        self.lines_read = 0
        if self.format == "csv":
            try:
                self._open_csv(delimiter)
            except BaseException:
                self.close()
                raise

    @property
    def bytes_read(self) -> int:
        """Bytes of the file on disk consumed so far (compressed bytes for .gz)."""
        return self._counter.count

    def estimated_rows(self) -> int:
        """The file's data lines, extrapolated from what has been read so far."""
        if self.bytes_read == 0:
            return 0
        return round(self.lines_read * max(self.total_bytes, 1) / self.bytes_read)

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def decoder(self) -> RowDecoder:
        """What turns this file's frames into rows (picklable, for worker processes)."""
        return RowDecoder(self.headers, self.delimiter, self.path.name)

    def __iter__(self) -> Iterator[ReadRow]:
        decoder = self.decoder
        for batch in self.frame_batches(1000):
            yield from decoder.decode(batch)

    def frame_batches(self, size: int) -> Iterator[Batch]:
        """The file's rows, undecoded, about ``size`` to a batch; blank lines give no row.

        Batched here rather than downstream: this loop is the parent's per-row work.
        File-level errors raise ``UnreadableFileError``.
        """
        batches = self._csv_frames(size) if self.format == "csv" else self._jsonl_frames(size)
        try:
            yield from batches
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{self.path.name}: not valid {self.encoding} text ({exc.reason}); "
                "pass --encoding, e.g. cp1254 or latin-1"
            ) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableFileError(f"{self.path.name}: cannot read: {exc}") from exc
        except csv.Error as exc:
            raise UnreadableFileError(f"{self.path.name}: malformed CSV: {exc}") from exc

    def _open_csv(self, delimiter: str | None) -> None:
        try:
            first = self._text.readline()
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{self.path.name}: not valid {self.encoding} text; pass --encoding"
            ) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableFileError(f"{self.path.name}: cannot read: {exc}") from exc
        if not first.strip():
            raise UnreadableFileError(f"{self.path.name}: empty file, no header row")
        chosen = delimiter or max(_DELIMITERS, key=first.count)
        header = next(csv.reader([first], delimiter=chosen))
        self.headers = _clean_headers(header)
        self.delimiter = chosen

    def _csv_frames(self, size: int) -> Iterator[Batch]:
        text = self._text
        consumed = 0  # data lines read so far
        while chunk := text.read(size * _CHARS_PER_ROW):
            chunk += text.readline()  # whole lines only
            if _QUOTE not in chunk:  # the common case: nothing to frame here
                batch: Batch = [TextRun(consumed, chunk)]
                consumed += _line_count(chunk)
            else:
                batch, consumed = self._frame_quoted(chunk, consumed)
            self.lines_read = consumed
            if batch:
                yield batch

    def _frame_quoted(self, chunk: str, consumed: int) -> tuple[Batch, int]:
        """A chunk with quotes: runs of lines without one, and each record with one framed
        here (its quoted field may go on past the chunk; the reader then reads on)."""
        batch: Batch = []
        run: list[str] = []
        run_start = consumed
        lines = iter(io.StringIO(chunk, newline="").readlines())
        for line in lines:
            if _QUOTE not in line:
                run.append(line)
                consumed += 1
                continue
            if run:
                batch.append(TextRun(run_start, "".join(run)))
                run = []
            more = iter(self._text.readline, "")
            reader = csv.reader(itertools.chain([line], lines, more), delimiter=self.delimiter)
            fields = next(reader)
            consumed += reader.line_num
            if not _blank(fields):
                batch.append((consumed + 1, fields))  # the header, line 1, was read apart
            run_start = consumed
        if run:
            batch.append(TextRun(run_start, "".join(run)))
        return batch, consumed

    def _jsonl_frames(self, size: int) -> Iterator[list[Frame]]:
        batch: list[Frame] = []
        for number, text in enumerate(self._text, start=1):
            if text.strip():
                batch.append((number, text))
                if len(batch) >= size:
                    self.lines_read = number
                    yield batch
                    batch = []
        if batch:
            yield batch


def _blank(fields: list[str]) -> bool:
    """An empty or whitespace-only CSV line: no row, and not counted as read."""
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _line_count(text: str) -> int:
    """Lines in ``text`` as universal newlines count them: LF, CRLF and a lone CR."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (0 if text.endswith(("\n", "\r")) else 1)


def _check_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UnreadableFileError(f"unknown encoding {encoding!r}") from None
    return encoding


def _clean_headers(header: list[str]) -> tuple[str, ...]:
    """Trim headers, name blank ones and make duplicates unique, so no value is lost."""
    seen: dict[str, int] = {}
    cleaned = []
    for index, name in enumerate(header, start=1):
        name = name.strip().lstrip("\ufeff") or f"column_{index}"
        count = seen.get(name, 0)
        seen[name] = count + 1
        cleaned.append(name if count == 0 else f"{name}_{count + 1}")
    return tuple(cleaned)
