"""Importing people: counts, idempotency, versions, rejections, custom attributes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from kimlik.config import Settings
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.store.tables import import_runs, record_versions, rejected_rows, source_records

PEOPLE = """Customer ID,First Name,Last Name,Email,Phone,Birth Date,Country,Loyalty Tier
1,ayşe,ÖZTÜRK,Ayse.Yilmaz@Example.com,0532 111 22 33,14.03.1985,Türkiye,gold
2,John,Smith,not-an-email,+44 7911 123456,1981-05-20,UK,silver
3,,,,,,,bronze
,Nobody,Known,nobody@example.com,,,,
4,Ali,Demir,ali@example.com,0532 12,31.02.1990,Atlantis,
"""


def run(engine: Engine, settings: Settings, path: Path, **options: str) -> object:
    return import_file(engine, settings, ImportRequest(path=path, source="crm", **options))


def test_counts_account_for_every_row(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    result = import_file(
        engine, settings, ImportRequest(path=write("people.csv", PEOPLE), source="crm", region="TR")
    )
    assert (result.read, result.new, result.updated, result.unchanged, result.rejected) == (
        5, 3, 0, 0, 2,
    )  # fmt: skip
    assert result.accounted
    with engine.connect() as connection:
        rows = {
            r.record_id: r
            for r in connection.execute(select(source_records).order_by(source_records.c.id))
        }
        run_row = connection.execute(select(import_runs)).one()
    assert set(rows) == {"1", "2", "4"}
    ayse = rows["1"]
    assert (ayse.first_name, ayse.last_name) == ("Ayşe", "Öztürk")
    assert ayse.email == "Ayse.Yilmaz@example.com"
    assert ayse.email_key == "ayse.yilmaz@example.com"
    assert ayse.phone == "+905321112233"
    assert ayse.birth_date.isoformat() == "1985-03-14"
    assert ayse.country == "TR"
    assert ayse.custom == {"Loyalty Tier": "gold"}
    assert ayse.raw["Phone"] == "0532 111 22 33"  # raw kept exactly as received
    assert "|phone|" in ayse.changed_fields
    assert run_row.status == "completed" and run_row.rows_rejected == 2


def test_invalid_optional_values_are_flagged_not_dropped(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    run(engine, settings, write("people.csv", PEOPLE), region="TR")
    with engine.connect() as connection:
        ali = connection.execute(
            select(source_records).where(source_records.c.record_id == "4")
        ).one()
        john = connection.execute(
            select(source_records).where(source_records.c.record_id == "2")
        ).one()
    assert ali.phone is None and ali.birth_date is None and ali.country is None
    assert ali.email == "ali@example.com"  # the valid values of the same row landed
    codes = {issue["code"] for issue in ali.issues}
    assert {"phone.invalid", "date.invalid", "country.unknown"} <= codes
    assert {issue["column"] for issue in ali.issues} >= {"Phone", "Birth Date", "Country"}
    assert ali.invalid_fields.count("|") >= 4
    assert john.email is None and john.raw["Email"] == "not-an-email"
    assert john.phone == "+447911123456"


def test_rejected_rows_keep_line_column_value_and_reason(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    run(engine, settings, write("people.csv", PEOPLE), region="TR")
    with engine.connect() as connection:
        rejected = connection.execute(
            select(rejected_rows).order_by(rejected_rows.c.row_number)
        ).all()
    assert [r.row_number for r in rejected] == [4, 5]
    assert rejected[0].first_code == "row.no_identity"
    assert rejected[0].raw["Loyalty Tier"] == "bronze"
    missing_id = rejected[1].reasons[0]
    assert missing_id["code"] == "record_id.missing"
    assert missing_id["column"] == "Customer ID"


def test_a_declared_identifier_is_identity_enough(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    """A row known only by a national id or loyalty card lands once that is declared."""
    declared = settings.model_copy(update={"resolve_identifiers": ["Loyalty Tier"]})
    result = run(engine, declared, write("people.csv", PEOPLE), region="TR")
    assert (result.new, result.rejected) == (4, 1)  # type: ignore[attr-defined]
    with engine.connect() as connection:
        card_only = connection.execute(
            select(source_records).where(source_records.c.record_id == "3")
        ).one()
    assert card_only.custom == {"Loyalty Tier": "bronze"}


def test_no_identity_names_the_declared_identifiers(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    declared = settings.model_copy(update={"resolve_identifiers": ["national_id"]})
    run(engine, declared, write("people.csv", PEOPLE), region="TR")
    with engine.connect() as connection:
        nameless = connection.execute(
            select(rejected_rows).where(rejected_rows.c.row_number == 4)
        ).one()
    assert nameless.first_code == "row.no_identity"
    assert "national_id" in nameless.reasons[0]["message"]


def test_reimport_is_idempotent(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    path = write("people.csv", PEOPLE)
    run(engine, settings, path, region="TR")
    again = run(engine, settings, path, region="TR")
    assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 2)


def test_changed_row_updates_and_keeps_previous_version(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    run(engine, settings, write("people.csv", PEOPLE), region="TR")
    changed = PEOPLE.replace("Ayse.Yilmaz@Example.com", "ayse@yeni.com.tr")
    result = run(engine, settings, write("people2.csv", changed), region="TR")
    assert (result.new, result.updated, result.unchanged) == (0, 1, 2)
    with engine.connect() as connection:
        ayse = connection.execute(
            select(source_records).where(source_records.c.record_id == "1")
        ).one()
        history = connection.execute(select(record_versions)).all()
    assert ayse.email == "ayse@yeni.com.tr" and ayse.version == 2
    assert len(history) == 1
    old = history[0]
    assert old.version == 1 and old.row_id == ayse.id and old.record_table == "source_records"
    assert old.raw["Email"] == "Ayse.Yilmaz@Example.com"
    assert old.attributes["email"] == "Ayse.Yilmaz@example.com"
    assert old.attributes["birth_date"] == "1985-03-14"


def test_duplicate_rows_in_one_file(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    content = (
        "id,email\n"
        "1,a@example.com\n"
        "1,a@example.com\n"  # exact duplicate: unchanged
        "1,b@example.com\n"  # same id, new content: an update within the file
    )
    result = run(engine, settings, write("dup.csv", content))
    assert (result.read, result.new, result.updated, result.unchanged) == (3, 1, 1, 1)
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
        versions = connection.execute(select(record_versions)).all()
    assert record.email == "b@example.com" and record.version == 2 and len(versions) == 1


def test_region_decides_phone_country_and_date_order(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    content = "id,phone,birth date\n1,(212) 555-0142,07/04/1978\n"
    run(engine, settings, write("us.csv", content), region="US")
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert record.phone == "+12125550142"
    assert record.birth_date.isoformat() == "1978-07-04"


def test_without_region_national_phones_and_ambiguous_dates_are_flagged(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    content = "id,name,phone,birth date\n1,Ayşe Yılmaz,0532 111 22 33,07/04/1978\n"
    run(engine, settings, write("p.csv", content))
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert record.phone is None and record.birth_date is None
    assert {i["code"] for i in record.issues} == {"phone.no_region", "date.ambiguous"}
    assert (record.first_name, record.last_name) == ("Ayşe", "Yılmaz")


def test_without_id_column_rows_are_content_addressed(
    engine: Engine, settings: Settings, write
) -> None:  # type: ignore[no-untyped-def]
    path = write("noid.csv", "email,first name\na@example.com,Ann\nb@example.com,Bob\n")
    first = run(engine, settings, path)
    second = run(engine, settings, path)
    assert first.content_ids and (first.new, second.unchanged) == (2, 2)


def test_id_column_option_and_mapping_file(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    mapping = write(
        "mapping.yaml",
        'kind: people\nid_column: "Kod"\nregion: TR\n'
        'columns: {"Sektör": industry, "İş Kolu": industry, "Cep Tel": phone}\n'
        'values: {industry: {"Yazılım Evi": "Technology"}}\n',
    )
    data = write(
        "crm.csv",
        "Kod;Ad;Sektör;İş Kolu;Cep Tel\nK1;Ayşe;;Yazılım Evi;05321112233\nK2;Can;Perakende;;\n",
    )
    result = import_file(
        engine, settings, ImportRequest(path=data, source="crm", mapping_path=mapping)
    )
    assert result.new == 2 and result.mapped_columns["Kod"] == "record_id"
    with engine.connect() as connection:
        rows = {r.record_id: r for r in connection.execute(select(source_records))}
    assert rows["K1"].industry == "Technology" and rows["K1"].phone == "+905321112233"
    assert rows["K2"].industry == "Retail"


def test_jsonl_and_gzip(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "people.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('{"id": 1, "email": "a@example.com", "tags": ["vip"], "age": 41}\n')
        handle.write("[1, 2]\n")
        handle.write("{broken\n")
    result = run(engine, settings, path)
    assert (result.read, result.new, result.rejected) == (3, 1, 2)
    assert result.rejection_codes == {"row.not_object": 1, "row.invalid_json": 1}
    with engine.connect() as connection:
        record = connection.execute(select(source_records)).one()
    assert record.record_id == "1" and record.custom == {"tags": ["vip"], "age": 41}


def test_worker_pool_stores_exactly_what_in_process_cleaning_stores(
    engine: Engine,
    database_url: str,
    write,  # type: ignore[no-untyped-def]
) -> None:
    rows = "".join(
        f"{i},Name{i},user{i}@example.com,0532 111 {i % 100:02d} {i % 97:02d}\n"
        for i in range(1, 301)
    )
    path = write(
        "many.csv",
        "id,first name,email,phone\n" + rows + "5,Name5,user5@example.com,0532 111 05 05\n",
    )
    pooled = Settings(
        database_url=database_url,
        import_workers=2,
        import_batch_size=50,
        parallel_threshold_bytes=0,
    )
    first = import_file(engine, pooled, ImportRequest(path=path, source="a", region="TR"))
    inline = Settings(database_url=database_url, import_workers=0, import_batch_size=50)
    second = import_file(engine, inline, ImportRequest(path=path, source="b", region="TR"))
    assert (
        (first.read, first.new, first.unchanged)
        == (second.read, second.new, second.unchanged)
        == (301, 300, 1)
    )
    with engine.connect() as connection:
        stored = connection.execute(
            select(
                source_records.c.source_id,
                source_records.c.record_id,
                source_records.c.content_hash,
                source_records.c.phone,
            )
        ).all()
    by_source: dict[int, set[tuple[str, str, str]]] = {}
    for source_id, record_id, digest, phone in stored:
        by_source.setdefault(source_id, set()).add((record_id, digest, phone))
    assert len(by_source) == 2
    assert list(by_source.values())[0] == list(by_source.values())[1]


def test_city_keeps_words_that_look_like_titles(engine: Engine, settings: Settings, write) -> None:  # type: ignore[no-untyped-def]
    run(engine, settings, write("c.csv", "id,email,city\n1,a@example.com,Bay City\n"))
    with engine.connect() as connection:
        assert connection.execute(select(source_records.c.city)).scalar_one() == "Bay City"
