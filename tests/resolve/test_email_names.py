"""Cases for reading a missing surname out of an email address."""

from __future__ import annotations

import pytest

from kimlik.resolve.email_names import email_year, family_name, spells_name, surname_from_email

SURNAMES = [
    ("first.last", "jean.wilson", "jean", "wilson"),
    ("first and last run together", "jeanwilson", "jean", "wilson"),
    ("last first with underscore", "wilson_jean", "jean", "wilson"),
    ("initial dot last", "m.kaya", "mahmut", "kaya"),
    ("digits after the name", "hasan.kaya76", "hasan", "kaya"),
    ("last then first run together", "sahintugba", "tugba", "sahin"),
    ("English family address", "millerfamily", "liz", "miller"),
    ("Turkish family address with a number", "kayaailesi2", "ahmet", "kaya"),
    ("Turkish short family word", "ozturk.aile", None, "ozturk"),
    ("the plural", "thehalls", None, "hall"),
    ("home address", "johnson.home2", "sandra", "johnson"),
    ("no surname in it", "gabriel1954", "gabriel", None),
    ("another first name", "ahmet1993", "mehmet", None),
    ("two tokens, neither the name", "blue.sky", "jean", None),
    ("too short to be a surname", "jeanxy", "jean", None),
    ("nothing to go on", None, "jean", None),
    ("no first name, no family word", "jean.wilson", None, None),
    ("first name with a typo, separated", "esra.aydin85", "esraa", "aydin"),
    ("short first name: no typo allowed", "ali.veli", "alp", None),
    ("run together with a typo: ambiguous cut", "hasanokur", "hasann", None),
    ("remainder too short after the name", "jeanxy", "jean", None),
]


@pytest.mark.parametrize(
    ("local", "first", "expected"), [c[1:] for c in SURNAMES], ids=[c[0] for c in SURNAMES]
)
def test_surname_from_email(local: str | None, first: str | None, expected: str | None) -> None:
    assert surname_from_email(local, first) == expected


@pytest.mark.parametrize("local", ["gregory.clark", "gregoryclark", "clark_gregory"])
def test_nickname_family_in_the_address(local: str) -> None:
    assert surname_from_email(local, "greg", "gregory") == "clark"


YEARS = [
    ("zeliha1968", 1968),
    ("j.smith_1985", 1985),
    ("ali19851", None),  # five digits: a number, not a year
    ("ayse2009", 2009),
    ("mert2024", None),  # too recent to be a customer's birth year
    ("kaya", None),
    (None, None),
]


@pytest.mark.parametrize(("local", "year"), YEARS)
def test_email_year(local: str | None, year: int | None) -> None:
    assert email_year(local) == year


def test_family_word_alone_is_no_surname() -> None:
    assert family_name("family") is None


SPELLINGS = [
    ("first last", "hasankaya", True),
    ("last first", "kayahasan", True),
    ("initial last", "hkaya", True),
    ("first initial", "hasank", True),
    ("first only", "hasan", True),
    ("more than the name", "hasantrabzon", False),
    ("someone else", "aysekaya", False),
]


@pytest.mark.parametrize(
    ("letters", "expected"), [c[1:] for c in SPELLINGS], ids=[c[0] for c in SPELLINGS]
)
def test_spells_name(letters: str, expected: bool) -> None:
    assert spells_name(letters, "hasan", "kaya") is expected


def test_spells_name_without_a_last_name() -> None:
    assert spells_name("hasan", "hasan", None)
    assert not spells_name("hasankaya", "hasan", None)


def test_spells_name_with_the_canonical_first_name() -> None:
    assert spells_name("richard", "rick", "hughes", "richard")
    assert spells_name("rhughes", "rick", "hughes", "richard")
    assert not spells_name("richard", "rick", "hughes")
