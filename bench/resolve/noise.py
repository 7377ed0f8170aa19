"""The ways one person's data drifts between copies: typos, folding, aliases, formats.

Pure functions of their input and a ``random.Random``; nothing here knows about sources.
Each edit keeps the value *valid* (a typo'd phone is still a real number, a swapped
birth date is still a date), because the point is to make records disagree, not to make
the importer reject them.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import NamedTuple

import phonenumbers

_TR_FOLD = str.maketrans("çğıöşüÇĞİÖŞÜâîû", "cgiosuCGIOSUaiu")
_TR_UPPER = str.maketrans("iı", "İI")
_TR_LOWER = str.maketrans("İI", "iı")
_KEYBOARD = {
    row[i]: row[max(i - 1, 0)] + row[i + 1 : i + 2]
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i in range(len(row))
}
COUNTRY_CODES = {"TR": 90, "US": 1, "GB": 44}


def fold_turkish(text: str) -> str:
    """ "Şükrü Çağlayan" -> "Sukru Caglayan", as an English keyboard would have it."""
    return text.translate(_TR_FOLD)


def upper(text: str, turkish: bool) -> str:
    """Upper case, with the dotted capital İ for Turkish text ("İSMAİL")."""
    return (text.translate(_TR_UPPER) if turkish else text).upper()


def lower(text: str, turkish: bool) -> str:
    """Lower case, with the dotless ı for Turkish capitals ("ISIK" -> "ışık")."""
    return (text.translate(_TR_LOWER) if turkish else text).lower()


def ascii_local(text: str) -> str:
    """The letters and digits of a name as an e-mail local part would have them."""
    return re.sub(r"[^a-z0-9]", "", fold_turkish(text).lower())


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: a neighbouring key, a dropped, doubled or swapped letter.

    The first letter is left alone (people rarely get it wrong, and a careful reader
    relies on it); words shorter than four letters are returned as they are.
    """
    letters = [i for i, ch in enumerate(word) if ch.isalpha() and i > 0]
    if len(word) < 4 or not letters:
        return word
    i = rng.choice(letters)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    ch = word[i]
    if kind == "neighbour" and ch.lower() in _KEYBOARD:
        new = rng.choice(_KEYBOARD[ch.lower()])
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap" and i + 1 < len(word) and word[i + 1].isalpha() and word[i + 1] != ch:
        return word[:i] + word[i + 1] + ch + word[i + 2 :]
    return word[:i] + ch + word[i:]  # doubled letter, also the fallback


def email_alias(rng: random.Random, email: str) -> str:
    """The same mailbox spelled differently: Gmail dots, a +tag, or capitals."""
    local, _, domain = email.partition("@")
    choices = ["tag", "case"] + (["dots"] if domain == "gmail.com" else [])
    kind = rng.choice(choices)
    if kind == "dots":
        if "." in local:
            return local.replace(".", "") + "@" + domain
        i = rng.randrange(1, len(local))
        return local[:i] + "." + local[i:] + "@" + domain
    if kind == "tag":
        return f"{local}+{rng.choice(('shop', 'news', 'promo', 'spam', '2024'))}@{domain}"
    if rng.random() < 0.5:
        return email.upper()
    return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()


def email_typo(rng: random.Random, email: str) -> str:
    """A one-character slip in the local part: a different (but valid) address."""
    local, _, domain = email.partition("@")
    parts = local.split(".")
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    parts[longest] = typo(rng, parts[longest])
    return ".".join(parts) + "@" + domain


# --- phones ------------------------------------------------------------------------------


class Phone(NamedTuple):
    """A valid number: country, national significant number, and its area code length."""

    country: str
    national: str
    area: int

    @property
    def e164(self) -> str:
        return f"+{COUNTRY_CODES[self.country]}{self.national}"


def is_valid_phone(country: str, national: str) -> bool:
    """What libphonenumber says, plus no run a placeholder check could mistake for junk."""
    number = phonenumbers.PhoneNumber(
        country_code=COUNTRY_CODES[country], national_number=int(national)
    )
    return len(set(national)) >= 4 and bool(phonenumbers.is_valid_number(number))


def phone_shapes(phone: Phone) -> tuple[list[str], list[str]]:
    """How people type this number: (with the country code, without it)."""
    n, a = phone.national, phone.area
    head, tail = n[:a], n[a:]
    if phone.country == "TR":
        spaced = f"{head} {tail[:3]} {tail[3:5]} {tail[5:]}"
        international = [f"+90 {head} {tail[:3]} {tail[3:]}", f"+90{n}", f"0090{n}"]
        international.append(f"0090 {spaced}")
        national = [f"0{spaced}", f"0{n}", n, f"0({head}) {tail[:3]} {tail[3:5]} {tail[5:]}"]
    elif phone.country == "US":
        international = [f"+1 {head} {tail[:3]} {tail[3:]}", f"+1 ({head}) {tail[:3]}-{tail[3:]}"]
        international.append(f"+1{n}")
        national = [f"({head}) {tail[:3]}-{tail[3:]}", f"{head}-{tail[:3]}-{tail[3:]}"]
        national += [f"{head}.{tail[:3]}.{tail[3:]}", n, f"1-{head}-{tail[:3]}-{tail[3:]}"]
    else:
        split = f"{tail[:3]} {tail[3:]}" if len(tail) == 7 else f"{tail[:4]} {tail[4:]}"
        if len(tail) == 6:
            split = tail
        international = [f"+44 {head} {split}", f"+44{n}", f"0044 {head} {split}"]
        international.append(f"+44 (0){head} {split}")
        national = [f"0{head} {split}", f"0{n}"]
    return international, national


def format_phone(rng: random.Random, phone: Phone, national_ok: bool, national: float) -> str:
    """One spelling; national forms (odds ``national``) only when the reader knows the country."""
    with_code, without = phone_shapes(phone)
    return rng.choice(without if national_ok and rng.random() < national else with_code)


def phone_typo(rng: random.Random, phone: Phone) -> Phone:
    """One subscriber digit mistyped, kept only if the result is still a valid number."""
    for _ in range(20):
        i = rng.randrange(phone.area + 1, len(phone.national))
        digit = str((int(phone.national[i]) + rng.choice((1, 9))) % 10)
        national = phone.national[:i] + digit + phone.national[i + 1 :]
        if is_valid_phone(phone.country, national):
            return phone._replace(national=national)
    return phone


# --- dates -------------------------------------------------------------------------------


def swap_day_month(born: dt.date) -> dt.date:
    """12 March read as 3 December; dates that cannot swap come back unchanged."""
    if born.day > 12 or born.day == born.month:
        return born
    return born.replace(month=born.day, day=born.month)


def date_typo(rng: random.Random, born: dt.date) -> dt.date:
    """One digit of the day or the year's last digit off by one key: still a real date."""
    for _ in range(10):
        if rng.random() < 0.5:
            year = born.year + rng.choice((-1, 1))
            candidate = (year, born.month, min(born.day, 28) if born.month == 2 else born.day)
        else:
            tens, units = divmod(born.day, 10)
            day = tens * 10 + (units + rng.choice((-1, 1))) % 10 if units else born.day + 1
            candidate = (born.year, born.month, day)
        try:
            return dt.date(*candidate)
        except ValueError:
            continue
    return born
