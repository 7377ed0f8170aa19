"""Cases for person names: titles, Turkish casing, prefixes, and splitting a full name."""

from __future__ import annotations

import pytest

from kimlik.standardize.names import split_full_name, standardize_name

NAMES = [
    ("English upper", "WILLIAM", "William"),
    ("English lower", "william", "William"),
    ("Turkish dotless I upper", "IŞIK", "Işık"),
    ("Turkish dotted İ upper", "İLKER", "İlker"),
    ("Turkish dotless ı lower", "ılgaz", "Ilgaz"),
    ("ismail is undecidable", "ismail", "Ismail"),
    ("ISMAIL is undecidable", "ISMAIL", "Ismail"),
    ("İ elsewhere makes every I dotless", "MEHMET ALİ KIRIMLI", "Mehmet Ali Kırımlı"),
    ("ş elsewhere makes initial i dotted", "ayşe ilknur", "Ayşe İlknur"),
    ("English word next to Turkish word", "AYŞE WILLIAM", "Ayşe William"),
    ("Turkish S-cedilla and I", "ŞIRIN", "Şırın"),
    ("Turkish soft g", "ÇAĞLA", "Çağla"),
    ("German umlaut", "ÖZGÜR", "Özgür"),
    ("Mc prefix lower", "mcdonald", "McDonald"),
    ("Mc prefix upper", "MCDONALD", "McDonald"),
    ("Mac from the list", "MACDONALD", "MacDonald"),
    ("Mac not on the list", "MACKENZIE", "Mackenzie"),
    ("O apostrophe", "o'neil", "O'Neil"),
    ("D apostrophe upper", "D'ANGELO", "D'Angelo"),
    ("typographic apostrophe", "o’brien", "O’Brien"),
    ("long prefix apostrophe", "dell'acqua", "Dell'acqua"),
    ("hyphenated", "jean-luc", "Jean-Luc"),
    ("hyphenated Turkish", "AYŞE-NUR", "Ayşe-Nur"),
    ("particles stay lower", "van der berg", "van der Berg"),
    ("two given names", "AYŞE NUR", "Ayşe Nur"),
    ("mixed case kept", "DeShawn", "DeShawn"),
    ("mixed case McDonald kept", "McDonald", "McDonald"),
    ("mixed case odd kept", "aYşE", "aYşE"),
    ("whitespace fixed", "  Ayşe   Nur ", "Ayşe Nur"),
    ("Mr removed", "Mr. John", "John"),
    ("Mrs without dot", "Mrs Smith", "Smith"),
    ("Prof. Dr. removed", "Prof. Dr. Ahmet", "Ahmet"),
    ("Op. Dr. removed", "Op. Dr. Ayşe", "Ayşe"),
    ("Op alone is a name", "Op Kaya", "Op Kaya"),
    ("Sayın removed", "Sayın Ayşe", "Ayşe"),
    ("SAYIN upper removed", "SAYIN AYŞE", "Ayşe"),
    ("Sn. removed", "Sn. Mehmet", "Mehmet"),
    ("Av. removed", "Av. Zeynep", "Zeynep"),
    ("title glued by a dot", "Dr.Ahmet", "Ahmet"),
    ("Bay removed", "Bay Ahmet", "Ahmet"),
    ("Bey suffix removed", "Ahmet Bey", "Ahmet"),
    ("Hanım suffix removed", "Ayşe Hanım", "Ayşe"),
    ("Hanım alone is a name", "Hanım", "Hanım"),
    ("Bay alone is a surname", "Bay", "Bay"),
    ("single initial", "j", "J"),
    ("German sharp s", "ß", "Ss"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_standardize_name(text: str, expected: str) -> None:
    result = standardize_name(text)
    assert result.value == expected
    assert result.issues == ()


INVALID = [
    ("digits", "John2"),
    ("only digits", "12345"),
    ("no letters", "---"),
    ("an email address", "ayse@example.com"),
    ("only a title", "Mr."),
    ("only titles", "Prof. Dr."),
]


@pytest.mark.parametrize("text", [c[1] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_names(text: str) -> None:
    result = standardize_name(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["name.invalid"]


@pytest.mark.parametrize("text", [None, "", "  "], ids=["None", "empty", "blank"])
def test_blank_name(text: str | None) -> None:
    assert standardize_name(text).value is None
    assert standardize_name(text).issues == ()


FULL_NAMES = [
    ("first and last", "John Smith", ("John", "Smith")),
    ("Turkish two given names", "Ayşe Nur Yılmaz", ("Ayşe Nur", "Yılmaz")),
    ("comma form", "Yılmaz, Ayşe", ("Ayşe", "Yılmaz")),
    ("comma form with middle", "Yılmaz, Ayşe Nur", ("Ayşe Nur", "Yılmaz")),
    ("honorific removed", "Dr. Mehmet Ali Kaya", ("Mehmet Ali", "Kaya")),
    ("Turkish honorifics removed", "Sayın Ayşe Yılmaz Hanım", ("Ayşe", "Yılmaz")),
    ("upper case, İ context", "MEHMET ALİ KIRIMLI", ("Mehmet Ali", "Kırımlı")),
    ("lower case", "ayşe nur yılmaz", ("Ayşe Nur", "Yılmaz")),
    ("particle joins the last name", "Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
    ("suffix kept with the last name", "John Smith Jr.", ("John", "Smith Jr.")),
    ("apostrophe name", "o'neil, mary", ("Mary", "O'Neil")),
    ("hyphenated first name", "jean-luc picard", ("Jean-Luc", "Picard")),
    ("Sultan is a given name here", "Sultan Kaya", ("Sultan", "Kaya")),
    ("Cem is a given name, not a suffix", "Ali Cem", ("Ali", "Cem")),
    ("one word", "Cher", ("Cher", None)),
    ("extra spaces", "  Ayşe   Yılmaz ", ("Ayşe", "Yılmaz")),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in FULL_NAMES], ids=[c[0] for c in FULL_NAMES]
)
def test_split_full_name(text: str, expected: tuple[str | None, str | None]) -> None:
    result = split_full_name(text)
    assert result.value == expected
    assert result.issues == ()


@pytest.mark.parametrize(
    "text", ["Ali 2 Veli", "Mr.", "---"], ids=["digits", "only a title", "no letters"]
)
def test_split_full_name_invalid(text: str) -> None:
    result = split_full_name(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == ["name.invalid"]


def test_split_full_name_blank() -> None:
    assert split_full_name("  ").value is None
    assert split_full_name(None).issues == ()
