"""Synthetic customer data from several apps, with the truth about who is who.

A population of people in households (``population.py``) is copied into four people
sources with their own headers and habits, each copy drifted by controlled noise
(``copies.py``), plus the orders, tickets, consents and survey answers that hang off
them. ``truth.csv`` says which person every people record belongs to, for
``bench/resolve`` and for checking ``kimlik resolve`` on the demo data.

    python bench/resolve/synth.py --people 300 --seed 7 --out DIR

Every file imports with ``kimlik import FILE --source S --kind K [--region R]`` as listed
in ``manifest.json`` (and ``SOURCE_FILES``), with no rejected rows. The same seed gives
the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

try:
    from . import names as N
    from . import noise
    from .copies import PLACEHOLDER_BIRTH, Copy, Rates, duplicate_copy, make_copy, sources_of
    from .population import TODAY, Person, PopulationBuilder
except ImportError:  # run as a script: this folder is on sys.path
    import names as N  # type: ignore[no-redef]
    import noise  # type: ignore[no-redef]
    from copies import (  # type: ignore[no-redef]
        PLACEHOLDER_BIRTH,
        Copy,
        Rates,
        duplicate_copy,
        make_copy,
        sources_of,
    )
    from population import TODAY, Person, PopulationBuilder  # type: ignore[no-redef]

__all__ = ["SOURCE_FILES", "GeneratedData", "Rates", "SourceFile", "generate", "main"]


class SourceFile(NamedTuple):
    """One generated file and how to import it."""

    name: str
    source: str
    kind: str
    region: str | None


#: In the order a business would load them: people first, then what hangs off them.
SOURCE_FILES: tuple[SourceFile, ...] = (
    SourceFile("crm_contacts.csv", "crm", "people", "TR"),
    SourceFile("webshop_customers.jsonl", "webshop", "people", "TR"),
    SourceFile("support_customers.csv", "support", "people", "US"),
    SourceFile("newsletter_subscribers.csv", "newsletter", "people", None),
    SourceFile("webshop_orders.csv", "webshop", "orders", None),
    SourceFile("webshop_order_items.csv", "webshop", "order_items", None),
    SourceFile("support_tickets.csv", "support", "interactions", "US"),
    SourceFile("newsletter_consents.csv", "newsletter", "consents", None),
    SourceFile("survey_responses.csv", "survey", "feedback", None),
)
CRM_HEADER = ("Müşteri No", "Ad", "Soyad", "E-posta", "Cep Telefonu", "Doğum Tarihi", "Şehir",
              "Adres", "Posta Kodu", "Ülke", "Sektör")  # fmt: skip
WEBSHOP_KEYS = ("customer_id", "first_name", "last_name", "email", "phone", "birth_date",
                "street", "city", "postal_code", "country", "signed_up_at")  # fmt: skip
SUPPORT_HEADER = ("Contact ID", "Name", "Email", "Phone", "Company", "Country")
NEWSLETTER_HEADER = ("ID", "Email Address", "First Name", "Signup Date", "Signup Form")
ORDER_HEADER = ("order_id", "customer_id", "ordered_at", "total", "currency", "status", "channel")
ITEM_HEADER = ("order_id", "sku", "product_name", "quantity", "unit_price")
TICKET_HEADER = ("Ticket ID", "Contact ID", "Email", "Opened At", "Channel", "Department",
                 "Agent", "Subject", "Resolution")  # fmt: skip
CONSENT_HEADER = ("customer_id", "email", "purpose", "channel", "status", "recorded_at")
SURVEY_HEADER = ("Response ID", "Email", "Survey", "Question", "NPS Score", "Comment",
                 "Submitted At")  # fmt: skip
#: Country spellings per audience: CRM in Turkish, the others in English.
COUNTRY_NAMES = {
    "crm": {"TR": ("Türkiye", "Türkiye", "TR", "Turkey"), "US": ("ABD", "USA", "Amerika"),
            "GB": ("İngiltere", "Birleşik Krallık", "UK")},
    "webshop": {"TR": ("TR", "TR", "TR", "Turkey"), "US": ("US", "US", "United States"),
                "GB": ("GB", "GB", "United Kingdom")},
    "support": {"TR": ("Turkey", "Türkiye"), "US": ("United States", "USA", "US"),
                "GB": ("United Kingdom", "UK", "England")},
}  # fmt: skip
CURRENCY = {"TR": ("TRY", 1.0), "US": ("USD", 1 / 38), "GB": ("GBP", 1 / 51)}


@dataclass
class GeneratedData:
    """What ``generate`` wrote, and the truth behind it."""

    out_dir: Path
    files: tuple[SourceFile, ...]
    rows: dict[str, int]  # file name -> data rows
    truth: dict[tuple[str, str], str]  # (source, record id) -> person id
    persons: int
    households: int  # with two or more members
    household_members: int
    twin_pairs: int
    name_collisions: int  # persons sharing their full name with another person
    within_source_duplicates: int  # records beyond the first for a person in one source
    sources_per_person: dict[int, int] = field(default_factory=dict)
    edits: dict[str, int] = field(default_factory=dict)  # noise applied -> people records
    population: list[Person] = field(default_factory=list, repr=False)  # the true people

    def path(self, name: str) -> Path:
        return self.out_dir / name

    def summary(self) -> dict[str, Any]:
        return {
            "persons": self.persons,
            "households": self.households,
            "household_members": self.household_members,
            "twin_pairs": self.twin_pairs,
            "name_collisions": self.name_collisions,
            "within_source_duplicates": self.within_source_duplicates,
            "sources_per_person": {str(k): v for k, v in sorted(self.sources_per_person.items())},
            "rows": self.rows,
            "edits": self.edits,
        }


def generate(people: int, seed: int, out_dir: Path, rates: Rates | None = None) -> GeneratedData:
    """Write every source file, ``truth.csv`` and ``manifest.json`` into ``out_dir``."""
    rates = rates or Rates()
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = PopulationBuilder(random.Random(f"{seed}:population"))
    population = builder.build(people)
    rng = random.Random(f"{seed}:copies")
    by_source: dict[str, list[Copy]] = {"crm": [], "webshop": [], "support": [], "newsletter": []}
    spread: Counter[int] = Counter()
    duplicates = 0
    for person in population:
        chosen = sources_of(rng, person)
        spread[len(chosen)] += 1
        for source in chosen:
            copy = make_copy(rng, person, source, rates)
            by_source[source].append(copy)
            if rng.random() < rates.duplicate:
                by_source[source].append(duplicate_copy(rng, copy, rates))
                duplicates += 1
    writer = _Writer(out_dir, seed)
    ids = {source: writer.shuffle_ids(source, copies) for source, copies in by_source.items()}
    writer.crm(ids["crm"])
    writer.webshop(ids["webshop"])
    writer.support(ids["support"])
    writer.newsletter(ids["newsletter"])
    writer.survey(population)
    truth = {
        (source, record_id): copy.person.person_id
        for source, pairs in ids.items()
        for record_id, copy in pairs
    }
    _write_csv(
        out_dir / "truth.csv",
        ("source", "record_id", "person_id"),
        [(s, r, p) for (s, r), p in sorted(truth.items())],
    )
    full_names = Counter((p.first_name, p.last_name) for p in population)
    copies = [copy for source_copies in by_source.values() for copy in source_copies]
    homes = [h for h in builder.households if len(h.members) > 1]
    data = GeneratedData(
        out_dir=out_dir,
        files=SOURCE_FILES,
        rows=writer.rows,
        truth=truth,
        persons=len(population),
        households=len(homes),
        household_members=sum(len(h.members) for h in homes),
        twin_pairs=sum(1 for p in population if p.twin_of) // 2,
        name_collisions=sum(n for n in full_names.values() if n > 1),
        within_source_duplicates=duplicates,
        sources_per_person=dict(spread),
        edits=dict(sorted(Counter(e for c in copies for e in c.edits).items())),
        population=population,
    )
    manifest = {
        "seed": seed,
        "people": people,
        "files": [f._asdict() for f in SOURCE_FILES],
        "truth": "truth.csv",
        **data.summary(),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")
    return data


class _Writer:
    """Renders copies the way each app exports them, and the records hanging off them."""

    def __init__(self, out_dir: Path, seed: int) -> None:
        self.out = out_dir
        self.seed = seed
        self.rows: dict[str, int] = {}

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def shuffle_ids(self, source: str, copies: list[Copy]) -> list[tuple[str, Copy]]:
        """Record ids in an order that tells nothing about who is who."""
        order = list(copies)
        self.rng(f"{source}:ids").shuffle(order)
        start = {"crm": 100001, "webshop": 50001, "support": 1, "newsletter": 1}[source]
        pattern = {"crm": "C{}", "webshop": "W-{}", "support": "S-{:04d}", "newsletter": "NL{:05d}"}
        return [(pattern[source].format(start + i), copy) for i, copy in enumerate(order)]

    def _write(
        self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]], **kw: Any
    ) -> None:
        _write_csv(self.out / name, header, rows, **kw)
        self.rows[name] = len(rows)

    def crm(self, records: list[tuple[str, Copy]]) -> None:
        rng = self.rng("crm")
        rows = []
        for record_id, c in records:
            country = _country(rng, "crm", c)
            rows.append((
                record_id, c.first_name, c.last_name, c.email,
                _phone(rng, c, country is not None or c.person.locale == "TR", 0.75),
                _date(c.birth_date, rng.choice(("%d.%m.%Y",) * 4 + ("%d/%m/%Y",))),
                _city(rng, c), c.street, _postal(c), country, c.industry,
            ))  # fmt: skip
        self._write("crm_contacts.csv", CRM_HEADER, rows, delimiter=";")

    def webshop(self, records: list[tuple[str, Copy]]) -> None:
        rng = self.rng("webshop")
        lines: list[str] = []
        orders: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        for record_id, c in records:
            country = _country(rng, "webshop", c)
            signed_up = _moment(rng, dt.date(2019, 1, 1), TODAY - dt.timedelta(days=30))
            values = (
                record_id, c.first_name, c.last_name, c.email, _phone(rng, c, True, 0.5),
                _date(c.birth_date, "%Y-%m-%d"), c.street, _city(rng, c), _postal(c), country,
                signed_up.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )  # fmt: skip
            lines.append(
                json.dumps(dict(zip(WEBSHOP_KEYS, values, strict=True)), ensure_ascii=False)
            )
            for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 6))):
                orders.append(_order(rng, record_id, c, signed_up, items))
        (self.out / "webshop_customers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.rows["webshop_customers.jsonl"] = len(lines)
        orders.sort(key=lambda order: (order[2], order[1]))
        numbered = {row[0]: f"O-{7001 + i}" for i, row in enumerate(orders)}
        self._write("webshop_orders.csv", ORDER_HEADER, [(numbered[o[0]], *o[1:]) for o in orders])
        items = sorted(((numbered[i[0]], *i[1:]) for i in items), key=lambda i: (i[0], i[1]))
        self._write("webshop_order_items.csv", ITEM_HEADER, items)

    def support(self, records: list[tuple[str, Copy]]) -> None:
        rng = self.rng("support")
        rows, tickets = [], []
        for record_id, c in records:
            country = _country(rng, "support", c)
            name = " ".join(part for part in (c.first_name, c.last_name) if part)
            # a US helpdesk: US numbers typed the US way, UK ones the UK way, others with +
            locale = c.person.locale
            national_ok = locale == "US" or (locale == "GB" and country is not None)
            phone = _phone(rng, c, national_ok, 0.8)
            rows.append((record_id, name, c.email, phone, c.company, country))
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                opened = _moment(rng, dt.date(2024, 1, 1), TODAY)
                by_email = c.email and "noemail" not in c.email and rng.random() < 0.1
                reason, department, outcome = rng.choice(TICKET_REASONS)
                tickets.append([
                    "", "" if by_email else record_id, c.email if by_email else "",
                    opened.strftime("%m/%d/%Y %I:%M %p"), rng.choice(("phone", "email", "chat")),
                    department, rng.choice(("Kemal", "Seda", "Emily", "Tom", "Zeynep")),
                    reason, outcome, opened,
                ])  # fmt: skip
        self._write("support_customers.csv", SUPPORT_HEADER, rows)
        tickets.sort(key=lambda t: (t[-1], t[1], t[2]))
        for i, ticket in enumerate(tickets):
            ticket[0] = f"T-{9001 + i}"
        self._write("support_tickets.csv", TICKET_HEADER, [t[:-1] for t in tickets])

    def newsletter(self, records: list[tuple[str, Copy]]) -> None:
        rng = self.rng("newsletter")
        rows, consents = [], []
        for record_id, c in records:
            joined = _moment(rng, dt.date(2020, 1, 1), TODAY - dt.timedelta(days=10))
            form = rng.choice(("footer", "checkout", "popup", "event"))
            rows.append((record_id, c.email, c.first_name, joined.strftime("%Y-%m-%d"), form))
            stamp = joined.strftime("%Y-%m-%dT%H:%M:%SZ")
            consents.append((record_id, c.email, "newsletter", "email", "granted", stamp))
            if rng.random() < 0.15:
                later = _moment(rng, joined.date() + dt.timedelta(days=1), TODAY)
                when = later.strftime("%Y-%m-%dT%H:%M:%SZ")
                consents.append((record_id, c.email, "newsletter", "email", "withdrawn", when))
            if rng.random() < 0.3:
                status = rng.choice(("granted", "denied"))
                consents.append((record_id, c.email, "marketing", "sms", status, stamp))
        self._write("newsletter_subscribers.csv", NEWSLETTER_HEADER, rows)
        self._write("newsletter_consents.csv", CONSENT_HEADER, consents)

    def survey(self, population: Iterable[Person]) -> None:
        """NPS answers, tied to people only by the e-mail they typed (sometimes an alias)."""
        rng = self.rng("survey")
        answers = []
        for person in population:
            emails = [e for e in (person.email, person.work_email) if e]
            if person.uses_family_email and person.household.family_email:
                emails.append(person.household.family_email)
            if not emails or rng.random() >= 0.35:
                continue
            email = rng.choice(emails)
            if rng.random() < 0.1:
                email = noise.email_alias(rng, email)
            answers.append((email, person.locale))
        for i in range(max(1, len(answers) // 30)):  # strangers: answers that link to no one
            answers.append((f"visitor{rng.randint(100, 999)}{i}@yahoo.com", "US"))
        rng.shuffle(answers)
        rows = []
        for i, (email, locale) in enumerate(answers):
            score = rng.choices(range(11), (2, 1, 1, 2, 2, 4, 5, 9, 14, 13, 10))[0]
            comment = rng.choice(N.SURVEY_COMMENTS["TR" if locale == "TR" else "EN"])
            when = _moment(rng, dt.date(2025, 1, 1), TODAY).strftime("%Y-%m-%dT%H:%M:%S+03:00")
            question = "How likely are you to recommend us to a friend?"
            rows.append((f"R-{3001 + i}", email, "NPS 2025", question, score, comment, when))
        self._write("survey_responses.csv", SURVEY_HEADER, rows)


TICKET_REASONS = (
    ("Double charge on card", "Billing", "Refunded"),
    ("Where is my order", "Delivery", "Shipped"),
    ("Return request", "Returns", "Return accepted"),
    ("Cannot log in", "Technical", "Password reset"),
    ("Product question", "Sales", "Answered"),
    ("Damaged item", "Returns", "Replacement sent"),
)


def _order(
    rng: random.Random, customer: str, c: Copy, after: dt.datetime, items: list[tuple[Any, ...]]
) -> tuple[Any, ...]:
    currency, rate = CURRENCY[c.person.locale]
    key = f"{customer}#{len(items)}"  # unique (every order adds items); numbered later
    total = 0.0
    for sku, tr_name, en_name, price in rng.sample(N.PRODUCTS, rng.choice((1, 1, 2, 3))):
        quantity = rng.choice((1, 1, 1, 2, 3))
        unit = round(price * rate, 2)
        total += unit * quantity
        name = tr_name if c.person.locale == "TR" else en_name
        items.append((key, sku, name, quantity, f"{unit:.2f}"))
    when = _moment(rng, after.date(), TODAY).strftime("%Y-%m-%d %H:%M:%S")
    status = rng.choices(("delivered", "shipped", "returned", "cancelled"), (80, 8, 7, 5))[0]
    channel = rng.choice(("web", "web", "mobile"))
    return (key, customer, when, f"{total:.2f}", currency, status, channel)


def _phone(rng: random.Random, c: Copy, national_ok: bool, national: float) -> str | None:
    if isinstance(c.phone, noise.Phone):
        return noise.format_phone(rng, c.phone, national_ok, national)
    return c.phone  # a placeholder or None


def _country(rng: random.Random, source: str, c: Copy) -> str | None:
    locale = c.person.locale
    if locale == "TR" and source != "webshop" and rng.random() < 0.06:
        return None  # a Turkish CRM or helpdesk leaves "Türkiye" out now and then
    return rng.choice(COUNTRY_NAMES[source][locale])


def _city(rng: random.Random, c: Copy) -> str | None:
    if c.address is None:
        return None
    city = c.address.city
    if not c.turkish:
        return noise.fold_turkish(city)
    return noise.upper(city, True) if c.address.country == "TR" and rng.random() < 0.1 else city


def _postal(c: Copy) -> str | None:
    return c.address.postal_code if c.address is not None and c.street is not None else None


def _date(value: dt.date | None, pattern: str) -> str | None:
    if value is None:
        return None
    if value == PLACEHOLDER_BIRTH:
        return pattern.replace("%d", "01").replace("%m", "01").replace("%Y", "1900")
    return value.strftime(pattern)


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    day = dt.date.fromordinal(rng.randint(first.toordinal(), max(first, last).toordinal()))
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 22), rng.randint(0, 59))


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], **kw: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n", **kw)
        out.writerow(header)
        out.writerows(["" if v is None else v for v in row] for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300, help="persons to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    data = generate(args.people, args.seed, args.out)
    print(json.dumps(data.summary(), indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
