"""Cases for the shared text clean-up and the folded lookup key."""

from __future__ import annotations

import pytest

from kimlik.standardize.text import fold_key, normalize_text

NORMALIZE_CASES = [
    ("plain", "Ayşe Yılmaz", "Ayşe Yılmaz"),
    ("trimmed", "  Ayşe  ", "Ayşe"),
    ("internal spaces collapsed", "Ayşe   Nur\tYılmaz", "Ayşe Nur Yılmaz"),
    ("line breaks are spaces", "Line one\r\nline two", "Line one line two"),
    ("no-break space", "Ayşe\u00a0Nur", "Ayşe Nur"),
    ("control characters dropped", "Ay\x00şe\x07", "Ayşe"),
    ("zero-width space dropped", "Ay\u200bşe", "Ayşe"),
    ("byte order mark dropped", "\ufeffEmail", "Email"),
    ("zero-width joiner kept", "a\u200db", "a\u200db"),
    ("decomposed to NFC", "S\u0327ehir", "Şehir"),
    ("None", None, None),
    ("empty", "", None),
    ("only whitespace", " \t\n ", None),
    ("only invisible", "\u200b\x00", None),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in NORMALIZE_CASES],
    ids=[case[0] for case in NORMALIZE_CASES],
)
def test_normalize_text(text: str | None, expected: str | None) -> None:
    assert normalize_text(text) == expected


FOLD_CASES = [
    ("hyphen", "E-posta", "eposta"),
    ("underscore", "e_posta", "eposta"),
    ("upper case", "EPOSTA", "eposta"),
    ("space", "E Posta", "eposta"),
    ("Turkish g-breve and dotless i", "Doğum Tarihi", "dogumtarihi"),
    ("Turkish s-cedilla", "Şehir", "sehir"),
    ("Turkish dotted İ", "İl", "il"),
    ("Turkish dotless ı", "Işık", "isik"),
    ("ASCII I", "IL", "il"),
    ("French accents", "Café Crème", "cafecreme"),
    ("German sharp s", "Straße", "strasse"),
    ("Polish l-stroke", "Łódź", "lodz"),
    ("punctuation only", "--", ""),
    ("digits kept", "Address Line 1", "addressline1"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in FOLD_CASES],
    ids=[case[0] for case in FOLD_CASES],
)
def test_fold_key(text: str, expected: str) -> None:
    assert fold_key(text) == expected
