"""The true population: people, the households they live in, and their identifiers.

This is the ground truth the sources are noisy copies of. Households make the hard
negatives: members share a surname, an address, a postal code, sometimes a landline and a
family e-mail, but have their own first names and birth dates; twins even share the birth
date. Some single people deliberately share a common full name with an earlier stranger
in another city ("James Smith", "Mehmet Yılmaz").
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

try:
    from . import names as N
    from .noise import Phone, ascii_local, is_valid_phone
except ImportError:  # run as a script: this folder is on sys.path
    import names as N  # type: ignore[no-redef]
    from noise import Phone, ascii_local, is_valid_phone  # type: ignore[no-redef]

TODAY = dt.date(2025, 6, 30)
#: Share of people per country; the business is Turkish with customers abroad.
LOCALES = (("TR", 60), ("US", 25), ("GB", 15))
#: Household shapes and their odds (per household, not per person).
SHAPES = (("single", 68), ("couple", 18), ("family", 8), ("siblings", 6))
TR_MOBILE_PREFIXES = ("530", "531", "532", "533", "505", "506", "507", "535", "536", "537",
                      "538", "539", "541", "542", "543", "544", "545", "546", "551", "552",
                      "553", "554", "555", "501")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Address:
    """A home: street parts kept apart so sources can abbreviate them their own way."""

    country: str
    stem: str
    street_type: str
    number: int
    unit: str | None
    city: str
    postal_code: str


@dataclass(slots=True)
class Household:
    household_id: str
    shape: str
    address: Address
    landline: Phone | None = None
    family_email: str | None = None
    members: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    person_id: str
    locale: str  # TR, US, GB: where they live and which names they have
    gender: str  # F or M
    first_name: str
    last_name: str
    birth_date: dt.date
    household: Household
    email: str | None = None
    work_email: str | None = None
    company: tuple[str, str, str] | None = None
    mobile: Phone | None = None
    maiden_name: str | None = None  # the surname before marriage
    old_address: Address | None = None  # where they lived before moving
    uses_family_email: bool = False
    twin_of: str | None = None


GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def mailbox(address: str) -> str:
    """The mailbox an address delivers to: case, a ``+tag`` and (at Gmail) dots ignored.

    Written here rather than taken from Kimlik's ``email_matching_key`` on purpose: the
    truth a resolver is scored against must not come from the code it scores.
    """
    local, _, domain = address.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def zipf_choice(rng: random.Random, items: Sequence[str], skip: Sequence[str] = ()) -> str:
    """An item, earlier ones more likely (weight 1 / (rank + 4)), never one of ``skip``."""
    weights = _zipf_weights(len(items))
    while True:
        item = rng.choices(items, cum_weights=weights)[0]
        if item not in skip:
            return item


@lru_cache(maxsize=64)
def _zipf_weights(n: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 4) for rank in range(n)))


class PopulationBuilder:
    """Builds ``people`` persons in households, with unique personal identifiers."""

    def __init__(self, rng: random.Random, name_collision_rate: float = 0.04) -> None:
        self.rng = rng
        self.name_collision_rate = name_collision_rate
        self.people: list[Person] = []
        self.households: list[Household] = []
        self._phones: set[str] = set()
        self._emails: set[str] = set()
        self._by_locale: dict[str, list[Person]] = {"TR": [], "US": [], "GB": []}

    def build(self, people: int) -> list[Person]:
        rng = self.rng
        while len(self.people) < people:
            locale = rng.choices([c for c, _ in LOCALES], [w for _, w in LOCALES])[0]
            shape = rng.choices([s for s, _ in SHAPES], [w for _, w in SHAPES])[0]
            room = people - len(self.people)
            if room == 1:
                shape = "single"
            self._household(locale, shape, room)
        return self.people

    # --- households --------------------------------------------------------------------

    def _household(self, locale: str, shape: str, room: int) -> None:
        rng = self.rng
        home = Household(f"H{len(self.households) + 1:05d}", shape, self.address(locale))
        self.households.append(home)
        surname = zipf_choice(rng, N.TR_SURNAMES if locale == "TR" else N.EN_SURNAMES)
        if shape == "single":
            person = self._person(home, locale, rng.choice("FM"), surname, _year(rng, 1950, 2005))
            self._maybe_collide(person)
        elif shape == "couple" or shape == "family":
            year = _year(rng, 1950, 1994 if shape == "couple" else 1976)
            self._person(home, locale, "M", surname, year)
            wife = self._person(home, locale, "F", surname, _near(rng, year, 6))
            if rng.random() < 0.4:
                names = N.TR_SURNAMES if locale == "TR" else N.EN_SURNAMES
                wife.maiden_name = zipf_choice(rng, names, skip=(surname,))
            if shape == "family":
                kids = min(rng.choice((1, 2, 2)), room - 2)
                born = _year(rng, year.year + 22, min(year.year + 36, 2006))
                for _ in range(kids):
                    self._person(home, locale, rng.choice("FM"), surname, _near(rng, born, 3))
                if kids == 2 and rng.random() < 0.3:
                    self._make_twins(*home.members[-2:])
        else:  # siblings sharing a flat, often twins
            born = _year(rng, 1975, 2004)
            self._person(home, locale, rng.choice("FM"), surname, born)
            self._person(home, locale, rng.choice("FM"), surname, _near(rng, born, 5))
            if rng.random() < 0.45:
                self._make_twins(*home.members[-2:])
        self._shared_identifiers(home)

    def _shared_identifiers(self, home: Household) -> None:
        rng = self.rng
        several = len(home.members) > 1
        if rng.random() < (0.55 if several else 0.2):
            home.landline = self.phone(home.address, mobile=False)
        if several and rng.random() < 0.3:
            last = ascii_local(home.members[0].last_name)
            local = rng.choice(
                (f"{last}ailesi", f"{last}.aile") if home.address.country == "TR"
                else (f"the{last}s", f"{last}family", f"{last}.home")
            )  # fmt: skip
            home.family_email = self._unique_email(local, rng.choice(("gmail.com", "hotmail.com")))
            adults = home.members[:2]
            for member in adults:
                member.uses_family_email = True
        if not several and rng.random() < 0.08:
            person = home.members[0]
            person.old_address = self.address(home.address.country)

    def _make_twins(self, a: Person, b: Person) -> None:
        b.birth_date = a.birth_date
        a.twin_of, b.twin_of = b.person_id, a.person_id

    def _maybe_collide(self, person: Person) -> None:
        """Give a single person the full name of an earlier stranger in another city."""
        if self.rng.random() >= self.name_collision_rate:
            return
        earlier = self._by_locale[person.locale]  # the last one is this person
        for _ in range(10 if len(earlier) > 1 else 0):
            model = earlier[self.rng.randrange(len(earlier) - 1)]
            if model.household.address.city != person.household.address.city:
                person.first_name, person.last_name = model.first_name, model.last_name
                person.gender = model.gender
                self._identifiers(person)  # the e-mail follows the borrowed name
                return

    # --- people ------------------------------------------------------------------------

    def _person(
        self, home: Household, locale: str, gender: str, surname: str, born: dt.date
    ) -> Person:
        rng = self.rng
        pool = {
            ("TR", "F"): N.TR_FEMALE,
            ("TR", "M"): N.TR_MALE,
            ("F",): N.EN_FEMALE,
            ("M",): N.EN_MALE,
        }[(locale, gender) if locale == "TR" else (gender,)]
        taken = [member.first_name for member in home.members]
        person = Person(
            person_id=f"P{len(self.people) + 1:05d}",
            locale=locale,
            gender=gender,
            first_name=zipf_choice(rng, pool, skip=taken),
            last_name=surname,
            birth_date=born,
            household=home,
        )
        if rng.random() < 0.3:
            person.company = rng.choice(N.COMPANIES)
        if rng.random() < 0.93:
            person.mobile = self.phone(home.address, mobile=True)
        self._identifiers(person)
        home.members.append(person)
        self.people.append(person)
        self._by_locale[locale].append(person)
        return person

    def _identifiers(self, person: Person) -> None:
        rng = self.rng
        first = ascii_local(person.first_name.split(" ")[0])
        last = ascii_local(person.last_name)
        year = str(person.birth_date.year)
        pattern = rng.choice(
            (f"{first}.{last}", f"{first}{last}", f"{first}_{last}", f"{first[0]}.{last}",
             f"{first}.{last}{year[2:]}", f"{first}{year}", f"{last}.{first}")
        )  # fmt: skip
        domains = N.FREE_MAIL[person.locale]
        person.email = person.work_email = None
        if rng.random() < 0.94:
            domain = rng.choices(domains, [8] + [2] * (len(domains) - 1))[0]
            person.email = self._unique_email(pattern, domain)
        if person.company is not None:
            person.work_email = self._unique_email(f"{first}.{last}", person.company[1])

    def _unique_email(self, local: str, domain: str) -> str:
        """An address no one else has, compared as mailboxes: at Gmail, ``ali.demir`` and
        ``alidemir`` are one mailbox, so two people cannot be given the two spellings."""
        candidate, n = f"{local}@{domain}", 1
        while mailbox(candidate) in self._emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._emails.add(mailbox(candidate))
        return candidate

    # --- places and numbers ------------------------------------------------------------

    def address(self, country: str) -> Address:
        rng = self.rng
        cities = [city for city in N.CITIES if city.country == country]
        city = rng.choices(cities, [c.weight for c in cities])[0]
        stem = rng.choice(N.TR_STREETS if country == "TR" else N.EN_STREETS)
        types = {"TR": N.TR_STREET_TYPES, "US": N.US_STREET_TYPES}.get(country, N.UK_STREET_TYPES)
        unit: str | None = None
        if country == "TR":
            number, unit = rng.randint(1, 140), str(rng.randint(1, 24))
            postal = rng.choice(city.postal) + f"{rng.randint(0, 999):03d}"
        elif country == "US":
            number = rng.randint(10, 9800)
            if rng.random() < 0.5:
                unit = f"{rng.randint(1, 30)}{rng.choice(('', '', 'A', 'B', 'C'))}"
            postal = rng.choice(city.postal) + f"{rng.randint(0, 99):02d}"
        else:
            number = rng.randint(1, 260)
            if rng.random() < 0.4:
                unit = str(rng.randint(1, 12))
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            inward = f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            postal = f"{rng.choice(city.postal)} {inward}"
        street_type = rng.choice(list(types))
        return Address(country, stem, street_type, number, unit, city.name, postal)

    def phone(self, address: Address, mobile: bool) -> Phone:
        rng = self.rng
        country = address.country
        city = next(c for c in N.CITIES if c.name == address.city)
        while True:
            if country == "TR":
                head = rng.choice(TR_MOBILE_PREFIXES) if mobile else rng.choice(city.area_codes)
                national, area = head + f"{rng.randint(2000000, 9999999)}", 3
            elif country == "US":
                exchange = rng.randint(200, 999)
                if exchange == 555 or exchange % 100 == 11:
                    continue  # 555 is for fiction, N11 are service codes
                national = rng.choice(city.area_codes) + f"{exchange}{rng.randint(0, 9999):04d}"
                area = 3
            elif mobile:
                national, area = f"7{rng.randint(400000000, 999999999)}", 4
                if national.startswith("7700900"):
                    continue  # Ofcom's drama range: libphonenumber calls it invalid
            else:
                head = rng.choice(city.area_codes)
                area = 2 if len(head) == 3 and head.startswith("20") else len(head)
                rest = 10 - len(head)
                national = head + f"{rng.randint(2 * 10 ** (rest - 1), 10**rest - 1)}"
            if national not in self._phones and is_valid_phone(country, national):
                self._phones.add(national)
                return Phone(country, national, area)


def _year(rng: random.Random, first: int, last: int) -> dt.date:
    start = dt.date(first, 1, 1).toordinal()
    end = dt.date(max(first, last), 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, min(end, TODAY.toordinal() - 18 * 366)))


def _near(rng: random.Random, born: dt.date, years: int) -> dt.date:
    days = rng.randint(300, max(301, years * 365)) * rng.choice((-1, 1))
    latest = TODAY.toordinal() - 18 * 366
    return dt.date.fromordinal(min(born.toordinal() + days, latest))
