"""Cases for reading a missing surname out of an email address."""

from __future__ import annotations

import pytest

from kimlik.resolve.email_names import family_name, spells_name, surname_from_email

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
]


@pytest.mark.parametrize(
    ("local", "first", "expected"), [c[1:] for c in SURNAMES], ids=[c[0] for c in SURNAMES]
)
def test_surname_from_email(local: str | None, first: str | None, expected: str | None) -> None:
    assert surname_from_email(local, first) == expected


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
