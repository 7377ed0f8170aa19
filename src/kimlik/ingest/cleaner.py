"""Turning one raw row into a clean record or a rejection. Pure: runs in worker processes.

Policy (docs/importing.md): an invalid *optional* value is flagged, left out of the clean
attributes and kept in the raw payload, and the row still lands; a row is rejected only
when it cannot be a usable record (no id, a required value missing or invalid, nothing to
identify or link the person by, or unreadable).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, NamedTuple

import orjson

from kimlik.ingest.context import RowContext
from kimlik.ingest.kinds import KindSpec, Parser
from kimlik.ingest.mapping import ColumnPlan, Mapping, plan_columns
from kimlik.ingest.readers import ReadRow
from kimlik.ingest.rows import CleanRow, Outcome, Reason, RejectedRow
from kimlik.standardize.dates import date_order_for_region
from kimlik.standardize.email import email_matching_key
from kimlik.standardize.names import split_full_name
from kimlik.standardize.result import Issue, Standardized
from kimlik.standardize.text import normalize_text

#: keys are always text here (headers, JSON keys, attribute names), so no OPT_NON_STR_KEYS:
#: the same bytes, a fifth faster
_HASH_OPTIONS = orjson.OPT_SORT_KEYS
MAX_RECORD_ID = 255
#: distinct values remembered per field before the memo starts afresh
MEMO_SIZE = 50_000
#: a standardized value, whether standardization changed the text, and its issues
_Entry = tuple[Any, bool, tuple[Issue, ...]]
#: a field as the cleaning loop reads it: name, target column, parser, required, its memo,
#: reads the row's country, sets the row's country
#: memo keys: the text, or (text, the row's country) for fields that read the country
_Key = str | tuple[str, str | None]
_Field = tuple[str, str, Parser, bool, dict[_Key, _Entry] | None, bool, bool]


def content_hash(*parts: Any) -> str:
    """A stable 128-bit digest of JSON-able parts: equal content, equal hash, across runs."""
    data = orjson.dumps(parts, option=_HASH_OPTIONS, default=str)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _as_text(value: Any) -> str | None:
    """Scalars as text for the standardizers; blanks, objects and arrays give None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _display(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _differs(value: Any, text: str) -> bool:
    """Whether standardizing changed what the file said (for ``changed_fields``)."""
    if value is None:
        return False
    return (value if type(value) is str else _display(value)) != text.strip()


def _csv_custom(plan: ColumnPlan, raw: dict[str, str]) -> dict[str, str]:
    """A CSV row's unmapped columns that hold something, kept as custom attributes."""
    return {header: value for header in plan.custom_headers if (value := raw[header]) != ""}


def _entry(result: Standardized[Any], text: str) -> _Entry:
    return result.value, _differs(result.value, text), result.issues


class _Notes:
    """The reasons and invalid fields of a group's rows, kept only for rows that have some."""

    __slots__ = ("columns", "issues", "rejections", "invalid")

    def __init__(self) -> None:
        #: per row, attribute -> the column its text came from
        self.columns: list[dict[str, str]] = []
        self.issues: dict[int, list[Reason]] = {}
        self.rejections: dict[int, list[Reason]] = {}
        self.invalid: dict[int, list[str]] = {}

    def issues_of(self, row: int) -> list[Reason]:
        return self.issues.setdefault(row, [])

    def rejections_of(self, row: int) -> list[Reason]:
        return self.rejections.setdefault(row, [])

    def invalid_of(self, row: int) -> list[str]:
        return self.invalid.setdefault(row, [])


class _Group(NamedTuple):
    """What a group's rows share: the plan, the fields' target columns and names, notes."""

    plan: ColumnPlan
    targets: list[str]
    names: list[str]
    notes: _Notes


def _reason(column: str | None, attribute: str | None, value: str | None, issue: Issue) -> Reason:
    return Reason(
        column=column,
        attribute=attribute,
        value=value,
        code=issue.code,
        message=issue.message,
        severity=issue.severity,
    )


class RowCleaner:
    """Cleans rows of one file: one kind, one mapping, plans cached per header set."""

    def __init__(
        self,
        kind: KindSpec,
        mapping: Mapping,
        today: dt.date,
        identifiers: tuple[str, ...] = (),
    ) -> None:
        self.kind = kind
        self.mapping = mapping
        self.today = today
        self.required = frozenset(mapping.required)
        self.date_order = mapping.date_order or date_order_for_region(mapping.region)
        self._plans: dict[tuple[str, ...], tuple[ColumnPlan, list[_Field]]] = {}
        self._context = RowContext(
            region=mapping.region,
            date_order=self.date_order,
            today=today,
            vocabularies=mapping.values,
        )
        self._memo: dict[str, dict[_Key, _Entry]] = {
            spec.name: {} for spec in kind.fields if spec.memo
        }
        #: per field, resolved once into a flat tuple: the field loop is the hot path
        self._fields: list[_Field] = [
            (
                spec.name,
                spec.target,
                spec.parse,
                spec.required or spec.name in self.required,
                self._memo.get(spec.name),
                spec.reads_country,
                spec.sets_country,
            )
            for spec in kind.fields
        ]
        self._people = kind.name == "people"
        targets = {spec.name: spec.target for spec in kind.fields}
        self._any_targets = [
            (group, [targets.get(name, name) for name in group]) for group in kind.required_any
        ]
        #: custom attributes declared personal identifiers (``KIMLIK_RESOLVE_IDENTIFIERS``):
        #: a person known only by a national id or a loyalty card can still be linked
        self._identifiers = identifiers if self._people else ()

    def plan(self, headers: tuple[str, ...]) -> ColumnPlan:
        """The column plan for a header set (CSV: one; JSON Lines: one per key set)."""
        return self._planned(headers)[0]

    def _planned(self, headers: tuple[str, ...]) -> tuple[ColumnPlan, list[_Field]]:
        """The plan, and the fields its rows can fill or must reject without (in order)."""
        planned = self._plans.get(headers)
        if planned is None:
            plan = plan_columns(headers, self.kind, self.mapping)
            present = set(plan.attributes)
            if self._people and "full_name" in present:
                present |= {"first_name", "last_name"}
            fields = [field for field in self._fields if field[0] in present or field[3]]
            planned = self._plans[headers] = (plan, fields)
        return planned

    @staticmethod
    def _remember(
        memo: dict[_Key, _Entry], key: _Key, text: str, result: Standardized[Any]
    ) -> _Entry:
        """Keep a standardized value for texts that repeat.

        Customer files repeat first names, cities, countries and picklist values far more
        than they repeat emails or phones, so the memo is per field and only for fields
        flagged ``memo``; its size is capped so memory stays flat on any file.
        """
        entry = _entry(result, text)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = entry
        return entry

    def clean(self, row: ReadRow) -> Outcome:
        """Clean one row."""
        return self.clean_batch([row])[0]

    def clean_batch(self, rows: list[ReadRow]) -> list[Outcome]:
        """Clean a batch (the unit of work sent to a worker): each row as if cleaned alone.

        The work goes field by field across the batch's rows rather than row by row: memo
        lookups become one ``map`` per field, and the bookkeeping around each value one
        comprehension, instead of a branchy loop per value; CSV rows are read into columns
        without a dictionary per row. 65 -> 41 µs a row on the import benchmark's people
        file, with outcomes identical to the row-by-row loop (docs/performance.md).
        """
        outcomes: list[Outcome | None] = [None] * len(rows)
        groups: dict[tuple[str, ...] | None, list[int]] = {}
        for index, row in enumerate(rows):
            if row.error_code is not None:
                issue = Issue(row.error_code, row.error_message or "unreadable row")
                reasons = [_reason(None, None, None, issue)]
                outcomes[index] = RejectedRow(row.line, None, row.values, reasons)
            else:
                # CSV rows of one file share their headers; JSON objects may not.
                groups.setdefault(None if row.text_only else tuple(row.values), []).append(index)
        for headers, indexes in groups.items():
            group = [rows[index] for index in indexes]
            plan, fields = self._planned(headers or tuple(group[0].values))
            cleaned = self._clean_group(plan, fields, group, text_rows=headers is None)
            for index, outcome in zip(indexes, cleaned, strict=True):
                outcomes[index] = outcome
        return outcomes  # type: ignore[return-value]  # every slot was filled above

    def _clean_group(
        self, plan: ColumnPlan, fields: list[_Field], rows: list[ReadRow], *, text_rows: bool
    ) -> list[Outcome]:
        """Clean rows that share one column plan (``text_rows``: CSV rows, all strings)."""
        size = len(rows)
        notes = _Notes()
        if text_rows and plan.single_columns is not None and "full_name" not in plan.attributes:
            texts_of, customs = self._csv_columns(plan, rows)
            notes.columns = [plan.single_columns] * size
        else:
            texts_of, customs = self._row_columns(plan, fields, rows, notes)
        nothing: list[str | None] = [None] * size
        id_texts = list(
            zip(*[texts_of.get(name, nothing) for name in self.kind.id_attributes], strict=True)
        )
        ctx = self._context
        countries: list[Any] = [None] * size
        targets: list[str] = []
        names: list[str] = []
        value_columns: list[list[Any]] = []
        changed_columns: list[list[bool]] = []
        for name, target, parse, required, memo, reads_country, sets_country in fields:
            texts = texts_of.get(name, nothing)
            keys: list[Any] = list(zip(texts, countries, strict=True)) if reads_country else texts
            entries: list[_Entry | None]
            if memo is None:
                entries = [None] * size
                todo = [i for i, text in enumerate(texts) if text is not None]
            else:
                entries = list(map(memo.get, keys))
                todo = [i for i, hit in enumerate(entries) if hit is None and texts[i] is not None]
            for index in todo:
                text = texts[index]
                assert text is not None  # for mypy: todo holds rows with a text
                ctx.country = countries[index]
                result = parse(text, ctx)
                entries[index] = (
                    _entry(result, text) if memo is None
                    else self._remember(memo, keys[index], text, result)
                )  # fmt: skip
            values = [None if entry is None else entry[0] for entry in entries]
            if required:
                for index in [i for i, text in enumerate(texts) if text is None]:
                    missing = Issue(f"{name}.missing", f"{name} is required")
                    column = notes.columns[index].get(name)
                    notes.rejections_of(index).append(_reason(column, name, None, missing))
            flagged = [(i, hit) for i, hit in enumerate(entries) if hit is not None and hit[2]]
            for index, entry in flagged:
                self._note_issues(notes, index, name, required, texts[index], entry)
            if sets_country:
                countries = values
            targets.append(target)
            names.append(name)
            value_columns.append(values)
            changed_columns.append([entry is not None and entry[1] for entry in entries])
        ctx.country = None
        value_rows = zip(*value_columns, strict=True) if value_columns else [()] * size
        changed_rows = zip(*changed_columns, strict=True) if changed_columns else [()] * size
        group = _Group(plan, targets, names, notes)
        return [
            self._outcome(group, index, row, ids, custom, row_values, changed)
            for index, (row, ids, custom, row_values, changed) in enumerate(
                zip(rows, id_texts, customs, value_rows, changed_rows, strict=True)
            )
        ]

    @staticmethod
    def _csv_columns(
        plan: ColumnPlan, rows: list[ReadRow]
    ) -> tuple[dict[str, list[str | None]], list[dict[str, Any]]]:
        """Each attribute's texts straight from CSV rows with one column per attribute.

        The same texts ``_collect`` finds row by row (a blank is ``None``), and each row's
        custom attributes, at a third of the cost: no dictionary per row.
        """
        raws = [row.values for row in rows]
        texts_of: dict[str, list[str | None]] = {
            attribute: [text if text and not text.isspace() else None for text in column]
            for header, attribute in plan.mapped_pairs
            for column in ([raw[header] for raw in raws],)
        }
        customs = [_csv_custom(plan, raw) for raw in raws]
        return texts_of, customs

    def _row_columns(
        self, plan: ColumnPlan, fields: list[_Field], rows: list[ReadRow], notes: _Notes
    ) -> tuple[dict[str, list[str | None]], list[dict[str, Any]]]:
        """Each attribute's texts collected row by row: JSON values, a full name to split,
        or several columns feeding one attribute. Sets ``notes.columns``."""
        collected = [self._collect(plan, row.values, row.text_only) for row in rows]
        notes.columns = [columns for _texts, columns, _custom in collected]
        if self._people and "full_name" in plan.attributes:
            for index, (row_texts, shared_columns, _custom) in enumerate(collected):
                row_columns = notes.columns[index] = dict(shared_columns)  # see _collect
                self._split_full_name(row_texts, row_columns, notes.issues_of(index))
        wanted = dict.fromkeys([*(field[0] for field in fields), *self.kind.id_attributes])
        texts_of = {name: [texts.get(name) for texts, _c, _u in collected] for name in wanted}
        return texts_of, [custom for _texts, _columns, custom in collected]

    def _note_issues(
        self, notes: _Notes, index: int, name: str, required: bool, text: str | None, entry: _Entry
    ) -> None:
        """A value's issues: errors of a required value reject the row, others are noted."""
        value, _changed, found = entry
        column = notes.columns[index].get(name)
        for issue in found:
            reason = _reason(column, name, text, issue)
            if value is None and required:
                notes.rejections_of(index).append(reason)
            else:
                notes.issues_of(index).append(reason)
        if value is None:
            notes.invalid_of(index).append(name)

    def _outcome(
        self,
        group: _Group,
        index: int,
        row: ReadRow,
        id_texts: tuple[str | None, ...],
        custom: dict[str, Any],
        row_values: tuple[Any, ...],
        changed_flags: tuple[bool, ...],
    ) -> Outcome:
        """A row's outcome from its standardized values, in field order, and its notes."""
        notes = group.notes
        columns = notes.columns[index]
        values = {
            target: value
            for target, value in zip(group.targets, row_values, strict=True)
            if value is not None
        }
        rejections = notes.rejections.get(index) or []
        self._require_any(values, custom, rejections)
        record_id = self._record_id(group.plan, id_texts, columns, values, row, rejections)
        if rejections:
            return RejectedRow(row.line, record_id, row.values, rejections)
        assert record_id is not None
        if self._people and "email" in values:
            values["email_key"] = email_matching_key(values["email"])
        changed = [name for name, flag in zip(group.names, changed_flags, strict=True) if flag]
        invalid = notes.invalid.get(index)
        return CleanRow(
            line=row.line,
            record_id=record_id,
            values=values,
            custom=custom or None,
            issues=notes.issues.get(index) or None,
            invalid_fields=f"|{'|'.join(invalid)}|" if invalid else "",
            changed_fields=f"|{'|'.join(changed)}|" if changed else "",
            content_hash=content_hash(row.values, values, custom),
            raw=row.values,
        )

    @staticmethod
    def _collect(
        plan: ColumnPlan, raw: dict[str, Any], text_only: bool
    ) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
        """Attribute -> first non-blank text (and its column); unmapped values to custom."""
        if text_only and plan.single_columns is not None:
            # A CSV row, one column per attribute: the same result, in comprehensions
            # (a third faster than the loop below, which JSON values need). Every row gets
            # the plan's own attribute -> column dict: whoever changes it copies it first.
            return (
                {a: v for h, a in plan.mapped_pairs if (v := raw[h]) and not v.isspace()},
                plan.single_columns,
                _csv_custom(plan, raw),
            )
        texts: dict[str, str] = {}
        columns: dict[str, str] = {}
        custom: dict[str, Any] = {}
        for header, attribute in plan.pairs:
            value = raw[header]
            if type(value) is str:  # CSV: always; the common case, checked first
                if attribute is None:
                    if value != "":
                        custom[header] = value
                elif attribute not in texts:
                    if value and not value.isspace():
                        texts[attribute] = value
                        columns[attribute] = header
                    elif attribute not in columns:
                        columns[attribute] = header
                continue
            if attribute is None or isinstance(value, dict | list):
                if value is not None and value != "":
                    custom[header] = value
                continue
            if attribute in texts:
                continue
            text = _as_text(value)
            if text and not text.isspace():
                texts[attribute] = text
                columns[attribute] = header
            elif attribute not in columns:
                columns[attribute] = header
        return texts, columns, custom

    @staticmethod
    def _split_full_name(
        texts: dict[str, str], columns: dict[str, str], issues: list[Reason]
    ) -> None:
        full = texts.pop("full_name", None)
        if full is None or ("first_name" in texts and "last_name" in texts):
            return
        split = split_full_name(full)
        column = columns.get("full_name")
        for issue in split.issues:
            issues.append(_reason(column, "full_name", full, issue))
        if split.value is None:
            return
        first, last = split.value
        for attribute, part in (("first_name", first), ("last_name", last)):
            if part and attribute not in texts:
                texts[attribute] = part
                columns[attribute] = column or "full_name"

    def _require_any(
        self, values: dict[str, Any], custom: dict[str, Any], rejections: list[Reason]
    ) -> None:
        for group, targets in self._any_targets:
            for target in targets:
                if values.get(target) is not None:
                    break
            else:
                if not any(_as_text(custom.get(name)) for name in self._identifiers):
                    self._no_identity(group, rejections)

    def _no_identity(self, group: tuple[str, ...], rejections: list[Reason]) -> None:
        code = "row.no_customer" if self.kind.linked_to_person else "row.no_identity"
        message = f"needs a valid value in one of: {', '.join((*group, *self._identifiers))}"
        rejections.append(_reason(None, None, None, Issue(code, message)))

    def _record_id(
        self,
        plan: ColumnPlan,
        id_texts: tuple[str | None, ...],
        columns: dict[str, str],
        values: dict[str, Any],
        row: ReadRow,
        rejections: list[Reason],
    ) -> str | None:
        """The record's id: its id column's text, several ids joined, or a content hash.

        ``id_texts`` are the row's texts of the kind's id attributes, in their order.
        """
        id_attributes = self.kind.id_attributes
        if plan.content_ids:
            return "sha:" + content_hash(row.values)
        if len(id_attributes) == 1:
            attribute = id_attributes[0]
            record_id = normalize_text(id_texts[0])
            if record_id is None:
                issue = Issue("record_id.missing", f"{attribute} is empty")
                rejections.append(_reason(columns.get(attribute), attribute, None, issue))
                return None
        else:
            parts = []
            for attribute, text in zip(id_attributes, id_texts, strict=True):
                spec = self.kind.field(attribute)
                value = values.get(spec.target) if spec else normalize_text(text)
                parts.append("" if value is None else _display(value))
            record_id = "|".join(parts)
        if len(record_id) > MAX_RECORD_ID:
            issue = Issue("record_id.too_long", f"longer than {MAX_RECORD_ID} characters")
            rejections.append(_reason(None, id_attributes[0], record_id[:40], issue))
            return None
        return record_id
