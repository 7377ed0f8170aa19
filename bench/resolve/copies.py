"""One person as one source holds them: the true values, drifted by controlled noise.

``Rates`` holds every noise rate. Two kinds of change are applied to a copy:

* life and habit (not errors): an old address or maiden name kept by a source that was
  not told, a work or family e-mail, the home landline, nicknames, Turkish letters typed
  on an English keyboard, capitals, e-mail aliases, abbreviations, phone formats;
* errors (typos, swapped names or dates, missing values, placeholders), at most
  ``Rates.max_errors`` per copy, and never so many that no e-mail or phone is left to a
  copy with no birth date: a careful human could still resolve every record.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

try:
    from . import names as N
    from . import noise
    from .population import Address, Person
except ImportError:  # run as a script: this folder is on sys.path
    import names as N  # type: ignore[no-redef]
    import noise  # type: ignore[no-redef]
    from population import Address, Person  # type: ignore[no-redef]

PLACEHOLDER_EMAIL = "noemail@example.com"
PLACEHOLDER_PHONE = "0000000000"
PLACEHOLDER_BIRTH = dt.date(1900, 1, 1)
#: Which attributes each people source keeps.
FIELDS = {
    "crm": ("first_name", "last_name", "email", "phone", "birth_date", "address", "industry"),
    "webshop": ("first_name", "last_name", "email", "phone", "birth_date", "address"),
    "support": ("first_name", "last_name", "email", "phone", "company"),
    "newsletter": ("first_name", "email"),
}
#: Odds that a person is in a source: (Turkish people, people abroad).
MEMBERSHIP = {
    "crm": (0.55, 0.3),
    "webshop": (0.6, 0.6),
    "support": (0.28, 0.35),
    "newsletter": (0.35, 0.35),
}


@dataclass(frozen=True, slots=True)
class Rates:
    """Noise rates per copy (or per field where it says so); defaults: hard but fair."""

    nickname: float = 0.25  # English given names with a nickname, informal sources
    ascii_fold: float = 0.35  # Turkish text typed without ç ğ ı İ ö ş ü (web, support)
    name_case: float = 0.06  # ALL CAPS or all lower case
    name_typo: float = 0.04  # per name part
    swapped_names: float = 0.02
    email_alias: float = 0.12  # gmail dots, +tags, capitals: the same mailbox
    email_typo: float = 0.02
    work_email: float = 0.5  # support copies of people with a work address
    family_email: float = 0.5  # copies of family-address users that give it
    landline: float = 0.2  # the household landline instead of the mobile
    phone_typo: float = 0.01
    birth_swap: float = 0.05  # day and month swapped (where both are 12 or less)
    birth_typo: float = 0.02
    missing: float = 0.07  # per optional field
    placeholder: float = 0.015  # per field that has a placeholder spelling
    abbreviation: float = 0.35  # Street/St, Apartment/Apt/#, Caddesi/Cad., Sokak/Sk.
    address_typo: float = 0.03
    stale: float = 0.45  # an old address or maiden name kept, where there is one
    duplicate: float = 0.04  # a second record for the same person in one source
    max_errors: int = 3


@dataclass(slots=True)
class Copy:
    """A person's values in one source record, before the source's own formatting."""

    person: Person
    source: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: noise.Phone | str | None
    birth_date: dt.date | None
    address: Address | None
    street: str | None  # without city and postal code: None when the source lacks it
    company: str | None
    industry: str | None
    turkish: bool  # Turkish letters kept (False: folded to ASCII)
    edits: list[str]  # what was done to this copy, for the record


def sources_of(rng: random.Random, person: Person) -> list[str]:
    """The people sources this person appears in: at least one, at most all four.

    A newsletter needs an e-mail address and a helpdesk a way to reach the person back.
    """
    column = 0 if person.locale == "TR" else 1
    reachable = person.mobile or person.household.landline
    possible = {
        source: odds[column]
        for source, odds in MEMBERSHIP.items()
        if _email_of(person) or (source != "newsletter" and (reachable or source != "support"))
    }
    chosen = [source for source, odds in possible.items() if rng.random() < odds]
    if not chosen:
        chosen = [rng.choices(list(possible), list(possible.values()))[0]]
    return chosen


def make_copy(rng: random.Random, person: Person, source: str, rates: Rates) -> Copy:
    """The person as ``source`` holds them; ``copy.edits`` names every change made."""
    fields = FIELDS[source]
    home = person.household
    informal = source != "crm"
    edits: list[str] = []

    def happens(rate: float, edit: str) -> bool:
        if rng.random() < rate:
            edits.append(edit)
            return True
        return False

    address, last = home.address, person.last_name
    if person.old_address is not None and happens(rates.stale, "address.old"):
        address = person.old_address
    if person.maiden_name is not None and happens(rates.stale, "last_name.maiden"):
        last = person.maiden_name
    email = person.email
    if person.work_email and email is None:
        email = person.work_email
    elif person.work_email and source == "support" and happens(rates.work_email, "email.work"):
        email = person.work_email
    if home.family_email and person.uses_family_email:
        if happens(rates.family_email, "email.family"):
            email = home.family_email
    phone: noise.Phone | None = person.mobile
    if home.landline is not None and phone is None:
        phone = home.landline
    elif home.landline is not None and happens(rates.landline, "phone.landline"):
        phone = home.landline
    copy = Copy(
        person=person,
        source=source,
        first_name=person.first_name,
        last_name=last if "last_name" in fields else None,
        email=email,
        phone=phone if "phone" in fields else None,
        birth_date=person.birth_date if "birth_date" in fields else None,
        address=address if "address" in fields else None,
        street="" if "address" in fields else None,  # rendered after the errors
        company=person.company[0] if person.company and "company" in fields else None,
        industry=person.company[2] if person.company and "industry" in fields else None,
        turkish=True,
        edits=edits,
    )
    if person.locale == "TR" and happens(rates.ascii_fold * (1 if informal else 0.15), "ascii"):
        copy.turkish = False
    if copy.email and happens(rates.email_alias, "email.alias"):
        copy.email = noise.email_alias(rng, copy.email)
    nicknames = N.NICKNAMES.get(person.first_name)
    if nicknames and happens(rates.nickname * (1 if informal else 0.3), "first_name.nickname"):
        copy.first_name = rng.choice(nicknames)
    _apply_errors(rng, copy, rates)
    if copy.street is not None and address is not None:
        short = happens(rates.abbreviation, "street.abbreviated")
        copy.street = render_street(rng, address, short)
        if happens(rates.address_typo, "street.typo"):
            words = copy.street.split(" ")
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = noise.typo(rng, words[longest])
            copy.street = " ".join(words)
    if not copy.turkish:
        for name in ("first_name", "last_name", "street"):
            value = getattr(copy, name)
            setattr(copy, name, noise.fold_turkish(value) if value else value)
    if copy.first_name and copy.last_name and happens(rates.name_case, "names.case"):
        change = noise.upper if rng.random() < 0.6 or not informal else noise.lower
        copy.first_name = change(copy.first_name, copy.turkish and person.locale == "TR")
        copy.last_name = change(copy.last_name, copy.turkish and person.locale == "TR")
    return copy


def _apply_errors(rng: random.Random, copy: Copy, rates: Rates) -> None:
    """Errors in a random order, at most ``rates.max_errors``, the copy left resolvable.

    Each error checks when its turn comes whether it still applies (an e-mail dropped
    by an earlier error cannot get a typo) and says whether it changed anything.
    """
    person = copy.person
    newsletter = copy.source == "newsletter"

    def first_typo() -> bool:
        if not copy.first_name:
            return False
        before, copy.first_name = copy.first_name, noise.typo(rng, copy.first_name)
        return copy.first_name != before

    def last_typo() -> bool:
        if not copy.last_name:
            return False
        before, copy.last_name = copy.last_name, noise.typo(rng, copy.last_name)
        return copy.last_name != before

    def swap() -> bool:
        if not copy.first_name or not copy.last_name:
            return False
        copy.first_name, copy.last_name = copy.last_name, copy.first_name
        return True

    def email_typo() -> bool:
        if not copy.email or copy.email == PLACEHOLDER_EMAIL:
            return False
        before, copy.email = copy.email, noise.email_typo(rng, copy.email)
        return copy.email != before

    def phone_typo() -> bool:
        if not isinstance(copy.phone, noise.Phone):
            return False
        before, copy.phone = copy.phone, noise.phone_typo(rng, copy.phone)
        return copy.phone != before

    def birth(change: Callable[[dt.date], dt.date]) -> Callable[[], bool]:
        def apply() -> bool:
            if copy.birth_date in (None, PLACEHOLDER_BIRTH):
                return False
            assert copy.birth_date is not None
            before, copy.birth_date = copy.birth_date, change(copy.birth_date)
            return copy.birth_date != before

        return apply

    def set_to(name: str, value: object) -> Callable[[], bool]:
        def apply() -> bool:
            if getattr(copy, name) in (None, value):
                return False  # the source has no such field, or it is already so
            setattr(copy, name, value)
            return True

        return apply

    errors: list[tuple[str, float, Callable[[], bool]]] = [
        ("first_name.typo", rates.name_typo, first_typo),
        ("last_name.typo", rates.name_typo, last_typo),
        ("names.swapped", rates.swapped_names, swap),
        ("email.typo", rates.email_typo, email_typo),
        ("phone.typo", rates.phone_typo, phone_typo),
        ("birth_date.swapped", rates.birth_swap, birth(noise.swap_day_month)),
        ("birth_date.typo", rates.birth_typo, birth(lambda d: noise.date_typo(rng, d))),
        ("phone.missing", rates.missing, set_to("phone", None)),
        ("birth_date.missing", rates.missing * 4, set_to("birth_date", None)),
        ("street.missing", rates.missing, set_to("street", None)),
        ("email.missing", 0 if newsletter else rates.missing, set_to("email", None)),
        ("first_name.missing", rates.missing if newsletter else 0, set_to("first_name", None)),
        ("email.placeholder", 0 if newsletter else rates.placeholder,
         set_to("email", PLACEHOLDER_EMAIL)),
        ("phone.placeholder", rates.placeholder, set_to("phone", PLACEHOLDER_PHONE)),
        ("birth_date.placeholder", rates.placeholder, set_to("birth_date", PLACEHOLDER_BIRTH)),
    ]  # fmt: skip
    rng.shuffle(errors)
    budget = rates.max_errors
    for name, rate, apply in errors:
        if budget and rng.random() < rate and apply():
            copy.edits.append(name)
            budget -= 1
    usable_email = copy.email not in (None, PLACEHOLDER_EMAIL)
    usable_phone = isinstance(copy.phone, noise.Phone)
    usable_birth = copy.birth_date not in (None, PLACEHOLDER_BIRTH)
    if not usable_email and not usable_phone and not usable_birth:
        copy.edits.append("fairness.restored")  # nothing strong left: give one back
        email, phone = _email_of(person), person.mobile or person.household.landline
        if email:
            copy.email = email
        elif phone and "phone" in FIELDS[copy.source]:
            copy.phone = phone
        else:
            copy.birth_date = person.birth_date


def _email_of(person: Person) -> str | None:
    return person.email or person.work_email or person.household.family_email


def render_street(rng: random.Random, address: Address, abbreviate: bool) -> str:
    """The street line the way the country writes it, in full or abbreviated."""
    kind = address.street_type
    if address.country == "TR":
        if abbreviate:
            kind = rng.choice(N.TR_STREET_TYPES[kind])
            return f"{address.stem} {kind} No:{address.number} D:{address.unit}"
        return f"{address.stem} {kind} No: {address.number} Daire: {address.unit}"
    types = N.US_STREET_TYPES if address.country == "US" else N.UK_STREET_TYPES
    if abbreviate:
        kind = rng.choice(types[kind])
    line = f"{address.number} {address.stem} {kind}"
    if address.unit is None:
        return line
    if address.country == "GB":
        return f"Flat {address.unit}, {line}"
    unit = rng.choice(("Apt", "Apt.", "#")) if abbreviate else "Apartment"
    return f"{line} {unit}{'' if unit == '#' else ' '}{address.unit}"


def duplicate_copy(rng: random.Random, copy: Copy, rates: Rates) -> Copy:
    """A second account for the same person in the same source, made on another day."""
    again = make_copy(rng, copy.person, copy.source, rates)
    usable = isinstance(again.phone, noise.Phone) or again.birth_date not in (
        None,
        PLACEHOLDER_BIRTH,
    )
    if again.email == copy.email and copy.source != "newsletter" and usable and rng.random() < 0.5:
        again.email = None  # a guest checkout, a phone-only contact
        again.edits.append("email.missing")
    return again
