"""Cases for phone numbers; the fast split and validity check held to agreement with phonenumbers."""

from __future__ import annotations

from unittest import mock

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from kimlik.standardize import phone
from kimlik.standardize.phone import _PLAIN, _fast_parse, _is_valid, standardize_phone

GOOD = [
    ("+90 with punctuation", "+90 (532) 123-45-67", None, "+905321234567"),
    ("+90 vs 0090 prefix", "0090 532 123 45 67", None, "+905321234567"),
    ("0090 prefix with region", "0090 532 123 45 67", "TR", "+905321234567"),
    ("0090 prefix from a US file", "0090 532 123 45 67", "US", "+905321234567"),
    ("Turkish trunk 0", "0532 123 45 67", "TR", "+905321234567"),
    ("Turkish without trunk", "5321234567", "TR", "+905321234567"),
    ("country code without plus", "90 532 123 45 67", "TR", "+905321234567"),
    ("region lower case", "0532 123 45 67", "tr", "+905321234567"),
    ("region with spaces", "0532 123 45 67", " TR ", "+905321234567"),
    ("Istanbul landline", "0212 555 01 42", "TR", "+902125550142"),
    ("US national", "(212) 555-0142", "US", "+12125550142"),
    ("US with trunk 1", "1-212-555-0142", "US", "+12125550142"),
    ("US dotted", "212.555.0142", "US", "+12125550142"),
    ("UK with (0)", "+44 (0)20 7946 0958", None, "+442079460958"),
    ("Italian leading zero", "+39 06 1234 5678", None, "+390612345678"),
    ("Russian 8-800", "8 800 555 35 35", "RU", "+78005553535"),
    ("Australian 0011 prefix", "0011 44 20 7946 0958", "AU", "+442079460958"),
    ("region ignored for +", "+49 30 901820", "TR", "+4930901820"),
    ("UK national, trunk 0 of 0|180020", "07723 850689", "GB", "+447723850689"),
    ("UK national landline", "020 7946 0958", "GB", "+442079460958"),
    ("Canada under the shared +1", "+1 604 555 0123", None, "+16045550123"),
    ("Jersey under the shared +44", "+44 1534 456789", None, "+441534456789"),
    ("Kazakhstan under the shared +7", "+7 701 123 4567", None, "+77011234567"),
]


@pytest.mark.parametrize(
    ("text", "region", "expected"), [c[1:] for c in GOOD], ids=[c[0] for c in GOOD]
)
def test_good_numbers(text: str, region: str | None, expected: str) -> None:
    result = standardize_phone(text, region)
    assert result.value == expected
    assert result.issues == ()


EXTENSIONS = [
    ("x12", "+1 212 555 0142 x12", "US"),
    ("ext. 12", "(212) 555-0142 ext. 12", "US"),
    ("dahili 12", "0212 555 01 42 dahili 12", "TR"),
    ("Dahili upper case", "0212 555 01 42 DAHİLİ 12", "TR"),
]


@pytest.mark.parametrize(
    ("text", "region"), [c[1:] for c in EXTENSIONS], ids=[c[0] for c in EXTENSIONS]
)
def test_extensions_are_dropped_with_a_warning(text: str, region: str) -> None:
    result = standardize_phone(text, region)
    assert result.value is not None and result.value.startswith("+")
    assert [(i.code, i.severity) for i in result.issues] == [("phone.extension_dropped", "warning")]


BAD = [
    ("national number, no region", "0532 123 45 67", None, "phone.no_region"),
    ("unknown region", "0532 123 45 67", "XX", "phone.no_region"),
    ("too short", "12", "TR", "phone.invalid"),
    ("not valid in TR", "+90 532 1234", None, "phone.invalid"),
    ("unassigned TR range", "0999 123 45 67", "TR", "phone.invalid"),
    ("unknown country code", "+999 1234567", None, "phone.invalid"),
    ("letters", "call me", "TR", "phone.invalid"),
    ("all zeros", "0000000000", "TR", "phone.placeholder"),
    ("all the same digit", "+90 555 555 55 55", None, "phone.placeholder"),
    ("1234567890", "1234567890", "US", "phone.placeholder"),
    ("descending run", "0987654321", "TR", "phone.placeholder"),
    ("two digits only", "0500 000 00 00", "TR", "phone.placeholder"),
]


@pytest.mark.parametrize(("text", "region", "code"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_numbers(text: str, region: str | None, code: str) -> None:
    result = standardize_phone(text, region)
    assert result.value is None
    assert [issue.code for issue in result.issues] == [code]


@pytest.mark.parametrize(
    "text",
    ["+90 532 123 45 67", "0532 322 33 22", "+1 212 121 3434"],
    ids=["ends in a run", "three distinct digits", "four distinct digits"],
)
def test_real_numbers_are_not_placeholders(text: str) -> None:
    result = standardize_phone(text, "TR")
    assert all(issue.code != "phone.placeholder" for issue in result.issues)


# --- the fast split against phonenumbers.parse ------------------------------------------

_REGIONS = ["TR", "US", "CA", "GB", "DE", "FR", "IT", "NL", "RU", "BR", "AR", "JP", "CN", "IN",
            "AU", "MX", "AZ", "SE"]  # fmt: skip
_TYPES = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE]
_STYLES = [PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL]


@st.composite
def _numbers(draw: st.DrawFn) -> tuple[str, str | None]:
    region = draw(st.sampled_from(_REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(_TYPES)))
    if example is None:
        example = phonenumbers.example_number(region)
    assert example is not None and example.national_number is not None
    digits = str(example.national_number)
    # Mostly keep the example's length and leading digits, so that most numbers are valid
    # and the fast split is exercised; sometimes change the length too.
    keep = draw(st.integers(max(0, len(digits) - 4), len(digits)))
    size = len(digits) - keep + draw(st.sampled_from([0, 0, 0, -1, 1]))
    tail = draw(st.text(alphabet="0123456789", min_size=max(size, 0), max_size=max(size, 0)))
    example.national_number = int(digits[:keep] + tail or "0")
    text = phonenumbers.format_number(example, draw(st.sampled_from(_STYLES)))
    if draw(st.booleans()):
        text = text.replace("+", "00", 1)
    text = draw(st.sampled_from(["", "(", " "])) + text
    return text, draw(st.sampled_from([region, None, "TR", "US"]))


@settings(max_examples=200, deadline=None, database=None)
@given(_numbers())
def test_fast_split_agrees_with_parse(case: tuple[str, str | None]) -> None:
    text, region = case
    result = standardize_phone(text, region)
    cleaned = text.strip()
    if cleaned.startswith("00") and region in (None, "TR", "US"):
        cleaned = "+" + cleaned[2:]
    if not _PLAIN.fullmatch(cleaned):
        return  # the fast split only ever sees digits and plain punctuation
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    fast = _fast_parse(cleaned, digits, region)
    if fast is None:
        return
    parsed = phonenumbers.parse(cleaned, region)
    assert (fast[0], int(fast[1])) == (parsed.country_code, parsed.national_number)
    assert phonenumbers.is_valid_number(parsed)
    if result.value is not None:
        assert result.value == phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


@settings(max_examples=200, deadline=None, database=None)
@given(_numbers())
def test_quick_validity_agrees_with_is_valid_number(case: tuple[str, str | None]) -> None:
    text, region = case
    try:
        number = phonenumbers.parse(text, region or "TR")
    except phonenumbers.NumberParseException:
        return
    national = str(number.national_number)
    if number.italian_leading_zero or number.country_code is None:
        return
    assert _is_valid(number.country_code, national) == phonenumbers.is_valid_number(number)


# --- the whole result against parse and is_valid_number alone ------------------------------

#: codes shared by several regions, where is_valid_number first picks the region
_SHARED = sorted(c for c, r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items() if len(r) > 1)


@st.composite
def _shared_code_numbers(draw: st.DrawFn) -> tuple[int, str]:
    code = draw(st.sampled_from([*_SHARED, 90, 49, 39, 33, 800]))
    region = draw(st.sampled_from(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]))
    kind = draw(st.sampled_from(_TYPES))
    example = phonenumbers.example_number_for_type(region, kind) or PhoneNumber(
        country_code=code, national_number=2015550123
    )
    digits = str(example.national_number)
    keep = draw(st.integers(0, len(digits)))
    tail = draw(st.text(alphabet="0123456789", max_size=len(digits) - keep + 1))
    return code, digits[:keep] + tail


@settings(max_examples=500, deadline=None, database=None)
@given(_shared_code_numbers())
def test_quick_validity_agrees_on_shared_country_codes(case: tuple[int, str]) -> None:
    code, national = case
    if not national or national.startswith("0"):
        return  # the quick check only sees national numbers without leading zeros
    number = PhoneNumber(country_code=code, national_number=int(national))
    assert _is_valid(code, national) == phonenumbers.is_valid_number(number)


def _slow_only(text: str, region: str | None) -> phone.Standardized[str]:
    """What standardize_phone says with its fast split turned off: the library's answer."""
    with mock.patch.object(phone, "_fast_parse", return_value=None):
        return standardize_phone(text, region)


_PUNCTUATION = st.sampled_from(["", " ", "-", ".", "(", ")", "+", "00", "0"])


@st.composite
def _any_phone_text(draw: st.DrawFn) -> tuple[str, str | None]:
    """Formatted examples with noise, or arbitrary digits and punctuation."""
    if draw(st.booleans()):
        text, region = draw(_numbers())
    else:
        parts = draw(st.lists(st.one_of(_PUNCTUATION, st.text("0123456789", max_size=5))))
        text, region = "".join(parts), draw(st.sampled_from([*_REGIONS, None]))
    if draw(st.integers(0, 9)) == 0:
        text = text + draw(st.sampled_from([" x12", " ext. 7", " dahili 3", " #"]))
    return text, region


@settings(max_examples=400, deadline=None, database=None)
@given(_any_phone_text())
def test_fast_path_gives_what_parse_and_is_valid_number_give(case: tuple[str, str | None]) -> None:
    text, region = case
    assert standardize_phone(text, region) == _slow_only(text, region)
