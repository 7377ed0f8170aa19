"""Cases for picklist values against the built-in and custom vocabularies."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from kimlik.standardize.picklists import (
    CONSENT_STATUS,
    EDUCATION,
    GENDER,
    INDUSTRY,
    MARITAL_STATUS,
    fold_value,
)
from kimlik.standardize.text import fold_key

CASES: list[tuple[str, str, Mapping[str, str], str]] = [
    ("gender F", "F", GENDER, "female"),
    ("gender K is kadın", "K", GENDER, "female"),
    ("gender Kadın", "Kadın", GENDER, "female"),
    ("gender KADIN upper", "KADIN", GENDER, "female"),
    ("gender kadin without dotless i", "kadin", GENDER, "female"),
    ("gender Bayan", "Bayan", GENDER, "female"),
    ("gender woman", "Woman", GENDER, "female"),
    ("gender M", "m", GENDER, "male"),
    ("gender E is erkek", "E", GENDER, "male"),
    ("gender Erkek", "Erkek", GENDER, "male"),
    ("gender Bay", "Bay", GENDER, "male"),
    ("gender diğer", "Diğer", GENDER, "other"),
    ("gender non-binary", "Non-binary", GENDER, "other"),
    ("canonical value itself", "female", GENDER, "female"),
    ("marital bekar", "Bekar", MARITAL_STATUS, "single"),
    ("marital bekâr with circumflex", "bekâr", MARITAL_STATUS, "single"),
    ("marital evli", "EVLİ", MARITAL_STATUS, "married"),
    ("marital boşanmış", "Boşanmış", MARITAL_STATUS, "divorced"),
    ("marital dul", "Dul", MARITAL_STATUS, "widowed"),
    ("education lise", "Lise", EDUCATION, "high_school"),
    ("education ön lisans", "Ön Lisans", EDUCATION, "associate"),
    ("education lisans", "lisans", EDUCATION, "bachelor"),
    ("education üniversite", "Üniversite", EDUCATION, "bachelor"),
    ("education yüksek lisans", "Yüksek Lisans", EDUCATION, "master"),
    ("education doktora", "Doktora", EDUCATION, "doctorate"),
    ("education canonical with underscore", "high_school", EDUCATION, "high_school"),
    ("education canonical with space", "High School", EDUCATION, "high_school"),
    ("industry Tech", "Tech", INDUSTRY, "Technology"),
    ("industry IT", "IT", INDUSTRY, "Technology"),
    ("industry Bilişim", "Bilişim", INDUSTRY, "Technology"),
    ("industry Yazılım upper", "YAZILIM", INDUSTRY, "Technology"),
    ("industry Bankacılık", "Bankacılık", INDUSTRY, "Finance"),
    ("industry İmalat", "İmalat", INDUSTRY, "Manufacturing"),
    ("industry STK", "STK", INDUSTRY, "Non-profit"),
    ("industry Sivil toplum", "Sivil Toplum", INDUSTRY, "Non-profit"),
    ("industry Gıda", "Gıda", INDUSTRY, "Food & Beverage"),
    ("industry canonical", "Real Estate", INDUSTRY, "Real Estate"),
    ("industry canonical folded", "real-estate", INDUSTRY, "Real Estate"),
    ("consent onay", "Onay", CONSENT_STATUS, "granted"),
    ("consent izin verildi", "İzin verildi", CONSENT_STATUS, "granted"),
    ("consent yes", "YES", CONSENT_STATUS, "granted"),
    ("consent true", "true", CONSENT_STATUS, "granted"),
    ("consent opt-in", "Opt-in", CONSENT_STATUS, "granted"),
    ("consent 1", "1", CONSENT_STATUS, "granted"),
    ("consent ret", "Ret", CONSENT_STATUS, "denied"),
    ("consent reddedildi", "Reddedildi", CONSENT_STATUS, "denied"),
    ("consent opt-out", "opt out", CONSENT_STATUS, "denied"),
    ("consent geri çekildi", "Geri çekildi", CONSENT_STATUS, "withdrawn"),
    ("consent iptal", "İPTAL", CONSENT_STATUS, "withdrawn"),
    ("consent unsubscribed", "Unsubscribed", CONSENT_STATUS, "withdrawn"),
]


@pytest.mark.parametrize(
    ("text", "vocabulary", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fold_value(text: str, vocabulary: Mapping[str, str], expected: str) -> None:
    result = fold_value(text, vocabulary, closed=True)
    assert result.value == expected
    assert result.issues == ()


def test_open_vocabulary_keeps_cleaned_text() -> None:
    result = fold_value("  Space   Mining ", INDUSTRY)
    assert result.value == "Space Mining"
    assert result.issues == ()


def test_closed_vocabulary_reports_the_attribute() -> None:
    result = fold_value("Maybe", GENDER, closed=True, attribute="gender")
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["gender.unknown_value"]


def test_default_attribute_name() -> None:
    result = fold_value("Maybe", CONSENT_STATUS, closed=True)
    assert [issue.code for issue in result.issues] == ["value.unknown_value"]


@pytest.mark.parametrize(
    "text", [None, "", " ", "-", "?"], ids=["None", "empty", "blank", "-", "?"]
)
def test_blank_values(text: str | None) -> None:
    result = fold_value(text, GENDER, closed=True)
    assert result.value is None
    assert result.issues == ()


def test_custom_vocabulary_from_a_mapping_file() -> None:
    vocabulary = {"Tech": "Technology", "Bilişim": "Technology", "Perakende": "Retail"}
    assert fold_value("BİLİŞİM", vocabulary).value == "Technology"
    assert fold_value("retail", vocabulary).value == "Retail"
    assert fold_value("Tarım", vocabulary).value == "Tarım"


@pytest.mark.parametrize(
    "vocabulary",
    [GENDER, MARITAL_STATUS, EDUCATION, INDUSTRY, CONSENT_STATUS],
    ids=["GENDER", "MARITAL_STATUS", "EDUCATION", "INDUSTRY", "CONSENT_STATUS"],
)
def test_no_spelling_means_two_things(vocabulary: Mapping[str, str]) -> None:
    seen: dict[str, str] = {}
    for spelling, canonical in vocabulary.items():
        key = fold_key(spelling)
        assert seen.setdefault(key, canonical) == canonical, spelling
    for canonical in set(vocabulary.values()):
        assert fold_value(canonical, vocabulary).value == canonical
