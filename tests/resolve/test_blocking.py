"""Blocking: the full run's SQL finds exactly the pairs the probe SQL finds.

The full run (every record looks for partners) has SQL of its own, which joins each key
once and finds each pair from one side only. It must give the same candidates as the
incremental run's SQL asked about every record, and a few probes must get exactly the
full run's pairs that touch them: otherwise an incremental run would cluster differently
from ``--full``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from kimlik.resolve.engine import Engine, EngineSettings

FIRST = ["Ayşe", "Ayse", "Aise", "Mehmet", "Robert", "Bob", "Zeynep", "Kaya", "Ali"]
LAST = ["Kaya", "Kayа", "Yılmaz", "Yilmaz", "Smith", "Smyth", "Ayşe", None]
DOMAINS = ["gmail.com", "hotmail.com"]
#: Small enough that some keys are crowds and are skipped.
SETTINGS = EngineSettings(max_block=4)


def _records(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for rid in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = rng.choice(
            [
                f"{first}.{last}",
                f"{first}{last}",
                f"{first[0]}{last}",
                f"{first}{rng.randint(1950, 2000)}",
            ]
        )
        records.append(
            {
                "rid": rid,
                "first_name": first,
                "last_name": last,
                "email": rng.choice(
                    [None, f"{local}@{rng.choice(DOMAINS)}".lower().replace(" ", "")]
                ),
                "phone": rng.choice([None, f"+90532{rng.randint(0, 40):07d}"]),
                "birth_date": rng.choice(
                    [None, f"19{rng.randint(80, 84)}-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}"]
                ),
                "street": rng.choice([None, "1 Main St", "1 Main Street", "Atatürk Cad. No 5"]),
                "postal_code": rng.choice([None, "34000", "34001"]),
                "city": rng.choice([None, "Istanbul", "İstanbul"]),
            }
        )
    return records


@pytest.fixture
def matcher() -> Iterator[Engine]:
    engine = Engine()
    yield engine
    engine.close()


def _pairs(matcher: Engine, probes: list[int] | None) -> set[tuple[int, int]]:
    matcher.candidate_pairs(probes, SETTINGS)
    rows = matcher.connection.execute("SELECT rid_l, rid_r FROM pairs").fetchall()
    return {(int(a), int(b)) for a, b in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_run_finds_the_pairs_every_probe_finds(matcher: Engine, seed: int) -> None:
    records = _records(seed, 160)
    matcher.load(records)
    everyone = [int(r["rid"]) for r in records]
    full = _pairs(matcher, None)
    assert full, "the data must make candidates"
    assert all(a < b for a, b in full)
    assert _pairs(matcher, everyone) == full
    probes = random.Random(seed).sample(everyone, 12)
    touching = {pair for pair in full if pair[0] in probes or pair[1] in probes}
    assert _pairs(matcher, probes) == touching


def test_a_crowd_key_makes_no_pairs(matcher: Engine) -> None:
    shared = {"phone": "+905320000001", "first_name": None, "last_name": None}
    crowd = [{"rid": rid, **shared, "first_name": name} for rid, name in enumerate("ABCDE", 1)]
    matcher.load(crowd)
    assert _pairs(matcher, None) == set()
    matcher.load(crowd[:4])
    assert len(_pairs(matcher, None)) == 6


def test_swapped_names_in_a_crowd_make_no_pairs(matcher: Engine) -> None:
    """Three "Ayşe Kaya" and three "Kaya Ayşe": six records, a crowd when four is the most
    a key may hold, so only each order's namesakes meet; seven may, and they all do."""
    names = [("Ayşe", "Kaya")] * 3 + [("Kaya", "Ayşe")] * 3
    matcher.load(
        {"rid": rid, "first_name": first, "last_name": last}
        for rid, (first, last) in enumerate(names, start=1)
    )
    in_order = {(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6)}
    assert _pairs(matcher, None) == in_order
    assert _pairs(matcher, [1]) == {(1, 2), (1, 3)}
    roomy = EngineSettings(max_block=7)
    matcher.candidate_pairs(None, roomy)
    assert len(matcher.connection.execute("SELECT * FROM pairs").fetchall()) == 15


def _spellings(features: dict[str, Any]) -> dict[str, bool]:
    """A record's name spellings (``NAME_SPELLINGS``) and whether typos in each are sought."""

    def text(*columns: str) -> str | None:
        values = [features.get(column) for column in columns]
        return None if any(v is None for v in values) else "".join(values)

    found: dict[str, bool] = {}
    for columns, deletions in [
        (("first_name_key", "last_name_key"), True),
        (("first_name_canon", "last_name_key"), False),
        (("last_name_key", "first_name_key"), False),
        (("first_name_key", "email_surname"), False),
        (("email_spelling",), True),
    ]:
        spelling = text(*columns)
        if spelling is not None and len(spelling) >= 6:
            found[spelling] = found.get(spelling, False) or deletions
    return found


def _variants_by_hand(records: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Every record's variant texts, each once: the definition, without shortcuts."""
    from kimlik.resolve.blocking import TYPO_KEYS
    from kimlik.resolve.features import match_features

    def deleted(text: str) -> set[str]:
        return {text[:i] + text[i + 1 :] for i in range(len(text))}

    rows: set[tuple[int, str]] = set()
    for record in records:
        features = match_features(record)
        for number, column in enumerate(TYPO_KEYS):
            value = features.get(column)
            if value is not None:
                rows |= {(record["rid"], f"{number}:{v}") for v in {value} | deleted(value)}
        for spelling, deletions in _spellings(features).items():
            texts = {spelling} | (deleted(spelling) if deletions else set())
            rows |= {(record["rid"], f"name:{t}") for t in texts}
    return sorted(rows)


def test_typo_variants_are_every_deletion_once(matcher: Engine) -> None:
    """The variants table holds each record's values, spellings and their one-letter
    deletions exactly once, though it never asks for them to be made distinct: a doubled
    letter ("Millerr": either "r" deleted gives "Miller") and spellings that coincide
    (the full name and its nickname form, "elliemillerr" and the address's letters) each
    give one row."""
    records = _records(4, 120)
    records.append({"rid": 999, "first_name": "Ellie", "last_name": "Millerr",
                    "email": "elliemillerr@gmail.com", "phone": "+905321111112"})  # fmt: skip
    matcher.load(records)
    expected = _variants_by_hand(records)
    hashed = matcher.connection.execute(
        "SELECT rid, hash(t) FROM (SELECT unnest($rids) AS rid, unnest($texts) AS t)",
        {"rids": [rid for rid, _ in expected], "texts": [text for _, text in expected]},
    ).fetchall()
    stored = matcher.connection.execute("SELECT rid, v FROM variants").fetchall()
    assert len(stored) == len(set(stored)), "a (record, variant) row appears twice"
    assert sorted(stored) == sorted(hashed)
