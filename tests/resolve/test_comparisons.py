"""The comparisons' SQL helpers, held to what they stand for.

``one_edit`` stands in for ``damerau_levenshtein(a, b) <= 1`` with cheaper functions; it
must agree with it on every pair, ASCII or not, and never call ``hamming`` on two strings
of different lengths (DuckDB raises an error for that).
"""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kimlik.resolve.comparisons import comparisons, one_edit

CASES = [
    ("same", "ayse.kaya@gmail.com", "ayse.kaya@gmail.com"),
    ("one letter changed", "ayse.kaya@gmail.com", "ayse.kaye@gmail.com"),
    ("neighbours swapped", "ayse.kaya@gmail.com", "ayse.kyaa@gmail.com"),
    ("two letters changed", "ayse.kaya@gmail.com", "ayze.kaye@gmail.com"),
    ("far swap (two edits)", "abcdef", "fbcdea"),
    ("one letter left out", "ayse.kaya@gmail.com", "ayse.kay@gmail.com"),
    ("one letter added at the start", "+905321234567", "9+905321234567"),
    ("two letters left out", "ayse.kaya@gmail.com", "ayse.ka@gmail.com"),
    ("phone digit changed", "+905321234567", "+905321234568"),
    ("phone digits swapped", "+905321234567", "+905321234576"),
    ("Turkish letter for its ASCII twin (two bytes against one)", "ayşe", "ayse"),
    ("two Turkish letters, one byte apart", "ayşe", "ayğe"),
    ("Turkish letter swapped with a neighbour", "şa", "aş"),
    ("empty against one letter", "", "a"),
    ("empty against empty", "", ""),
    ("dates one digit apart", "1985-03-12", "1985-03-13"),
    ("dates with day and month swapped", "1985-03-12", "1985-12-03"),
]


def _agree(connection: duckdb.DuckDBPyConnection, a: str | None, b: str | None) -> None:
    fast, slow = connection.execute(
        f"SELECT {one_edit('$a', '$b')}, damerau_levenshtein($a, $b) <= 1", {"a": a, "b": b}
    ).fetchone() or (None, None)
    assert bool(fast) == bool(slow), (a, b)


@pytest.fixture(scope="module")
def connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.parametrize(("a", "b"), [(a, b) for _, a, b in CASES], ids=[c[0] for c in CASES])
def test_one_edit_agrees_with_the_edit_distance(
    connection: duckdb.DuckDBPyConnection, a: str, b: str
) -> None:
    _agree(connection, a, b)
    _agree(connection, b, a)


def test_one_edit_is_not_true_for_a_missing_value(connection: duckdb.DuckDBPyConnection) -> None:
    for a, b in [(None, "a"), ("a", None), (None, None)]:
        row = connection.execute(f"SELECT {one_edit('$a', '$b')}", {"a": a, "b": b}).fetchone()
        assert row is not None and not row[0]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abş1.@", max_size=7),
    st.lists(st.tuples(st.integers(0, 7), st.sampled_from("abş1.@"), st.integers(0, 3))),
)
def test_one_edit_agrees_on_generated_pairs(text: str, edits: list[tuple[int, str, int]]) -> None:
    """Pairs a few random edits apart (replace, insert, delete, swap), bytes of several widths."""
    other = text
    for position, letter, kind in edits[:2]:
        at = position % (len(other) + 1)
        if kind == 0:
            other = other[:at] + letter + other[at + 1 :]
        elif kind == 1:
            other = other[:at] + letter + other[at:]
        elif kind == 2:
            other = other[:at] + other[at + 1 :]
        elif at + 1 < len(other):
            other = other[:at] + other[at + 1] + other[at] + other[at + 2 :]
    _agree(duckdb.connect(), text, other)


def test_no_level_computes_a_plain_edit_distance_for_every_pair() -> None:
    """The full edit distance only stands behind cheap tests (``one_edit``): computed for
    every pair, it was most of the scoring time."""
    for comparison in comparisons():
        for level in comparison["comparison_levels"]:
            condition = str(level["sql_condition"])
            if "damerau_levenshtein" in condition:
                assert "hamming" in condition, (comparison["output_column_name"], condition)
