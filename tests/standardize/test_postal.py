"""Cases for postal codes per country, lost leading zeros, and unknown countries."""

from __future__ import annotations

import pytest

from kimlik.standardize.postal import standardize_postal_code

GOOD = [
    ("Istanbul", "34000", "TR", "34000"),
    ("trimmed", " 34000 ", "TR", "34000"),
    ("spreadsheet float", "34000.0", "TR", "34000"),
    ("US ZIP", "02108", "US", "02108"),
    ("US ZIP+4", "12345-6789", "US", "12345-6789"),
    ("US ZIP+4 without hyphen", "123456789", "US", "12345-6789"),
    ("GB with space", "SW1A 1AA", "GB", "SW1A 1AA"),
    ("GB without space, lower", "sw1a1aa", "GB", "SW1A 1AA"),
    ("GB short outward", "M1 1AE", "GB", "M1 1AE"),
    ("GB Girobank", "GIR0AA", "GB", "GIR 0AA"),
    ("DE", "10115", "DE", "10115"),
    ("FR", "75001", "FR", "75001"),
    ("NL without space", "1012ab", "NL", "1012 AB"),
    ("NL with space", "1012 AB", "NL", "1012 AB"),
    ("CA without space", "k1a0b1", "CA", "K1A 0B1"),
    ("IT Rome", "00100", "IT", "00100"),
    ("SE", "11455", "SE", "114 55"),
    ("PL", "00-950", "PL", "00-950"),
    ("JP", "1000001", "JP", "100-0001"),
    ("country lower case", "34000", "tr", "34000"),
    ("unknown country kept", "ab12 3cd", None, "AB12 3CD"),
    ("unassigned country kept", "12345", "XX", "12345"),
    ("unknown country with hyphen", "75-001", None, "75-001"),
]


@pytest.mark.parametrize(
    ("text", "country", "expected"), [c[1:] for c in GOOD], ids=[c[0] for c in GOOD]
)
def test_good_postal_codes(text: str, country: str | None, expected: str) -> None:
    result = standardize_postal_code(text, country)
    assert result.value == expected
    assert result.issues == ()


RESTORED = [
    ("Adana lost its zero", "1000", "TR", "01000"),
    ("Ankara lost its zero", "6100", "TR", "06100"),
    ("Boston lost its zero", "2108", "US", "02108"),
    ("ZIP+4 lost its zero", "2108-1234", "US", "02108-1234"),
    ("Dresden lost its zero", "1067", "DE", "01067"),
    ("Ain lost its zero", "1000", "FR", "01000"),
    ("spreadsheet float too", "1000.0", "TR", "01000"),
]


@pytest.mark.parametrize(
    ("text", "country", "expected"), [c[1:] for c in RESTORED], ids=[c[0] for c in RESTORED]
)
def test_leading_zero_restored(text: str, country: str, expected: str) -> None:
    result = standardize_postal_code(text, country)
    assert result.value == expected
    assert [(i.code, i.severity) for i in result.issues] == [
        ("postal_code.zero_restored", "warning")
    ]


BAD = [
    ("TR province 99 does not exist", "99000", "TR"),
    ("TR letters", "ABCDE", "TR"),
    ("TR two digits short", "340", "TR"),
    ("US six digits", "123456", "US"),
    ("GB malformed", "SW1A", "GB"),
    ("NL forbidden SS", "1234 SS", "NL"),
    ("CA with D", "D1A 0B1", "CA"),
    ("NL zero not restored", "234 AB", "NL"),
    ("unknown country, one char", "A", None),
    ("unknown country, punctuation", "!!", None),
    ("unknown country, too long", "12345678901", None),
    ("unknown country, non-ASCII", "İSTANBUL", None),
]


@pytest.mark.parametrize(("text", "country"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_postal_codes(text: str, country: str | None) -> None:
    result = standardize_postal_code(text, country)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["postal_code.invalid"]


def test_blank_postal_code() -> None:
    assert standardize_postal_code(" ", "TR").value is None
    assert standardize_postal_code(None, None).issues == ()
