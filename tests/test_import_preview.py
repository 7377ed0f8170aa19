"""The import preview: the column plan and the first rows as the import would store them.

Side-effect free (no database): it reads only the first rows, and what it says about a
row (standardized values, flagged values, rejections) is what ``import_file`` does.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from kimlik.config import Settings
from kimlik.errors import MappingError, UnreadableFileError
from kimlik.ingest.kinds import kind_spec
from kimlik.ingest.mapping import Mapping, load_mapping
from kimlik.ingest.preview import build_mapping, preview_file, read_first_rows
from kimlik.ingest.runs import rejections_page
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.store.engine import open_engine
from kimlik.store.migrate import upgrade

TODAY = dt.date(2026, 12, 1)
PEOPLE = kind_spec("people")
POS = (
    "Müşteri No,Ad Soyad,E-posta,Cep,Doğum Tarihi,Mağaza\n"
    "P-1,AYŞE KARACA,Ayse@Example.COM,0532 111 22 33,12.03.1985,Kadıköy\n"
    "P-2,mehmet öztürk,mehmet@example.com,0533 222 33 44,31.02.1990,Beşiktaş\n"
    ",,not-an-email,,,Üsküdar\n"
)


@pytest.fixture
def pos(tmp_path: Path) -> Path:
    path = tmp_path / "pos.csv"
    path.write_text(POS, encoding="utf-8")
    return path


def test_detected_mapping_and_standardized_rows(pos: Path) -> None:
    preview = preview_file(pos, PEOPLE, build_mapping(PEOPLE, [], region="TR"), today=TODAY)
    plan = {column.header: column.attribute for column in preview.columns}
    assert plan == {
        "Müşteri No": "record_id",
        "Ad Soyad": "full_name",
        "E-posta": "email",
        "Cep": "phone",
        "Doğum Tarihi": "birth_date",
        "Mağaza": None,
    }
    assert preview.id_column == "Müşteri No"
    assert preview.attributes[:3] == ("record_id", "first_name", "last_name")
    first, second, third = preview.rows
    values = {cell.attribute: cell.value for cell in first.cells}
    assert first.status == "ok" and first.line == 2
    assert values["phone"] == "+905321112233"
    assert values["email"] == "Ayse@example.com"
    assert values["first_name"] == "Ayşe"
    assert values["birth_date"] == "1985-03-12"
    assert first.custom == 1  # Mağaza, kept as a custom attribute
    birth = next(cell for cell in second.cells if cell.attribute == "birth_date")
    assert second.status == "flagged"
    assert birth.value is None and birth.raw == "31.02.1990" and birth.problems
    assert third.status == "rejected"
    codes = {reason["code"] for reason in third.reasons}
    codes |= {reason["code"] for cell in third.cells for reason in cell.problems}
    assert codes == {"record_id.missing", "row.no_identity"}
    assert preview.refusals == () and preview.warnings == ()


@pytest.mark.parametrize(
    ("case", "choices", "id_column", "columns", "shown"),
    [
        ("remap a custom column", {"Mağaza": "city"}, "Müşteri No", {"Mağaza": "city"}, "city"),
        ("keep a detected column as custom", {"Cep": None}, "Müşteri No", {"Cep": None}, None),
        ("choices equal to detection", {"Cep": "phone"}, "Müşteri No", {}, "phone"),
        ("no id column", {"Müşteri No": None}, None, {"Müşteri No": None}, None),
    ],
)
def test_choices_become_a_mapping(
    pos: Path,
    case: str,
    choices: dict[str, str | None],
    id_column: str | None,
    columns: dict[str, str | None],
    shown: str | None,
) -> None:
    headers, _rows = read_first_rows(pos, Mapping())
    mapping = build_mapping(PEOPLE, headers, choices=choices, id_column=id_column, region="TR")
    assert mapping.columns == columns, case
    preview = preview_file(pos, PEOPLE, mapping, today=TODAY)
    if shown is not None:
        assert shown in preview.attributes, case
    if id_column is None:
        assert preview.content_ids and preview.id_column is None
        assert any("identified by their content" in note for note in preview.warnings)


def test_a_choice_round_trips_through_a_mapping_file(pos: Path, tmp_path: Path) -> None:
    headers, _rows = read_first_rows(pos, Mapping())
    mapping = build_mapping(PEOPLE, headers, choices={"Cep": None, "Mağaza": "city"})
    path = tmp_path / "mapping.json"
    path.write_text(mapping.model_dump_json(exclude_defaults=True), encoding="utf-8")
    assert load_mapping(path) == mapping


def test_the_import_does_what_the_preview_shows(pos: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kimlik.db'}"
    engine = open_engine(url)
    upgrade(engine)
    headers, _rows = read_first_rows(pos, Mapping())
    mapping = build_mapping(PEOPLE, headers, choices={"Mağaza": "city"}, region="TR")
    preview = preview_file(pos, PEOPLE, mapping, today=TODAY)
    mapping_path = tmp_path / "mapping.json"
    mapping_path.write_text(mapping.model_dump_json(exclude_defaults=True), encoding="utf-8")
    seen: list[int] = []
    request = ImportRequest(path=pos, source="pos", kind="people", mapping_path=mapping_path)
    settings = Settings(database_url=url, import_workers=0)
    result = import_file(engine, settings, request, watch=lambda r: seen.append(r.read))
    assert seen[0] == 0 and seen[-1] == 3  # recorded, then after the batch
    assert result.new == sum(row.status != "rejected" for row in preview.rows)
    assert result.rejected == 1
    assert result.mapped_columns["Mağaza"] == "city"
    with engine.connect() as connection:
        rows, total = rejections_page(connection, result.run_id, limit=10, offset=0)
    assert total == 1 and rows[0]["row_number"] == preview.rows[2].line
    engine.dispose()


def test_refusals_name_the_missing_attribute(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,amount\nO-1,C-1,10\n", encoding="utf-8")
    orders = kind_spec("orders")
    preview = preview_file(path, orders, build_mapping(orders, []), today=TODAY)
    assert [why for why in preview.refusals if "ordered_at" in why]
    assert {c.header: c.attribute for c in preview.columns}["amount"] == "total"
    assert preview.rows[0].status == "rejected"


@pytest.mark.parametrize(
    ("case", "kwargs", "message"),
    [
        ("unknown region", {"region": "XX"}, "unknown region"),
        ("id column not in the file", {"id_column": "Nope"}, "not in the file"),
        ("unknown attribute", {"choices": {"Cep": "shoe_size"}}, "unknown people attribute"),
    ],
)
def test_mappings_the_import_refuses(
    pos: Path, case: str, kwargs: dict[str, object], message: str
) -> None:
    headers, rows = read_first_rows(pos, Mapping())
    with pytest.raises(MappingError, match=message):
        mapping = build_mapping(PEOPLE, headers, **kwargs)  # type: ignore[arg-type]
        preview_file(pos, PEOPLE, mapping, today=TODAY)


def test_reads_only_the_first_rows(tmp_path: Path) -> None:
    path = tmp_path / "big.csv.gz"
    lines = ["id,email"] + [f"{n},p{n}@example.com" for n in range(100_000)]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    headers, rows = read_first_rows(path, Mapping(), limit=10)
    assert headers == ("id", "email") and [row.line for row in rows] == list(range(2, 12))


def test_json_lines_columns_are_the_keys_of_the_first_rows(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"id": 1, "email": "a@example.com"}\n{"id": 2, "phone": "+905321112233"}\n')
    headers, rows = read_first_rows(path, Mapping())
    assert headers == ("id", "email", "phone") and len(rows) == 2


def test_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Ad,Şehir\nAyşe,İzmir\n".encode("cp1254"))
    with pytest.raises(UnreadableFileError, match="not valid"):
        read_first_rows(path, Mapping())
    rows = read_first_rows(path, Mapping(encoding="cp1254"))[1]
    assert rows[0].values == {"Ad": "Ayşe", "Şehir": "İzmir"}
