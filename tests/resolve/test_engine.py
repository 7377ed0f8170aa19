"""The matcher end to end on a handful of records: blocking, scoring, what a pair says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kimlik.resolve.engine import (
    SHIPPED,
    Engine,
    EngineSettings,
    Scored,
    default_model,
    outgrown,
    superseded,
)
from kimlik.resolve.features import match_features
from kimlik.resolve.scoring import level_labels

SETTINGS = EngineSettings()


@pytest.fixture
def matcher() -> Iterator[Engine]:
    engine = Engine()
    yield engine
    engine.close()


def _run(matcher: Engine, records: list[dict[str, Any]]) -> Scored:
    matcher.load({"rid": rid, **record} for rid, record in enumerate(records, start=1))
    model = matcher.train(SETTINGS)
    matcher.candidate_pairs(None, SETTINGS)
    return matcher.score(model, min_weight=-100)


def _pair(scored: Scored) -> tuple[float, bool, dict[str, int]]:
    (pair,) = scored.pairs
    return pair.weight, pair.identifier, scored.evidence[(pair.left, pair.right)]


def test_email_typo_is_found_and_scored_as_a_typo(matcher: Engine) -> None:
    scored = _run(
        matcher,
        [
            {"first_name": "Steven", "last_name": "Hall", "email": "syeven.hall@hotmail.co.uk"},
            {"first_name": "Steven", "email": "steven.hall@hotmail.co.uk"},
        ],
    )
    weight, identifier, evidence = _pair(scored)
    assert not identifier
    assert _level(scored, "email") == "one typo"
    assert weight > SETTINGS.link_weight
    assert evidence["email"] >= 0


def _level(scored: Scored, comparison: str) -> str:
    return level_labels(default_model())[comparison][_pair(scored)[2][comparison]]


def test_phone_typo_is_a_candidate(matcher: Engine) -> None:
    scored = _run(
        matcher,
        [
            {"first_name": "Özgür", "last_name": "Kaya", "phone": "+905074735960"},
            {"first_name": "Özgür", "last_name": "Kaya", "phone": "+905074725960"},
        ],
    )
    assert len(scored.pairs) == 1


LIAM = {"first_name": "Liam", "last_name": "Laing", "city": "Padstow"}
LEVELS = [
    (
        "separator variants of a name address are no typo",
        {"first_name": "Zuhal", "last_name": "Çelik", "email": "zuhal_celik@gmail.com"},
        {"first_name": "Zuhal", "last_name": "Çelik", "email": "zuhal.celik@yahoo.com"},
        "email",
        "all other comparisons",
    ),
    (
        # each address spells its owner's name: they differ because the names do
        "two name addresses a letter apart are no typo",
        {"first_name": "Gökhan", "last_name": "Arslan", "email": "gokhan.arslan@gmail.com"},
        {"first_name": "Gökhan", "last_name": "Aslan", "email": "gokhan.aslan@gmail.com"},
        "email",
        "all other comparisons",
    ),
    (
        "a birth year one off on the same day",
        {"first_name": "Kürşat", "last_name": "Gündoğdu", "birth_date": "1990-06-20"},
        {"first_name": "Kürşat", "last_name": "Gündoğdu", "birth_date": "1989-06-20"},
        "birth_date",
        "year one off",
    ),
    (
        "a similar street under another postal code",
        {**LIAM, "street": "7 Theodore Street", "postal_code": "6004"},
        {**LIAM, "street": "7 Theodore Stret", "postal_code": "6040"},
        "address",
        "similar street, other postal code",
    ),
]


@pytest.mark.parametrize(
    ("left", "right", "comparison", "level"), [c[1:] for c in LEVELS], ids=[c[0] for c in LEVELS]
)
def test_a_pair_falls_in_its_level(
    matcher: Engine, left: dict[str, Any], right: dict[str, Any], comparison: str, level: str
) -> None:
    assert _level(_run(matcher, [left, right]), comparison) == level


def test_a_birth_year_one_off_still_links(matcher: Engine) -> None:
    _, left, right, _, _ = next(case for case in LEVELS if case[4] == "year one off")
    assert _pair(_run(matcher, [left, right]))[0] > SETTINGS.link_weight


def test_swapped_names_are_compared_aligned(matcher: Engine) -> None:
    """A swap falls in the names' exact levels (frequency-adjusted), not a level of its own."""
    in_order = _run(
        matcher,
        [
            {"first_name": "Umut", "last_name": "Demir", "city": "Antalya"},
            {"first_name": "Umut", "last_name": "Demir", "city": "Kayseri"},
        ],
    )
    levels_in_order = _pair(in_order)[2]
    swapped = _run(
        matcher,
        [
            {"first_name": "Umut", "last_name": "Demir", "city": "Antalya"},
            {"first_name": "Demir", "last_name": "Umut", "city": "Kayseri"},
        ],
    )
    levels = _pair(swapped)[2]
    assert (levels["first_name"], levels["last_name"]) == (
        levels_in_order["first_name"],
        levels_in_order["last_name"],
    )


def test_shared_email_is_flagged_as_an_identifier(matcher: Engine) -> None:
    scored = _run(
        matcher,
        [
            {"first_name": "Mary", "last_name": "Brown", "email": "marybrown@gmail.com"},
            {"email": "MaryBrown@gmail.com"},
        ],
    )
    assert _pair(scored)[1] is True


def test_surname_from_the_email_makes_a_candidate(matcher: Engine) -> None:
    scored = _run(
        matcher,
        [
            {"first_name": "Jean", "last_name": "Wilson", "phone": "+441412303557"},
            {"first_name": "Jean", "email": "jeanwilson@hotmail.co.uk"},
        ],
    )
    assert len(scored.pairs) == 1


ECEM = {"first_name": "Ecem", "last_name": "Karakaya", "phone": "+905321112233"}
SPELLED = [
    ("address run together", ECEM, {"first_name": "Ecem", "email": "ecemkarakaya@yahoo.com"}),
    (
        "address with no name beside it",
        {"first_name": "Sultan", "last_name": "Şahin", "phone": "+905321112233"},
        {"email": "sultan_sahin@gmail.com"},
    ),
    ("surname first", ECEM, {"email": "karakaya.ecem@icloud.com"}),
    ("initial and surname", ECEM, {"first_name": "Ecme", "email": "ekarakaya@gmail.com"}),
    ("full name with a typo", ECEM, {"first_name": "Ecme", "last_name": "Karakaya"}),
    (
        "maiden name in a family address",
        ECEM,
        {"first_name": "Ecem", "last_name": "Yıldız", "email": "karakaya.aile@x.com"},
    ),
    (
        "birth year in the address",
        {**ECEM, "birth_date": "1994-03-07"},
        {"first_name": "Ecem", "email": "ecem1994@gmail.com"},
    ),
]


@pytest.mark.parametrize(("known", "other"), [c[1:] for c in SPELLED], ids=[c[0] for c in SPELLED])
def test_a_name_spelled_another_way_makes_a_candidate(
    matcher: Engine, known: dict[str, Any], other: dict[str, Any]
) -> None:
    matcher.load([{"rid": 1, **known}, {"rid": 2, **other}])
    assert matcher.candidate_pairs(None, SETTINGS) == 1


def test_sharing_initial_and_surname_alone_makes_no_candidate(matcher: Engine) -> None:
    """Ayşe and Ahmet Kaya both spell "akaya": only an address may meet them that way."""
    matcher.load(
        [
            {"rid": 1, "first_name": "Ayşe", "last_name": "Kaya", "phone": "+905321112233"},
            {"rid": 2, "first_name": "Ahmet", "last_name": "Kaya", "phone": "+905557778899"},
            {"rid": 3, "first_name": "Ali", "email": "akaya@gmail.com"},
        ]
    )
    assert matcher.candidate_pairs(None, SETTINGS) == 2  # each Kaya with the address


def test_a_bare_first_name_address_makes_no_candidate(matcher: Engine) -> None:
    """``richard1954@`` and ``richard2001@`` name two Richards, not one person."""
    matcher.load(
        [
            {"rid": 1, "first_name": "Rick", "email": "richard1954@outlook.com"},
            {"rid": 2, "first_name": "Dick", "email": "richard2001@yahoo.com"},
        ]
    )
    assert matcher.candidate_pairs(None, SETTINGS) == 0


def test_shipped_model_is_marked_and_outgrown_by_a_larger_store(matcher: Engine) -> None:
    matcher.load([{"rid": 1, "first_name": "Ali"}, {"rid": 2, "first_name": "Veli"}])
    model = matcher.train(SETTINGS)
    assert model[SHIPPED] is True
    assert not outgrown(model, SETTINGS.min_training_records - 1, SETTINGS)
    assert outgrown(model, SETTINGS.min_training_records, SETTINGS)
    assert not outgrown({"comparisons": []}, 10**6, SETTINGS)  # trained on the store
    assert not outgrown(None, 10**6, SETTINGS)


def test_a_model_of_other_comparisons_is_superseded() -> None:
    """An upgrade that changes a comparison retrains instead of scoring with the old levels."""
    model = default_model()
    assert not superseded(model) and not superseded(None)
    del model["comparisons"][0]["comparison_levels"][-2]
    assert superseded(model)


def test_declared_identifier_one_typo_apart_is_trusted(matcher: Engine) -> None:
    scored = _run(
        matcher,
        [
            {"first_name": "Finlay", "last_name": "White", "external_id": "ssn:3787407"},
            {"first_name": "Finlay", "last_name": "White", "external_id": "ssn:3787470"},
        ],
    )
    (pair,) = scored.pairs
    assert pair.trusted and not pair.identifier  # trusted, but not linked on that alone


def test_large_stores_train_on_a_sample(matcher: Engine) -> None:
    """Above ``training_sample`` records the model is learnt from a random sample."""
    records = [
        {"rid": i, "first_name": f"N{i % 37}", "last_name": f"L{i % 53}", "email": f"p{i}@x.com"}
        for i in range(1, 1301)
    ]
    matcher.load(records)
    settings = EngineSettings(min_training_records=100, training_sample=400)
    model = matcher.train(settings)
    assert "comparisons" in model and not model.get("kimlik_shipped_model")
    sample = matcher.connection.execute("SELECT count(*) FROM training_sample").fetchone()
    assert sample == (400,)


def test_training_leaves_no_splink_tables_in_the_index(matcher: Engine) -> None:
    """Splink's working tables (training pairs) would otherwise fill the match index file."""
    records = [
        {"rid": i, "first_name": f"N{i % 37}", "last_name": f"L{i % 53}", "email": f"p{i}@x.com"}
        for i in range(1, 301)
    ]
    matcher.load(records)
    matcher.train(EngineSettings(min_training_records=100))
    tables = matcher.connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%splink%'"
    ).fetchall()
    assert tables == []


def test_the_training_sample_does_not_depend_on_the_load_order() -> None:
    """The same records loaded in another order train on the same sample."""
    records = [
        {"rid": i, "first_name": f"N{i % 37}", "last_name": f"L{i % 53}", "email": f"p{i}@x.com"}
        for i in range(1, 1301)
    ]
    settings = EngineSettings(min_training_records=100, training_sample=400)
    samples = []
    for order in (records, records[::-1]):
        engine = Engine()
        engine.load(order)
        engine.train(settings)
        rows = engine.connection.execute("SELECT rid FROM training_sample").fetchall()
        samples.append([rid for (rid,) in rows])
        engine.close()
    assert samples[0] == samples[1] == sorted(samples[0])
    assert len(samples[0]) == 400


def test_upserted_features_index_as_a_fresh_load_would(matcher: Engine) -> None:
    """Changed records replace their rows (variants too); new ones are added."""
    ada = {"first_name": "Ada", "last_name": "Kaya", "email": "ada.kaya@example.com"}
    matcher.load([{"rid": 1, **ada}, {"rid": 2, "first_name": "Can", "phone": "+905321112233"}])
    changed = {"rid": 1, **ada, "email": "ada.k@example.org"}
    new = {"rid": 3, "first_name": "Ece", "email": "ece@example.com"}
    matcher.upsert_features(match_features(r) | {"rid": r["rid"]} for r in (changed, new))
    fresh = Engine()
    try:
        fresh.load([changed, {"rid": 2, "first_name": "Can", "phone": "+905321112233"}, new])
        for table in ("records", "variants"):
            query = f"SELECT * FROM {table} ORDER BY ALL"
            assert matcher.connection.execute(query).fetchall() == (
                fresh.connection.execute(query).fetchall()
            )
    finally:
        fresh.close()
