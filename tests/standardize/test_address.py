"""Cases for street lines: English and Turkish abbreviations, units, titles, idempotence."""

from __future__ import annotations

import pytest

from kimlik.standardize.address import normalize_street, street_tokens

STREETS = [
    ("St. and Apt", "12 Main St., Apt 4", "12 main street apt 4"),
    ("spelled out apartment", "12 main street apartment 4", "12 main street apt 4"),
    ("hash for the unit", "12 Main Street #4", "12 main street apt 4"),
    ("Apt # written once", "12 Oak Dr Apt #4", "12 oak drive apt 4"),
    ("Suite and Unit", "100 Market Street Suite 300", "100 market street apt 300"),
    ("Ste", "100 Market St Ste 300", "100 market street apt 300"),
    ("Unit", "100 Market St Unit 300", "100 market street apt 300"),
    ("Ave", "5 Elm Ave", "5 elm avenue"),
    ("Av.", "5 Elm Av.", "5 elm avenue"),
    ("Rd", "7 Mill Rd", "7 mill road"),
    ("Blvd", "9 Sunset Blvd", "9 sunset boulevard"),
    ("Ln", "3 Cherry Ln", "3 cherry lane"),
    ("Str", "Hauptstr 5", "hauptstr 5"),
    ("Str. as a word", "Haupt Str. 5", "haupt street 5"),
    ("direction after the type", "Main St N", "main street north"),
    ("direction before the name", "12 W 42nd St", "12 west 42nd street"),
    ("two-letter direction", "12 NE Oak Ave", "12 northeast oak avenue"),
    ("St. before a name is Saint", "St. John's Rd", "saint johns road"),
    ("Dr before a name is a title", "Dr. Sadık Ahmet Cad. No 12", "dr sadik ahmet caddesi no 12"),
    ("Dr at the end is Drive", "Oak Dr", "oak drive"),
    ("number and letter split", "4B Elm Ave", "4 b elm avenue"),
    ("hyphenated unit letter", "4-B Elm Ave", "4 b elm avenue"),
    ("ordinal kept whole", "1st St", "1st street"),
    ("Turkish Cad. No: D:", "Atatürk Cad. No:5 D:3", "ataturk caddesi no 5 daire 3"),
    ("Turkish Cd. No.", "İstiklal Cd. No.5", "istiklal caddesi no 5"),
    ("Turkish Caddesi spelled out", "İSTİKLAL CADDESİ NO 5", "istiklal caddesi no 5"),
    ("Turkish Mah. and Sk.", "Moda Mah. Şair Nefi Sk. No:3", "moda mahallesi sair nefi sokak no 3"),
    ("Turkish Mh. and Sok.", "Moda Mh. Şair Nefi Sok. No 3", "moda mahallesi sair nefi sokak no 3"),
    ("Turkish Sokağı", "Şair Nefi Sokağı No 3", "sair nefi sokak no 3"),
    ("Turkish Blv.", "Atatürk Blv. No:5", "ataturk bulvari no 5"),
    ("Turkish Bulvarı", "Atatürk Bulvarı No 5", "ataturk bulvari no 5"),
    ("Turkish K: and D:", "Gül Apt. K:2 D:4", "gul apt kat 2 daire 4"),
    ("Turkish Kat and Daire", "Gül Apartmanı Kat 2 Daire 4", "gul apt kat 2 daire 4"),
    ("Blok D is not a daire", "Blok D", "blok d"),
    ("slash between numbers", "1203. Sk. No: 7/2", "1203 sokak no 7 2"),
    ("dotless ı folded", "Işık Sokak", "isik sokak"),
    ("whitespace and punctuation", "  12,  Main   St. ;", "12 main street"),
    ("blank", "   ", None),
    ("only punctuation", "--- / ---", None),
    ("none", None, None),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in STREETS], ids=[c[0] for c in STREETS]
)
def test_normalize_street(text: str | None, expected: str | None) -> None:
    assert normalize_street(text) == expected


@pytest.mark.parametrize("text", [c[1] for c in STREETS], ids=[c[0] for c in STREETS])
def test_normalize_street_is_idempotent(text: str | None) -> None:
    once = normalize_street(text)
    assert normalize_street(once) == once


SAME = [
    (
        "St. vs Street vs #",
        ["12 Main St. Apt 4", "12 Main Street #4", "12 main street apartment 4"],
    ),
    (
        "Turkish abbreviations",
        ["Atatürk Cad. No:5 D:3", "ATATÜRK CADDESİ NO 5 DAİRE 3", "Ataturk Cd. No.5 D.3"],
    ),
    ("Turkish i's", ["İnönü Sk. No 1", "Inonu Sokak No 1", "ınönü sok no 1"]),
]


@pytest.mark.parametrize("spellings", [c[1] for c in SAME], ids=[c[0] for c in SAME])
def test_spellings_agree(spellings: list[str]) -> None:
    assert len({normalize_street(text) for text in spellings}) == 1


TOKENS = [
    ("words of the key", "12 Main St. Apt 4", {"12", "main", "street", "apt", "4"}),
    ("repeated word once", "Main Main St", {"main", "street"}),
    ("blank", "  ", set()),
    ("none", None, set()),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in TOKENS], ids=[c[0] for c in TOKENS])
def test_street_tokens(text: str | None, expected: set[str]) -> None:
    assert street_tokens(text) == frozenset(expected)
