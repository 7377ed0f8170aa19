"""Cases for countries: codes, English and Turkish names, aliases."""

from __future__ import annotations

import pycountry
import pytest

from kimlik.standardize.countries import is_country_code, standardize_country

CASES = [
    ("alpha-2", "TR", "TR"),
    ("alpha-2 lower", "tr", "TR"),
    ("alpha-3", "TUR", "TR"),
    ("numeric", "792", "TR"),
    ("Türkiye", "Türkiye", "TR"),
    ("Turkey", "Turkey", "TR"),
    ("Turkiye without dots", "TURKIYE", "TR"),
    ("Türkiye Cumhuriyeti", "Türkiye Cumhuriyeti", "TR"),
    ("USA", "USA", "US"),
    ("U.S.A. with dots", "U.S.A.", "US"),
    ("United States of America", "United States of America", "US"),
    ("ABD", "ABD", "US"),
    ("Amerika", "Amerika", "US"),
    ("Amerika Birleşik Devletleri", "Amerika Birleşik Devletleri", "US"),
    ("UK", "UK", "GB"),
    ("U.K.", "U.K.", "GB"),
    ("England", "England", "GB"),
    ("Scotland", "scotland", "GB"),
    ("Wales", "Wales", "GB"),
    ("İngiltere", "İngiltere", "GB"),
    ("INGILTERE without dotted İ", "INGILTERE", "GB"),
    ("Birleşik Krallık", "Birleşik Krallık", "GB"),
    ("Holland", "Holland", "NL"),
    ("Hollanda", "Hollanda", "NL"),
    ("Almanya", "Almanya", "DE"),
    ("Germany", "germany", "DE"),
    ("Fransa from the Turkish catalogue", "Fransa", "FR"),
    ("Yunanistan from the Turkish catalogue", "Yunanistan", "GR"),
    ("Güney Kore", "Güney Kore", "KR"),
    ("South Korea common name", "South Korea", "KR"),
    ("Republic of Korea turned round", "Republic of Korea", "KR"),
    ("Iran common name", "Iran", "IR"),
    ("Congo is the Republic", "Congo", "CG"),
    ("Virgin Islands, U.S.", "Virgin Islands, U.S.", "VI"),
    ("US Virgin Islands", "U.S. Virgin Islands", "VI"),
    ("Kıbrıs", "Kıbrıs", "CY"),
    ("extra spaces", "  United   Kingdom ", "GB"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_standardize_country(text: str, expected: str) -> None:
    result = standardize_country(text)
    assert result.value == expected
    assert result.issues == ()


UNKNOWN = [
    ("KKTC is left unknown", "KKTC"),
    ("K.K.T.C. with dots", "K.K.T.C."),
    ("made up", "Narnia"),
    ("unassigned code", "XX"),
    ("punctuation", "--"),
]


@pytest.mark.parametrize("text", [c[1] for c in UNKNOWN], ids=[c[0] for c in UNKNOWN])
def test_unknown_country(text: str) -> None:
    result = standardize_country(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["country.unknown"]


def test_every_alpha2_code_maps_to_itself() -> None:
    for country in pycountry.countries:
        assert standardize_country(country.alpha_2).value == country.alpha_2
        assert standardize_country(country.alpha_3).value == country.alpha_2


def test_every_english_name_maps_to_its_country() -> None:
    for country in pycountry.countries:
        assert standardize_country(country.name).value == country.alpha_2, country.name


@pytest.mark.parametrize(
    ("code", "expected"), [("TR", True), ("XX", False), ("tr", False)], ids=["TR", "XX", "tr"]
)
def test_is_country_code(code: str, expected: bool) -> None:
    assert is_country_code(code) is expected
