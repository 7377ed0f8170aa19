"""Cases for the comparison columns built from one clean person record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kimlik.resolve.features import (
    FEATURE_COLUMNS,
    are_nickname_variants,
    external_id,
    match_features,
    nickname_canonical,
)

FULL: dict[str, Any] = {
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": "Ayse.Yilmaz+shop@gmail.com",
    "email_key": "ayseyilmaz@gmail.com",
    "phone": "+905321234567",
    "birth_date": dt.date(1985, 3, 14),
    "street": "Atatürk Cad. No:5 D:3",
    "city": "İstanbul",
    "postal_code": "34 000",
    "country": "tr",
}


def test_columns_in_order() -> None:
    assert tuple(match_features(FULL)) == FEATURE_COLUMNS


def test_full_record() -> None:
    assert match_features(FULL) == {
        "first_name_key": "ayse",
        "first_name_canon": "ayse",
        "first_name_metaphone": "AS",
        "last_name_key": "yilmaz",
        "last_name_metaphone": "YLMS",
        "email_key": "ayseyilmaz@gmail.com",
        "email_local": "ayseyilmaz",
        "email_domain": "gmail.com",
        "email_letters": "ayseyilmaz",
        "email_named": 1,
        "email_spelling": "ayseyilmaz",
        "email_surname": None,
        "phone": "+905321234567",
        "phone_suffix": "1234567",
        "birth_date": "1985-03-14",
        "birth_year": 1985,
        "birth_month": 3,
        "birth_day": 14,
        "birth_year_hint": 1985,
        "street_key": "ataturk caddesi no 5 daire 3",
        "postal_code_key": "34000",
        "address_key": "ataturk caddesi no 5 daire 3 | 34000",
        "city_key": "istanbul",
        "country": "TR",
        "external_id": None,
    }


def test_empty_record_gives_all_none() -> None:
    assert match_features({}) == dict.fromkeys(FEATURE_COLUMNS)


def _feature(column: str, **record: Any) -> Any:
    return match_features(record)[column]


CASES = [
    ("nickname Bob is Robert", "first_name_canon", {"first_name": "Bob"}, "robert"),
    ("Robert is its own canonical", "first_name_canon", {"first_name": "ROBERT"}, "robert"),
    ("nickname Bill is William", "first_name_canon", {"first_name": "Bill"}, "william"),
    ("William is its own canonical", "first_name_canon", {"first_name": "William"}, "william"),
    ("nickname Liz is Elizabeth", "first_name_canon", {"first_name": "Liz"}, "elizabeth"),
    ("Turkish Mehmet unaffected", "first_name_canon", {"first_name": "Mehmet"}, "mehmet"),
    ("Turkish Ali is not Alison", "first_name_canon", {"first_name": "Ali"}, "ali"),
    ("Turkish Mert is not Myrtle", "first_name_canon", {"first_name": "Mert"}, "mert"),
    ("Turkish dotted İ", "first_name_key", {"first_name": "İsmail"}, "ismail"),
    ("Turkish dotless I", "first_name_key", {"first_name": "ISMAIL"}, "ismail"),
    ("Turkish dotless ı", "last_name_key", {"last_name": "Işık"}, "isik"),
    ("accents and spaces folded", "first_name_key", {"first_name": "Ayşe Nur"}, "aysenur"),
    ("apostrophe folded", "last_name_key", {"last_name": "O'Neil"}, "oneil"),
    ("placeholder first name", "first_name_key", {"first_name": "Test"}, None),
    ("placeholder canon too", "first_name_canon", {"first_name": "Müşteri"}, None),
    ("dash last name", "last_name_key", {"last_name": "-"}, None),
    ("blank name", "first_name_key", {"first_name": "   "}, None),
    ("metaphone on the folded key", "last_name_metaphone", {"last_name": "Öztürk"}, "OSTRK"),
    ("İsmail and Ismail sound alike", "first_name_metaphone", {"first_name": "İsmail"}, "ISML"),
    (
        "placeholder email key",
        "email_key",
        {"email": "noemail@gmail.com", "email_key": "noemail@gmail.com"},
        None,
    ),
    ("placeholder email, no local", "email_local", {"email": "test@gmail.com"}, None),
    ("example.com is no evidence", "email_key", {"email": "jane@example.com"}, None),
    (
        "key built when missing",
        "email_key",
        {"email": "Jane.Doe@GoogleMail.com"},
        "janedoe@gmail.com",
    ),
    ("domain from the key", "email_domain", {"email_key": "jane@firma.com.tr"}, "firma.com.tr"),
    ("key without @ dropped", "email_key", {"email_key": "jane"}, None),
    ("letters of the local part", "email_letters", {"email_key": "j.doe_84@x.com"}, "jdoe"),
    (
        "address spelling the name",
        "email_named",
        {"first_name": "Hasan", "last_name": "Kaya", "email_key": "h.kaya76@x.com"},
        1,
    ),
    (
        "address with more than the name",
        "email_named",
        {"first_name": "Hasan", "last_name": "Kaya", "email_key": "hasan.trabzon@x.com"},
        0,
    ),
    ("no address, no flag", "email_named", {"first_name": "Hasan"}, None),
    (
        "surname read from the address",
        "last_name_key",
        {"first_name": "Jean", "email_key": "jeanwilson@hotmail.co.uk"},
        "wilson",
    ),
    (
        "a real surname wins over the address",
        "last_name_key",
        {"first_name": "Jean", "last_name": "Smith", "email_key": "jeanwilson@x.com"},
        "smith",
    ),
    ("phone suffix", "phone_suffix", {"phone": "+905321234567"}, "1234567"),
    ("short phone has no suffix", "phone_suffix", {"phone": "+90532"}, None),
    ("placeholder phone", "phone", {"phone": "+900000000000"}, None),
    ("placeholder phone, no suffix", "phone_suffix", {"phone": "+11234567890"}, None),
    ("placeholder birth date", "birth_date", {"birth_date": dt.date(1900, 1, 1)}, None),
    ("epoch birth date", "birth_year", {"birth_date": dt.date(1970, 1, 1)}, None),
    (
        "birth date from a datetime",
        "birth_date",
        {"birth_date": dt.datetime(1985, 3, 14, 0, 0)},
        "1985-03-14",
    ),
    ("birth date from ISO text", "birth_day", {"birth_date": "1985-03-14"}, 14),
    ("unreadable birth date text", "birth_date", {"birth_date": "14/03/1985"}, None),
    ("postal code upper, no spaces", "postal_code_key", {"postal_code": "sw1a 1aa"}, "SW1A1AA"),
    ("postal code as a number", "postal_code_key", {"postal_code": 34000}, "34000"),
    (
        "address key both parts",
        "address_key",
        {"street": "12 Main St.", "postal_code": "10001"},
        "12 main street | 10001",
    ),
    ("address key street only", "address_key", {"street": "12 Main St."}, "12 main street | "),
    ("address key postal only", "address_key", {"postal_code": "10001"}, " | 10001"),
    ("address key neither", "address_key", {"street": " ", "postal_code": None}, None),
    ("city folded", "city_key", {"city": "İZMİR"}, "izmir"),
    ("country upper", "country", {"country": " tr "}, "TR"),
]


@pytest.mark.parametrize(
    ("column", "record", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_feature(column: str, record: dict[str, Any], expected: Any) -> None:
    assert _feature(column, **record) == expected


CANONICALS = [
    ("Bob", "robert"),
    ("bobby", "robert"),
    ("Robert", "robert"),
    ("Billy", "william"),
    ("Will", "william"),
    ("Jim", "james"),
    ("Mehmet", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("name", "expected"), CANONICALS, ids=[str(c[0]) for c in CANONICALS])
def test_nickname_canonical(name: str | None, expected: str | None) -> None:
    assert nickname_canonical(name) == expected


VARIANTS = [
    ("nickname of", "Bob", "Robert", True),
    ("other way round", "Robert", "Bob", True),
    ("siblings under one canonical", "Bob", "Bobby", True),
    ("Bill and William", "Bill", "William", True),
    ("Liz and Beth", "Liz", "Beth", True),
    ("same name, other spelling", "İsmail", "Ismail", True),
    ("unrelated English names", "Robert", "James", False),
    ("Turkish Ali is not Alison", "Ali", "Alison", False),
    ("unrelated Turkish names", "Mehmet", "Ahmet", False),
    ("missing side", "Bob", None, False),
    ("blank side", "", "Bob", False),
]


@pytest.mark.parametrize(
    ("a", "b", "expected"), [c[1:] for c in VARIANTS], ids=[c[0] for c in VARIANTS]
)
def test_are_nickname_variants(a: str | None, b: str | None, expected: bool) -> None:
    assert are_nickname_variants(a, b) is expected


def test_external_id_takes_the_first_declared_attribute_folded() -> None:
    custom = {"card": " lc-44 12 ", "national_id": "123"}
    assert external_id(custom, ("national_id", "card")) == "national_id:123"
    assert external_id(custom, ("card",)) == "card:LC4412"
    assert external_id(custom, ("passport",)) is None
    assert external_id(None, ("card",)) is None
    assert external_id({"card": " - "}, ("card",)) is None
    assert match_features({"external_id": "card:LC4412"})["external_id"] == "card:LC4412"


def test_an_address_that_is_only_the_first_name_is_no_spelling() -> None:
    rick = match_features({"first_name": "Rick", "email": "richard1954@outlook.com"})
    assert (rick["email_named"], rick["email_spelling"]) == (1, None)
    assert rick["birth_year_hint"] == 1954
    necati = match_features({"email": "necatiyilmaz@icloud.com"})
    assert (necati["email_named"], necati["email_spelling"]) == (0, "necatiyilmaz")


def test_a_family_address_names_a_surname_beside_the_last_name() -> None:
    gul = match_features(
        {"first_name": "Gül", "last_name": "Yıldırım", "email": "caliskan.aile@x.com"}
    )
    assert (gul["last_name_key"], gul["email_surname"]) == ("yildirim", "caliskan")
    assert (
        match_features({"first_name": "Gül", "email": "caliskan.aile@x.com"})["email_surname"]
        is None
    )


def test_birth_date_wins_over_the_year_in_the_address() -> None:
    record = {"first_name": "Ecem", "email": "ecem1994@x.com", "birth_date": "1990-01-02"}
    assert match_features(record)["birth_year_hint"] == 1990
