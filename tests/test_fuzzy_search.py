"""Misspelled names find their person: sound keys, similar-name search, the keys' writers.

The case tables name each spelling a support agent types (GUIDE habit 8); the searches run
on both stores, on profiles inserted directly (``add``), and the keys' writers (a resolve
run, the stitcher, the 0006 migration's backfill) are checked on their own.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import jellyfish
import pytest
from alembic import command
from sqlalchemy import Engine, column, insert, inspect, select, update
from sqlalchemy import table as sa_table

import kimlik.store
from kimlik.config import Settings
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.golden import NAME_KEY_COLUMNS
from kimlik.identity.service import resolve
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.profiles.fuzzy import near_keys
from kimlik.profiles.name_keys import first_name_key, fold, last_name_key, name_columns
from kimlik.profiles.search import read_criteria, search_profiles
from kimlik.store.engine import open_engine
from kimlik.store.migrate import alembic_config, upgrade
from kimlik.store.tables import profiles
from tests.conftest import POSTGRES_ENV, private_postgres_schema
from tests.server.test_stitching import Sdk, identify

# --- keys ---------------------------------------------------------------------------------

#: (case, typed, stored): names whose keys must agree.
SAME_KEY = [
    ("z typed as s", "Yilmas", "Yılmaz"),
    ("dotless ı typed as i", "Yilmaz", "Yılmaz"),
    ("ü typed as u, letters moved across a vowel", "Oztruk", "Öztürk"),
    ("y for i, th for t", "Smyth", "Smith"),
    ("a missing h", "Smit", "Smith"),
    ("silent h", "Jon", "John"),
    ("c for k", "Katherine", "Catherine"),
    ("sh for ş, i for y", "Aisha", "Ayşe"),
    ("ch for ç", "Chelik", "Çelik"),
    ("sh for ş", "Shahin", "Şahin"),
    ("a dropped vowel", "Husein", "Hüseyin"),
    ("ph for f", "Philip", "Filip"),
    ("ph for v", "Stephen", "Steven"),
    ("d for t", "Mehmed", "Mehmet"),
    ("ğ typed as g", "Dogan", "Doğan"),
    ("ue for ü", "Mueller", "Müller"),
    ("doubled letters", "Smitth", "Smith"),
    ("sch for s", "Schmidt", "Smith"),
]
#: (case, typed, stored): names whose keys must differ.
OTHER_KEY = [
    ("another surname", "Yilmaz", "Yalçın"),
    ("a longer surname", "Smith", "Smithson"),
    ("a missing consonant", "Yilaz", "Yılmaz"),
    ("a consonant missing where ğ is silent", "Doan", "Doğan"),
    ("another first letter, a vowel too", "Ardem", "Erdem"),
]


@pytest.mark.parametrize(("case", "typed", "stored"), SAME_KEY, ids=[c[0] for c in SAME_KEY])
def test_spellings_that_sound_alike_share_a_key(case: str, typed: str, stored: str) -> None:
    assert last_name_key(typed) == last_name_key(stored)


@pytest.mark.parametrize(("case", "typed", "stored"), OTHER_KEY, ids=[c[0] for c in OTHER_KEY])
def test_other_names_have_other_keys(case: str, typed: str, stored: str) -> None:
    assert last_name_key(typed) != last_name_key(stored)


def test_metaphone_misses_cases_the_name_key_catches() -> None:
    """Why Kimlik has its own key (``name_keys``): jellyfish's closest one splits these."""
    missed = [
        (typed, stored)
        for _, typed, stored in SAME_KEY
        if jellyfish.metaphone(fold(typed)) != jellyfish.metaphone(fold(stored))
    ]
    assert {("Smit", "Smith"), ("Aisha", "Ayşe"), ("Chelik", "Çelik")} <= set(missed)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Ayşe Nur", "as", "nr"),  # a double first name keys its first word
        ("Van Dijk", "fn", "tjk"),  # a surname with a particle keys its last word
        ("O'Brien", "o", "brn"),  # punctuation parts words
        ("  ", None, None),
        (None, None, None),
    ],
)
def test_a_name_of_several_words_keys_one_of_them(
    name: str | None, first: str | None, last: str | None
) -> None:
    assert (first_name_key(name), last_name_key(name)) == (first, last)


def test_near_keys_drop_or_swap_one_consonant_but_keep_the_first_letter() -> None:
    assert near_keys("imls") == {"imls", "ils", "ims", "iml", "ilms", "imsl"}
    assert near_keys("ks") == {"ks"}  # short keys are common enough as they are


# --- search -------------------------------------------------------------------------------

PEOPLE = [
    ("Ayşe", "Yılmaz", "İstanbul"),
    ("Mehmet", "Öztürk", "Ankara"),
    ("John", "Smith", "New York"),
    ("Catherine", "Smith", "London"),
    ("Robert", "Smithson", "Leeds"),
    ("Anna", "Smyth", "Dublin"),
    ("Ahmet", "Kaya", "İzmir"),
    ("Leyla", "Koyu", "İzmir"),
    ("Ayşe Nur", "Demir", "Bursa"),
    ("Jan", "Van Dijk", "Utrecht"),
    ("Hüseyin", "Çelik", "Konya"),
    ("Yasemin", "Yalçın", "Adana"),
]
#: (case, typed, expected (name, match) in order); an empty list: a miss that stays one.
SEARCHES = [
    ("z typed as s", "Yilmas", [("Ayşe Yılmaz", "similar")]),
    ("dotless ı typed as i: a prefix match", "yilmaz", [("Ayşe Yılmaz", "exact")]),
    ("first name spelled as it sounds", "Aisha Yilmaz", [("Ayşe Yılmaz", "similar")]),
    ("last name first", "Yilmaz Ayse", [("Ayşe Yılmaz", "similar")]),
    ("transposed letters", "Mehmet Oztruk", [("Mehmet Öztürk", "similar")]),
    ("transposed consonants", "Yimlaz", [("Ayşe Yılmaz", "similar")]),
    ("y for i; Smithson is another name", "Jon Smit", [("John Smith", "similar")]),
    ("c for k", "Katherine Smyth", [("Catherine Smith", "similar")]),
    ("a nickname", "Bob Smithson", [("Robert Smithson", "similar")]),
    ("ç and ü typed as they sound", "Huseyin Chelik", [("Hüseyin Çelik", "similar")]),
    ("a double first name, its first word misspelled", "Aise Demir",
     [("Ayşe Nur Demir", "similar")]),
    ("a surname without its particle", "Dijk", [("Jan Van Dijk", "similar")]),
    ("a short name: the same key, yet unlike names drop out", "Kaia",
     [("Ahmet Kaya", "similar")]),
    ("a prefix finds longer names first, alike names after", "Smit",
     [("John Smith", "exact"), ("Catherine Smith", "exact"), ("Robert Smithson", "exact"),
      ("Anna Smyth", "similar")]),
    ("alike spellings best first", "Smyth",
     [("Anna Smyth", "exact"), ("John Smith", "similar"), ("Catherine Smith", "similar")]),
    ("miss: a missing consonant", "Yilaz", []),
    ("miss: the second word of a double first name", "Nur Demir", []),
    ("miss: another first name", "Jane Smith", []),
    ("miss: a name nobody has", "Jones", []),
]  # fmt: skip


def add(engine: Engine, people: list[tuple[str, str, str]]) -> None:
    """Profiles as a resolve run writes them, golden names keyed."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "status": "active", "first_name": first, "last_name": last, "city": city,
            **name_columns(first, last),
            "attributes": {"first_name": first, "last_name": last}, "lineage": {},
            "record_count": 1, "created_at": now, "updated_at": now,
        }
        for first, last, city in people
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(profiles), rows)


def found(engine: Engine, q: str, limit: int = 20, **filters: str) -> list[tuple[str, str]]:
    page = search_profiles(engine, read_criteria(q, **filters), limit=limit)
    return [(item["name"], item["match"]) for item in page.items]


def test_misspelled_names_find_their_person_and_misses_stay_misses(engine: Engine) -> None:
    add(engine, PEOPLE)
    answers = {case: found(engine, typed) for case, typed, _ in SEARCHES}
    assert answers == {case: expected for case, _, expected in SEARCHES}


def test_similar_names_fill_the_page_where_prefix_matches_end(engine: Engine) -> None:
    add(engine, PEOPLE)
    first = search_profiles(engine, read_criteria("Smit"), limit=2)
    assert [item["match"] for item in first.items] == ["exact", "exact"]
    assert first.next_after is not None
    rest = search_profiles(engine, read_criteria("Smit"), limit=2, after=first.next_after)
    assert [(item["name"], item["match"]) for item in rest.items] == [
        ("Robert Smithson", "exact"),
        ("Anna Smyth", "similar"),
    ]
    assert rest.next_after is None


def test_similar_names_meet_the_other_filters(engine: Engine) -> None:
    add(engine, PEOPLE)
    assert found(engine, "Yilmas", city="istanbul") == [("Ayşe Yılmaz", "similar")]
    assert found(engine, "Yilmas", city="Ankara") == []
    assert found(engine, "Yilmas", country="TR") == []  # nobody here has a country


def test_a_page_of_similar_names_is_the_best_ones(engine: Engine) -> None:
    add(
        engine, [(f"Kişi{n}", "Yılmaz", "Bursa") for n in range(5)] + [("Ali", "Yılmazer", "Bursa")]
    )
    names = found(engine, "Yilmas", limit=3)
    assert names == [(f"Kişi{n} Yılmaz", "similar") for n in range(3)]


# --- the keys' writers ----------------------------------------------------------------------


def keys_of(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(profiles.c.last_name, profiles.c.first_name_key, profiles.c.last_name_key).where(
                profiles.c.status == "active"
            )
        ).all()
    return {str(last): (first_key, last_key) for last, first_key, last_key in rows}


def test_resolve_runs_write_the_keys_and_keep_them_current(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    header = "id,first_name,last_name,email\n"
    crm = tmp_path / "crm.csv"
    crm.write_text(header + "C1,Ayşe,Yılmaz,ayse@example.com\nC2,Hüseyin,Çelik,h@example.com\n")
    import_file(engine, settings, ImportRequest(path=crm, source="crm", kind="people"))
    resolve(engine, engine_settings(settings), full=True)
    assert keys_of(engine) == {"Yılmaz": ("as", "ilms"), "Çelik": ("hsn", "klk")}
    crm.write_text(header + "C1,Ayşe,Öztürk,ayse@example.com\nC3,John,Smith,j@example.com\n")
    import_file(engine, settings, ImportRequest(path=crm, source="crm", kind="people"))
    resolve(engine, engine_settings(settings))  # incremental: a changed name, a new person
    assert keys_of(engine) == {
        "Öztürk": ("as", "ostrk"),
        "Çelik": ("hsn", "klk"),
        "Smith": ("jn", "smt"),
    }
    assert found(engine, "Aisha Oztruk") == [("Ayşe Öztürk", "similar")]


def test_the_stitcher_writes_the_keys_of_people_sdks_identify(
    engine: Engine, settings: Settings
) -> None:
    sdk = Sdk(engine, settings.model_copy(update={"stitch": False}))
    try:
        sdk.send(identify("u1", email="ayse@example.com", firstName="ayşe", lastName="YILMAZ"))
        sdk.stitch()
    finally:
        sdk.stitcher.close()
    assert keys_of(engine) == {"Yilmaz": ("as", "ilms")}
    assert found(engine, "Aisha Yilmas") == [("Ayşe Yilmaz", "similar")]


OLD_PROFILES = [
    ("Ayşe", "Yılmaz"),
    ("Mehmet", "Öztürk"),
    (None, "Smith"),
    ("John", None),
    (None, None),
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_keys_profiles_written_before_it(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        _migrate_and_check(f"sqlite:///{tmp_path / 'old.db'}")
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL storage tests skipped")
    with private_postgres_schema(base) as url:
        _migrate_and_check(url)


def _migrate_and_check(url: str) -> None:
    """Down to 0005, profiles written as then (no keys), up again: every name keyed, in
    batches (the backfill run once more with batches of two)."""
    engine = open_engine(url)
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert "first_name_key" not in {c["name"] for c in inspect(engine).get_columns("profiles")}
    old = sa_table("profiles", *(column(name) for name in ("status", "first_name", "last_name",
                   "attributes", "lineage", "record_count", "created_at", "updated_at")))  # fmt: skip
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(old),
            [
                {"status": "active", "first_name": first, "last_name": last, "attributes": "{}",
                 "lineage": "{}", "record_count": 1, "created_at": now, "updated_at": now}
                for first, last in OLD_PROFILES
            ],
        )  # fmt: skip
    upgrade(engine)
    expected = [tuple(name_columns(first, last).values()) for first, last in OLD_PROFILES]
    assert _keys_by_id(engine) == expected
    assert found(engine, "Aisha Yilmas") == [("Ayşe Yılmaz", "similar")]
    with engine.begin() as connection:
        connection.execute(update(profiles).values(dict.fromkeys(NAME_KEY_COLUMNS)))
        migration = _migration_module()
        migration.BATCH = 2
        migration.backfill(connection)
    assert _keys_by_id(engine) == expected
    engine.dispose()


def _keys_by_id(engine: Engine) -> list[tuple[str | None, ...]]:
    with engine.connect() as connection:
        statement = select(*(profiles.c[name] for name in NAME_KEY_COLUMNS))
        return [tuple(row) for row in connection.execute(statement.order_by(profiles.c.id))]


def _migration_module() -> ModuleType:
    path = Path(kimlik.store.__file__).parent / "migrations/versions/0006_profile_name_keys.py"
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
