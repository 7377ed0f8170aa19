"""Cases for email addresses, and the fast path held to agreement with email-validator."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from kimlik.standardize.email import (
    _fast_normalize,
    email_matching_key,
    is_placeholder_email,
    standardize_email,
)
from kimlik.standardize.text import normalize_text

GOOD = [
    ("plain", "jane.doe@example.com", "jane.doe@example.com"),
    ("domain lower-cased, local kept", "Jane.Doe@Example.COM", "Jane.Doe@example.com"),
    ("trimmed", "  jane@example.com \t", "jane@example.com"),
    ("mailto link", "mailto:jane@example.com", "jane@example.com"),
    ("MAILTO upper case", "MAILTO:jane@example.com", "jane@example.com"),
    ("angle brackets", "<jane@example.com>", "jane@example.com"),
    ("display name", "Jane Doe <jane@example.com>", "jane@example.com"),
    ("plus tag kept", "jane+news@example.com", "jane+news@example.com"),
    ("Turkish domain TLD", "ayse@firma.com.tr", "ayse@firma.com.tr"),
    ("role address is real", "info@firma.com.tr", "info@firma.com.tr"),
    ("role address lower-cased", "INFO@Firma.com.tr", "info@firma.com.tr"),
    ("internationalized local", "ayşe@örnek.com.tr", "ayşe@örnek.com.tr"),
    ("punycode domain decoded", "a@xn--bcher-kva.com", "a@bücher.com"),
    ("one-letter TLD left to validator", "a@b.c", "a@b.c"),
    ("same word, real name", "ali@ali.com.tr", "ali@ali.com.tr"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in GOOD], ids=[c[0] for c in GOOD])
def test_good_addresses(text: str, expected: str) -> None:
    result = standardize_email(text)
    assert result.value == expected
    assert result.issues == ()


BAD = [
    ("missing @", "jane.example.com", "email.invalid", "@-sign"),
    ("no dot in domain", "jane@localhost", "email.invalid", "period"),
    ("two dots", "jane..doe@example.com", "email.invalid", "two periods"),
    ("numeric TLD", "jane@example.123", "email.invalid", "top-level domain"),
    ("special-use domain", "jane@shop.test", "email.invalid", "special-use"),
    ("space inside", "jane doe@example.com", "email.invalid", ""),
    ("two addresses", "a@example.com; b@example.com", "email.invalid", ""),
    ("only mailto", "mailto:", "email.invalid", ""),
    ("noemail placeholder", "noemail@gmail.com", "email.placeholder", ""),
    ("no-email placeholder", "no-email@firma.com", "email.placeholder", ""),
    ("none placeholder", "none@none.com", "email.placeholder", ""),
    ("test@test.com", "test@test.com", "email.placeholder", ""),
    ("example@example.com", "example@example.com", "email.placeholder", ""),
    ("x@x.com", "x@x.com", "email.placeholder", ""),
    ("asd@asd.com", "asd@asd.com", "email.placeholder", ""),
    ("Turkish yok", "yok@yok.com", "email.placeholder", ""),
]


@pytest.mark.parametrize(("text", "code", "reason"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_addresses(text: str, code: str, reason: str) -> None:
    result = standardize_email(text)
    assert result.value is None
    assert [issue.code for issue in result.issues] == [code]
    assert reason in result.issues[0].message
    assert text not in result.issues[0].message  # messages do not echo the address


@pytest.mark.parametrize("text", [None, "", "   "], ids=["None", "empty", "blank"])
def test_blank_is_no_value_and_no_issue(text: str | None) -> None:
    assert standardize_email(text).value is None
    assert standardize_email(text).issues == ()


KEYS = [
    ("case folded", "Jane.Doe@Example.com", "jane.doe@example.com"),
    ("plus tag removed", "jane+news@example.com", "jane@example.com"),
    ("gmail dots", "j.a.n.e@gmail.com", "jane@gmail.com"),
    ("googlemail is gmail", "Jane.Doe+x@GoogleMail.com", "janedoe@gmail.com"),
    ("dots kept elsewhere", "j.doe@firma.com.tr", "j.doe@firma.com.tr"),
    ("bare plus kept", "+@example.com", "+@example.com"),
    ("no @", "JANE", "jane"),
]


@pytest.mark.parametrize(("email", "expected"), [c[1:] for c in KEYS], ids=[c[0] for c in KEYS])
def test_matching_key(email: str, expected: str) -> None:
    assert email_matching_key(email) == expected


PLACEHOLDERS = [
    ("noemail", "noemail@x.com.tr", True),
    ("info is real", "info@firma.com", False),
    ("sales is real", "sales@firma.com", False),
    ("plus-tagged placeholder", "noemail+1@gmail.com", True),
    ("made-up domain", "ayse@noemail.com", True),
    ("ordinary", "ayse@gmail.com", False),
    ("not an address", "noemail", False),
]


@pytest.mark.parametrize(
    ("email", "expected"), [c[1:] for c in PLACEHOLDERS], ids=[c[0] for c in PLACEHOLDERS]
)
def test_is_placeholder_email(email: str, expected: bool) -> None:
    assert is_placeholder_email(email) is expected


@pytest.mark.parametrize(
    "address",
    ["jane.doe@example.com", "Ayse.Yilmaz_1985@firma.com.tr", "x+tag@sub.domain.co.uk"],
)
def test_ordinary_addresses_take_the_fast_path(address: str) -> None:
    assert _fast_normalize(address) is not None


# --- the fast path against email-validator --------------------------------------------

_ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
_local = st.text(alphabet=_ATEXT + ".", min_size=0, max_size=70) | st.text(
    alphabet=_ATEXT + '."(),:;<>@[\\] üéİ\t', max_size=20
)
_label = st.text(alphabet="abcXYZ019-", min_size=0, max_size=66) | st.sampled_from(
    ["xn--bcher-kva", "ab--cd", "-a", "a-", "ü", "_x", ""]
)
_tld = st.sampled_from(
    ["com", "COM", "tr", "c", "co1", "123", "test", "local", "invalid", "onion", "arpa",
     "localhost", "xn--p1ai", "museum", "a" * 64, ""]
)  # fmt: skip
_addresses = st.one_of(
    st.emails(),
    st.builds(
        lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
        _local,
        st.lists(_label, min_size=0, max_size=4),
        _tld,
    ),
    st.builds(lambda local, domain: f"{local}@{domain}", _local, st.text(max_size=30)),
    st.text(max_size=40),
)


@settings(max_examples=200, deadline=None, database=None)
@given(_addresses)
def test_fast_path_agrees_with_email_validator(address: str) -> None:
    fast = _fast_normalize(address)
    try:
        expected: str | None = validate_email(
            address, check_deliverability=False, allow_display_name=True
        ).normalized
    except EmailNotValidError:
        expected = None
    if fast is not None:
        assert fast == expected, "fast path accepted what email-validator does not"
    # standardize_email cleans the text first; compare only where cleaning is a no-op.
    wrapped = address.lower().startswith("mailto:") or address.startswith("<")
    if normalize_text(address) != address or wrapped:
        return
    result = standardize_email(address)
    if expected is None:
        assert result.value is None
    elif not is_placeholder_email(expected):
        assert result.value == expected
