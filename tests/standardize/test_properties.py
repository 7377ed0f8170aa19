"""Properties every standardizer keeps: it never raises, and standardizing twice is a no-op.

Idempotence is checked on the string form of the output (ISO for dates, E.164 for phones,
alpha-2 for countries), which is what a re-import of exported data would feed back.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kimlik.standardize.countries import standardize_country
from kimlik.standardize.dates import (
    date_order_for_region,
    standardize_birth_date,
    standardize_date,
    standardize_datetime,
)
from kimlik.standardize.email import email_matching_key, is_placeholder_email, standardize_email
from kimlik.standardize.headers import KNOWN_ATTRIBUTES, canonical_header
from kimlik.standardize.names import split_full_name, standardize_name
from kimlik.standardize.numbers import (
    standardize_currency,
    standardize_decimal,
    standardize_int,
    standardize_score,
)
from kimlik.standardize.phone import standardize_phone
from kimlik.standardize.picklists import GENDER, INDUSTRY, fold_value
from kimlik.standardize.postal import standardize_postal_code
from kimlik.standardize.result import DateOrder, Standardized
from kimlik.standardize.text import fold_key, normalize_text

QUICK = settings(max_examples=200, deadline=None, database=None)

# Arbitrary text (including lone surrogates, controls and combining marks, which st.text()
# leaves out or rarely draws), plus text that looks like the field so that the happy paths
# are hit.
_odd = st.text(st.characters(categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Mn", "Lo", "Nd")))
_any = st.none() | st.text() | _odd
_digits_and_marks = st.text(alphabet=string.digits + " +-().,/:xT", max_size=25)
_wordy = st.text(alphabet=string.ascii_letters + "ğüşıöçĞÜŞİÖÇ .'-", max_size=25)
_orders: st.SearchStrategy[DateOrder | None] = st.sampled_from([None, "DMY", "MDY", "YMD"])
_regions = (
    st.none()
    | st.sampled_from(["TR", "US", "GB", "DE", "tr", "XX", "", "001"])
    | st.text(max_size=3)
)
_countries = st.none() | st.sampled_from(["TR", "US", "GB", "NL", "CA", "XX"]) | st.text(max_size=3)


def _assert_result(result: Standardized[Any]) -> None:
    assert isinstance(result, Standardized)
    if any(issue.severity == "error" for issue in result.issues):
        assert result.value is None


# --- never raises ---------------------------------------------------------------------


@QUICK
@given(_any | st.emails().map(lambda e: f"  MAILTO:{e.upper()} "))
def test_email_never_raises_and_is_idempotent(text: str | None) -> None:
    result = standardize_email(text)
    _assert_result(result)
    if result.value is not None:
        assert standardize_email(result.value).value == result.value
        email_matching_key(result.value)
        assert not is_placeholder_email(result.value)


@QUICK
@given(_any | _digits_and_marks, _regions)
def test_phone_never_raises_and_is_idempotent(text: str | None, region: str | None) -> None:
    result = standardize_phone(text, region)
    _assert_result(result)
    if result.value is not None:
        assert standardize_phone(result.value, region).value == result.value
        assert standardize_phone(result.value, None).value == result.value


@QUICK
@given(_any | _wordy)
def test_name_never_raises_and_is_idempotent(text: str | None) -> None:
    result = standardize_name(text)
    _assert_result(result)
    if result.value is not None:
        assert standardize_name(result.value).value == result.value
    split = split_full_name(text)
    _assert_result(split)


@QUICK
@given(_any | _wordy)
def test_country_never_raises_and_is_idempotent(text: str | None) -> None:
    result = standardize_country(text)
    _assert_result(result)
    if result.value is not None:
        assert standardize_country(result.value).value == result.value
        assert date_order_for_region(result.value) is not None


@QUICK
@given(_any | _digits_and_marks, _orders)
def test_date_never_raises_and_is_idempotent(text: str | None, order: DateOrder | None) -> None:
    result = standardize_date(text, order)
    _assert_result(result)
    if result.value is not None:
        assert standardize_date(result.value.isoformat(), order).value == result.value
    stamp = standardize_datetime(text, order)
    _assert_result(stamp)
    if stamp.value is not None:
        assert stamp.value.tzinfo is dt.UTC
        again = standardize_datetime(stamp.value.isoformat(), order)
        assert again.value == stamp.value
    _assert_result(standardize_birth_date(text, order, dt.date(2025, 6, 1)))


@QUICK
@given(st.dates(), st.sampled_from(["%d.%m.%Y", "%m/%d/%Y", "%Y-%m-%d", "%d %B %Y", "%b %d, %Y"]))
def test_formatted_dates_round_trip(day: dt.date, pattern: str) -> None:
    order: DateOrder = "MDY" if pattern.startswith("%m") else "DMY"
    result = standardize_date(day.strftime(pattern), order)
    if day.year >= 1000:  # strftime does not pad years below 1000 everywhere
        assert result.value == day


@QUICK
@given(_any | _digits_and_marks, _countries)
def test_postal_code_never_raises_and_is_idempotent(text: str | None, country: str | None) -> None:
    result = standardize_postal_code(text, country)
    _assert_result(result)
    if result.value is not None:
        again = standardize_postal_code(result.value, country)
        assert again.value == result.value
        assert again.issues == ()


@QUICK
@given(_any | _wordy, st.booleans())
def test_picklists_never_raise_and_are_idempotent(text: str | None, closed: bool) -> None:
    for vocabulary in (GENDER, INDUSTRY):
        result = fold_value(text, vocabulary, closed=closed, attribute="x")
        _assert_result(result)
        if result.value is not None:
            assert fold_value(result.value, vocabulary, closed=closed).value == result.value


@QUICK
@given(_any | _digits_and_marks | st.decimals(allow_nan=False, allow_infinity=False).map(str))
def test_numbers_never_raise_and_are_idempotent(text: str | None) -> None:
    result = standardize_decimal(text)
    _assert_result(result)
    if result.value is not None:
        assert standardize_decimal(str(result.value)).value == result.value
    integer = standardize_int(text)
    _assert_result(integer)
    if integer.value is not None:
        assert standardize_int(str(integer.value)).value == integer.value
    _assert_result(standardize_score(text))
    currency = standardize_currency(text)
    _assert_result(currency)
    if currency.value is not None:
        assert standardize_currency(currency.value).value == currency.value


@QUICK
@given(st.text(), st.sampled_from([*KNOWN_ATTRIBUTES, "unknown"]))
def test_headers_and_text_never_raise(text: str, kind: str) -> None:
    attribute = canonical_header(text, kind)
    if attribute is not None:
        assert attribute in KNOWN_ATTRIBUTES[kind]
        assert canonical_header(attribute, kind) == attribute
    cleaned = normalize_text(text)
    assert normalize_text(cleaned) == cleaned
    assert fold_key(fold_key(text)) == fold_key(text)


@QUICK
@given(
    _any
    | _wordy
    | st.lists(
        st.sampled_from("12 4B St. Dr Apt #4 Cad. No:5 D:3 K N Işık 1st -".split()), max_size=8
    ).map(" ".join)
)
def test_street_never_raises_and_is_idempotent(text: str | None) -> None:
    # Imported here so that this test stays one self-contained addition to the file.
    from kimlik.standardize.address import normalize_street, street_tokens

    normalized = normalize_street(text)
    assert normalize_street(normalized) == normalized
    assert street_tokens(normalized) == street_tokens(text)
    if normalized is not None:
        assert normalized == " ".join(normalized.split())
