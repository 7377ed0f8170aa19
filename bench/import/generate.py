"""Generate a realistic, deterministic CRM export of people for the import benchmark.

Why synthetic: the benchmark must run anywhere, offline, on any size, and give the same
file for the same seed so that figures from different days compare. Why "realistic": the
importer's cost depends on what it meets (Turkish letters, phones in five shapes, day-first
dates, country spellings, ~5% broken rows, ~1% exact duplicates), so a file of tidy ASCII
would flatter it.

The rows stream out one at a time (only a bounded sample of earlier rows is kept, to draw
duplicates from), so memory stays constant whatever ``--rows`` is.

    python bench/import/generate.py --rows 100000 --seed 42 --output people.csv
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, NamedTuple

HEADER: tuple[str, ...] = (
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Birth Date",
    "Street",
    "City",
    "Postal Code",
    "Country",
    "Company",
    "Job Title",
    "Industry",
    "Gender",
    "Signed Up At",
    "Loyalty Tier",
)
COL = {name: index for index, name in enumerate(HEADER)}

INVALID_SHARE = 0.05
"""Share of rows carrying exactly one defect, the kinds drawn with equal odds."""
DUPLICATE_SHARE = 0.01
"""Share of rows that repeat an earlier valid row byte for byte."""
DUPLICATE_POOL = 10_000
"""Earlier rows kept (reservoir sample) to draw duplicates from; bounds memory."""

DEFECTS: tuple[str, ...] = (
    "bad_email",
    "bad_phone",
    "impossible_date",
    "future_birth_date",
    "unknown_country",
    "missing_id",
    "blank_identity",
)
"""Every way a generated row can be invalid; each invalid row has exactly one."""

# --- names -------------------------------------------------------------------------------

TR_FEMALE = (
    "Ayşe Fatma Emine Hatice Zeynep Elif Merve Büşra Özge Gülşen Şule Çiğdem İrem Ebru Gözde "
    "Esra Tuğba Derya Sibel Songül Dilek Gül Öykü Ece Selin Aslı Nur Yağmur Şeyma Gülay"
).split()
TR_MALE = (
    "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Çağrı Barış "
    "Oğuz Uğur Gökhan Emre Burak Serkan Kerem Doğan Şükrü Tayfun Ercüment Onur Tolga Cem "
    "Halil Yiğit"
).split()
TR_SURNAMES = (
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
    "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Erdoğan Güneş Akın Ünal Işık Bozkurt Güler "
    "Çakır Karaca Tekin Özgür Sarı Uçar Gündoğdu Ateş Aksoy Türkmen Ekinci Korkmaz"
).split()
EN_FEMALE = (
    "Mary Patricia Jennifer Linda Elizabeth Sarah Emily Olivia Amelia Charlotte Sophie "
    "Jessica Emma Hannah Grace Chloe Laura Megan"
).split()
EN_MALE = (
    "James John Robert Michael William David Oliver George Harry Jack Thomas Daniel Matthew "
    "Christopher Andrew Joseph Ryan Liam"
).split()
EN_SURNAMES = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark Evans Walker Wright "
    "Thompson White Hughes Roberts O'Brien García Martinez Anderson Thomas Moore Jackson Lee "
    "Harris Lewis Robinson Hall Young McDonald"
).split()

# --- places ------------------------------------------------------------------------------


class TrCity(NamedTuple):
    spellings: tuple[str, ...]
    plate: str  # first two digits of every postal code in the province
    area_codes: tuple[str, ...]
    weight: int


TR_CITIES = (
    TrCity(("İstanbul", "Istanbul", "ISTANBUL"), "34", ("212", "216"), 30),
    TrCity(("Ankara", "ANKARA"), "06", ("312",), 12),
    TrCity(("İzmir", "Izmir", "IZMIR"), "35", ("232",), 9),
    TrCity(("Bursa",), "16", ("224",), 5),
    TrCity(("Antalya",), "07", ("242",), 5),
    TrCity(("Adana",), "01", ("322",), 4),
    TrCity(("Konya",), "42", ("332",), 4),
    TrCity(("Gaziantep",), "27", ("342",), 3),
    TrCity(("Kocaeli",), "41", ("262",), 3),
    TrCity(("Eskişehir", "Eskisehir"), "26", ("222",), 2),
    TrCity(("Trabzon",), "61", ("462",), 2),
    TrCity(("Kayseri",), "38", ("352",), 2),
    TrCity(("Muğla", "Mugla"), "48", ("252",), 2),
    TrCity(("Diyarbakır", "Diyarbakir"), "21", ("412",), 2),
    TrCity(("Samsun",), "55", ("362",), 2),
)
TR_NEIGHBOURHOODS = tuple(
    name.replace("_", " ")  # "_" joins two-word names
    for name in (
        "Cumhuriyet Atatürk Fatih Yeni Merkez Bahçelievler Güzelyalı Kızılay Çamlıca Şirinevler "
        "Esentepe Kocatepe İnönü Gazi Barbaros Hürriyet Bağlarbaşı Yıldırım_Beyazıt Mimar_Sinan"
    ).split()
)
TR_STREETS = (
    "İstiklal",
    "Bağdat",
    "Atatürk",
    "Cumhuriyet",
    "Gazi Mustafa Kemal",
    "Menekşe",
    "Lale",
    "Gül",
    "Papatya",
    "Çınar",
    "Ihlamur",
    "Akasya",
    "Kıbrıs Şehitleri",
    "Söğütlü Çeşme",
    "Halaskargazi",
    "Büyükdere",
    "Talatpaşa",
    "Mithatpaşa",
)
TR_MOBILE_PREFIXES = (
    "501 505 506 507 530 531 532 533 534 535 536 537 538 539 541 542 543 544 545 546 "
    "547 548 549 551 552 553 554 555 559"
).split()


class UsCity(NamedTuple):
    name: str
    zip3: str
    area_codes: tuple[str, ...]
    weight: int


US_CITIES = (
    UsCity("New York", "100", ("212", "646", "917"), 5),
    UsCity("Brooklyn", "112", ("718", "347"), 2),
    UsCity("Los Angeles", "900", ("213", "310", "323"), 4),
    UsCity("San Francisco", "941", ("415", "628"), 2),
    UsCity("Chicago", "606", ("312", "773"), 3),
    UsCity("Houston", "770", ("713", "832"), 2),
    UsCity("Boston", "021", ("617", "857"), 2),
    UsCity("Seattle", "981", ("206",), 1),
    UsCity("Miami", "331", ("305", "786"), 2),
    UsCity("Austin", "787", ("512",), 1),
    UsCity("Denver", "802", ("303", "720"), 1),
)
US_STREET_NAMES = (
    "Main Oak Maple Park Washington Lake Hill Elm Cedar Pine Sunset Madison Lincoln Broadway"
).split()
US_STREET_SUFFIXES = ("St", "Street", "Ave", "Avenue", "Blvd", "Rd", "Dr", "Ln")


class GbCity(NamedTuple):
    name: str
    outward: tuple[str, ...]
    area_code: str  # without the trunk 0
    weight: int


GB_CITIES = (
    GbCity("London", ("SW1A", "EC1A", "W1D", "N1", "E14", "SE1", "NW3", "WC2H"), "20", 8),
    GbCity("Manchester", ("M1", "M4", "M14", "M20"), "161", 2),
    GbCity("Birmingham", ("B1", "B15", "B33"), "121", 2),
    GbCity("Leeds", ("LS1", "LS6"), "113", 1),
    GbCity("Glasgow", ("G1", "G12"), "141", 1),
    GbCity("Edinburgh", ("EH1", "EH3"), "131", 1),
    GbCity("Bristol", ("BS1", "BS8"), "117", 1),
    GbCity("Liverpool", ("L1", "L18"), "151", 1),
)
GB_STREET_NAMES = ("High", "Church", "Station", "Victoria", "Park", "Queen's", "King's", "Mill")
GB_STREET_SUFFIXES = ("Street", "Road", "Lane", "Avenue", "Close", "Way")
GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
GB_MOBILE_PREFIXES = "7400 7440 7507 7552 7712 7723 7766 7817 7834 7956 7985".split()
# Not 07700 900xxx: that is Ofcom's drama range, which libphonenumber calls invalid.

Place = TrCity | UsCity | GbCity

COUNTRY_SPELLINGS = {
    "TR": ("Türkiye", "Türkiye", "Turkey", "TR", "TURKEY", "Turkiye"),  # official name twice
    "US": ("United States", "USA", "US", "United States of America"),
    "GB": ("UK", "United Kingdom", "GB", "UK"),  # UK twice: the usual spelling
}
COUNTRY_CODES = ("TR", "US", "GB")
COUNTRY_CUM_WEIGHTS = (70, 85, 100)
UNKNOWN_COUNTRIES = ("Atlantis", "Narnia", "Wakanda", "Elbonia", "Freedonia")

# --- work --------------------------------------------------------------------------------

INDUSTRY_SPELLINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # concept: (spellings seen in Turkish exports, spellings seen in English ones)
    "tech": (("Bilişim", "Yazılım", "Teknoloji"), ("Tech", "Technology", "Software", "IT")),
    "retail": (("Perakende", "Mağazacılık"), ("Retail", "Retail Trade")),
    "logistics": (("Lojistik", "Taşımacılık"), ("Logistics", "Transportation")),
    "food": (("Gıda",), ("Food & Beverage", "Food")),
    "textile": (("Tekstil", "Hazır Giyim"), ("Textiles", "Apparel")),
    "tourism": (("Turizm",), ("Tourism", "Hospitality")),
    "finance": (("Finans", "Bankacılık"), ("Finance", "Banking")),
    "health": (("Sağlık",), ("Healthcare", "Health")),
}


class Company(NamedTuple):
    name: str
    domain: str
    industry: str


COMPANIES = {
    "TR": (
        Company("Anadolu Lojistik A.Ş.", "anadolulojistik.com.tr", "logistics"),
        Company("Boğaziçi Yazılım Ltd. Şti.", "bogaziciyazilim.com", "tech"),
        Company("Ege Gıda San. ve Tic. A.Ş.", "egegida.com.tr", "food"),
        Company("Karadeniz Tekstil", "karadeniztekstil.com", "textile"),
        Company("Marmara Perakende A.Ş.", "marmaraperakende.com.tr", "retail"),
        Company("Kapadokya Turizm", "kapadokyaturizm.com", "tourism"),
        Company("Çukurova Finans", "cukurovafinans.com.tr", "finance"),
        Company("Başkent Bilişim", "baskentbilisim.com.tr", "tech"),
        Company("Şifa Sağlık Grubu", "sifasaglik.com.tr", "health"),
        Company("Toros Mağazacılık", "torosmagaza.com", "retail"),
    ),
    "US": (
        Company("Acme Corp", "acmecorp.com", "retail"),
        Company("Globex Inc.", "globex.io", "tech"),
        Company("Initech LLC", "initech.com", "tech"),
        Company("Hudson Logistics", "hudsonlogistics.com", "logistics"),
        Company("Bluebird Health", "bluebirdhealth.org", "health"),
    ),
    "GB": (
        Company("Thames Analytics Ltd", "thamesanalytics.co.uk", "tech"),
        Company("Northwind Traders plc", "northwind.co.uk", "retail"),
        Company("Pennine Foods", "penninefoods.co.uk", "food"),
        Company("Albion Travel", "albiontravel.co.uk", "tourism"),
    ),
}
TR_JOB_TITLES = (
    "Satış Müdürü",
    "Yazılım Mühendisi",
    "Muhasebe Uzmanı",
    "Genel Müdür",
    "İnsan Kaynakları Uzmanı",
    "Pazarlama Müdürü",
    "Satın Alma Sorumlusu",
    "Operasyon Müdürü",
    "Proje Yöneticisi",
)
EN_JOB_TITLES = (
    "Sales Manager",
    "Software Engineer",
    "Accountant",
    "CEO",
    "HR Specialist",
    "Marketing Manager",
    "Procurement Officer",
    "Operations Director",
    "Project Manager",
    "Data Analyst",
)

FREE_MAIL = {
    "TR": (("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "yandex.com", "icloud.com"),
           (45, 75, 84, 92, 96, 100)),
    "US": (("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"),
           (45, 60, 75, 83, 96, 100)),
    "GB": (("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com",
            "icloud.com"), (40, 58, 72, 82, 90, 100)),
}  # fmt: skip
EMAIL_TAGS = ("crm", "shop", "news", "promo", "2023")

TR_GENDER = {"F": ("Kadın", "K", "F", "Kadın", "female"), "M": ("Erkek", "E", "M", "Erkek", "male")}
EN_GENDER = {"F": ("Female", "F", "female", "Woman"), "M": ("Male", "M", "male", "Man")}
# Turkish rows draw from all seven spellings, the others from the English four.
LOYALTY_TIERS = ("Bronze", "Silver", "Gold", "Platinum", "Bronz", "Gümüş", "Altın")
LOYALTY_CUM_WEIGHTS = (30, 52, 64, 68, 80, 90, 96)

SIGNUP_START = datetime(2016, 1, 1)
SIGNUP_SPAN_SECONDS = int((datetime(2025, 6, 30) - SIGNUP_START).total_seconds())
TZ_OFFSET = {"TR": ("+03:00", 3), "US": ("-05:00", -5), "GB": ("+00:00", 0)}

ASCII_FOLD = str.maketrans(
    {
        "ç": "c", "Ç": "c", "ğ": "g", "Ğ": "g", "ı": "i", "İ": "i", "ö": "o", "Ö": "o",
        "ş": "s", "Ş": "s", "ü": "u", "Ü": "u", "á": "a", "é": "e", "í": "i", "ó": "o",
        "'": "", " ": "",
    }
)  # fmt: skip


def tr_upper(text: str) -> str:
    """Upper-case the Turkish way (i -> İ, ı -> I), as Turkish CRMs write capitals."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def mail_name(text: str) -> str:
    """Fold a name to the ASCII people use in mailbox names (Şükrü -> sukru)."""
    return text.translate(ASCII_FOLD).lower()


class GeneratedRow(NamedTuple):
    """One output row and what was done to it, so tests can check the mix."""

    values: tuple[str, ...]
    defect: str | None  # one of DEFECTS, or None for a valid row
    duplicate: bool  # an exact repeat of an earlier valid row


class PeopleGenerator:
    """Deterministic stream of people rows; one instance per file."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        self.pool: list[tuple[str, ...]] = []
        self.pool_seen = 0

    def rows(self, count: int) -> Iterator[GeneratedRow]:
        """Yield ``count`` rows: ~94% valid, ~5% with one defect, ~1% duplicates."""
        rng = self.rng
        for _ in range(count):
            draw = rng.random()
            if draw < DUPLICATE_SHARE and self.pool:
                yield GeneratedRow(self.pool[rng.randrange(len(self.pool))], None, True)
                continue
            values = self.person()
            if draw < DUPLICATE_SHARE + INVALID_SHARE:
                defect = rng.choice(DEFECTS)
                self.corrupt(values, defect)
                yield GeneratedRow(tuple(values), defect, False)
                continue
            row = tuple(values)
            self.remember(row)
            yield GeneratedRow(row, None, False)

    def remember(self, row: tuple[str, ...]) -> None:
        """Reservoir-sample valid rows so duplicates come from anywhere earlier in the file."""
        self.pool_seen += 1
        if len(self.pool) < DUPLICATE_POOL:
            self.pool.append(row)
        else:
            slot = self.rng.randrange(self.pool_seen)
            if slot < DUPLICATE_POOL:
                self.pool[slot] = row

    # --- one valid person ------------------------------------------------------------

    def person(self) -> list[str]:
        """A plausible, valid person; fields left blank as often as real CRMs leave them."""
        rng = self.rng
        country = rng.choices(COUNTRY_CODES, cum_weights=COUNTRY_CUM_WEIGHTS)[0]
        turkish = rng.random() < (0.92 if country == "TR" else 0.15)
        sex = "F" if rng.random() < 0.5 else "M"
        first, last = self.name(turkish, sex)
        company = rng.choice(COMPANIES[country]) if rng.random() < 0.55 else None
        place = self.place(country)

        values = [""] * len(HEADER)
        values[COL["Customer ID"]] = f"CRM-{self.next_id:07d}"
        self.next_id += 1
        values[COL["First Name"]], values[COL["Last Name"]] = self.name_case(first, last, turkish)
        if rng.random() < 0.92:
            values[COL["Email"]] = self.email(first, last, country, company)
        if rng.random() < 0.88:
            values[COL["Phone"]] = self.phone(place)
        if rng.random() < 0.85:
            values[COL["Birth Date"]] = self.birth_date()
        self.address(values, place)
        values[COL["Country"]] = rng.choice(COUNTRY_SPELLINGS[country])
        if company is not None:
            values[COL["Company"]] = company.name
            if rng.random() < 0.8:
                values[COL["Job Title"]] = rng.choice(
                    TR_JOB_TITLES if country == "TR" and rng.random() < 0.7 else EN_JOB_TITLES
                )
            if rng.random() < 0.85:
                turkish_names, english_names = INDUSTRY_SPELLINGS[company.industry]
                in_turkish = country == "TR" and rng.random() < 0.6
                values[COL["Industry"]] = rng.choice(turkish_names if in_turkish else english_names)
        if rng.random() < 0.8:
            values[COL["Gender"]] = rng.choice((TR_GENDER if turkish else EN_GENDER)[sex])
        values[COL["Signed Up At"]] = self.signed_up_at(country)
        if rng.random() < 0.7:
            tiers = LOYALTY_TIERS if country == "TR" else LOYALTY_TIERS[:4]
            cum_weights = LOYALTY_CUM_WEIGHTS[: len(tiers)]
            values[COL["Loyalty Tier"]] = rng.choices(tiers, cum_weights=cum_weights)[0]
        return values

    def name(self, turkish: bool, sex: str) -> tuple[str, str]:
        rng = self.rng
        if turkish:
            firsts = TR_FEMALE if sex == "F" else TR_MALE
            first = rng.choice(firsts)
            if rng.random() < 0.1:  # Ayşe Nur, Mehmet Ali
                first = f"{first} {rng.choice(firsts)}"
            return first, rng.choice(TR_SURNAMES)
        return rng.choice(EN_FEMALE if sex == "F" else EN_MALE), rng.choice(EN_SURNAMES)

    def name_case(self, first: str, last: str, turkish: bool) -> tuple[str, str]:
        """Names as typed: mostly proper case, sometimes capitals, lower case or padded."""
        draw = self.rng.random()
        if draw < 0.08:
            upper = tr_upper if turkish else str.upper
            return upper(first), upper(last)
        if draw < 0.12:
            return first.lower(), last.lower()
        if draw < 0.15:
            return f" {first}", f"{last}  "
        return first, last

    def email(self, first: str, last: str, country: str, company: Company | None) -> str:
        rng = self.rng
        f, s = mail_name(first), mail_name(last)
        if company is not None and rng.random() < 0.35:
            local = f"{f}.{s}" if rng.random() < 0.7 else f"{f[0]}.{s}"
            domain = company.domain
        else:
            domains, cum_weights = FREE_MAIL[country]
            domain = rng.choices(domains, cum_weights=cum_weights)[0]
            pattern = rng.randrange(6)
            if pattern == 0:
                local = f"{f}.{s}"
            elif pattern == 1:
                local = f"{f}{s}"
            elif pattern == 2:
                local = f"{f}_{s}"
            elif pattern == 3:
                local = f"{f[0]}{s}"
            elif pattern == 4:
                local = f"{f}.{s}{rng.randrange(60, 100)}"
            else:
                local = f"{f}{s}{rng.randrange(1, 1000)}"
            draw = rng.random()
            if domain == "gmail.com" and draw < 0.08 and len(local) > 3:
                cut = rng.randrange(1, len(local) - 1)  # Gmail ignores dots: a.yse.yilmaz
                local = f"{local[:cut]}.{local[cut:]}".replace("..", ".")
            elif draw < 0.14:
                local = f"{local}+{rng.choice(EMAIL_TAGS)}"
        address = f"{local}@{domain}"
        draw = rng.random()
        if draw < 0.05:
            return address.upper()
        if draw < 0.10:
            return f"{local.title()}@{domain.capitalize()}"
        return address

    def phone(self, place: Place) -> str:
        """A valid number in one of the shapes people type; landlines follow the address."""
        rng = self.rng
        if isinstance(place, TrCity):
            mobile = rng.random() < 0.85
            area = rng.choice(TR_MOBILE_PREFIXES if mobile else place.area_codes)
            n = f"{rng.randrange(200, 1000)}{rng.randrange(0, 10000):04d}"
            shape = rng.randrange(7)
            if shape == 0:
                return f"0{area} {n[:3]} {n[3:5]} {n[5:]}"
            if shape == 1:
                return f"+90 {area} {n[:3]} {n[3:]}"
            if shape == 2:
                return f"0090 {area}{n}"
            if shape == 3:
                return f"{area}{n}"
            if shape == 4:
                return f"+90{area}{n}"
            if shape == 5:
                return f"0 ({area}) {n[:3]} {n[3:5]} {n[5:]}"
            return f"0{area}-{n[:3]}-{n[3:5]}-{n[5:]}"
        if isinstance(place, UsCity):
            # people keep their number when they move: 1 in 5 is from another city
            home = place if rng.random() < 0.8 else rng.choice(US_CITIES)
            area = rng.choice(home.area_codes)
            exchange = rng.randrange(200, 1000)
            if exchange % 100 == 11:  # N11 codes are service numbers
                exchange += 1
            line = f"{rng.randrange(0, 10000):04d}"
            shape = rng.randrange(5)
            if shape == 0:
                return f"({area}) {exchange}-{line}"
            if shape == 1:
                return f"{area}-{exchange}-{line}"
            if shape == 2:
                return f"{area}.{exchange}.{line}"
            if shape == 3:
                return f"+1 {area} {exchange} {line}"
            return f"1-{area}-{exchange}-{line}"
        if rng.random() < 0.8:
            prefix = rng.choice(GB_MOBILE_PREFIXES)
            n = f"{rng.randrange(100000, 1000000)}"
            shape = rng.randrange(4)
            if shape == 0:
                return f"+44 {prefix} {n}"
            if shape == 1:
                return f"0{prefix} {n}"
            if shape == 2:
                return f"+44{prefix}{n}"
            return f"0{prefix} {n[:3]} {n[3:]}"
        if place.area_code == "20":  # London: 020 7xxx xxxx
            local = f"{rng.randrange(7000, 9000)} {rng.randrange(0, 10000):04d}"
        else:
            local = f"{rng.randrange(200, 500)} {rng.randrange(0, 10000):04d}"
        if rng.random() < 0.5:
            return f"0{place.area_code} {local}"
        return f"+44 {place.area_code} {local}"

    def birth_date(self) -> str:
        rng = self.rng
        born = _BIRTH_START + timedelta(days=rng.randrange(_BIRTH_SPAN_DAYS))
        separator = "." if rng.random() < 0.7 else "/"
        return f"{born.day:02d}{separator}{born.month:02d}{separator}{born.year}"

    def place(self, country: str) -> Place:
        """Where the person lives; the address and landline codes follow from it."""
        if country == "TR":
            return self.rng.choices(TR_CITIES, cum_weights=_TR_CITY_CUM)[0]
        if country == "US":
            return self.rng.choices(US_CITIES, cum_weights=_US_CITY_CUM)[0]
        return self.rng.choices(GB_CITIES, cum_weights=_GB_CITY_CUM)[0]

    def address(self, values: list[str], place: Place) -> None:
        """Street, city and postal code that agree with each other and the country."""
        rng = self.rng
        if isinstance(place, TrCity):
            city = place
            values[COL["City"]] = rng.choice(city.spellings)
            values[COL["Postal Code"]] = f"{city.plate}{rng.randrange(0, 1000):03d}"
            number, flat = rng.randrange(1, 250), rng.randrange(1, 30)
            street = rng.choice(TR_STREETS)
            shape = rng.randrange(3)
            if shape == 0:
                hood = rng.choice(TR_NEIGHBOURHOODS)
                street = f"{hood} Mah. {street} Sok. No:{number} D:{flat}"
            elif shape == 1:
                street = f"{street} Cad. No:{number}/{flat}"
            else:
                street = f"{street} Caddesi No: {number} Daire {flat}"
        elif isinstance(place, UsCity):
            us = place
            values[COL["City"]] = us.name
            values[COL["Postal Code"]] = f"{us.zip3}{rng.randrange(1, 100):02d}"
            street = (
                f"{rng.randrange(1, 9999)} {rng.choice(US_STREET_NAMES)} "
                f"{rng.choice(US_STREET_SUFFIXES)}"
            )
            if rng.random() < 0.3:
                street += f" Apt {rng.randrange(1, 40)}"
        else:
            gb = place
            values[COL["City"]] = gb.name
            letters = "".join(rng.choice(GB_INWARD_LETTERS) for _ in range(2))
            postcode = f"{rng.choice(gb.outward)} {rng.randrange(10)}{letters}"
            values[COL["Postal Code"]] = (
                postcode.replace(" ", "") if rng.random() < 0.1 else postcode
            )
            street = (
                f"{rng.randrange(1, 300)} {rng.choice(GB_STREET_NAMES)} "
                f"{rng.choice(GB_STREET_SUFFIXES)}"
            )
            if rng.random() < 0.2:
                street = f"Flat {rng.randrange(1, 20)}, {street}"
        if rng.random() < 0.9:
            values[COL["Street"]] = street

    def signed_up_at(self, country: str) -> str:
        rng = self.rng
        utc = SIGNUP_START + timedelta(seconds=rng.randrange(SIGNUP_SPAN_SECONDS))
        shape = rng.randrange(4)
        if shape == 0:
            return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        if shape == 1:
            suffix, hours = TZ_OFFSET[country]
            return (utc + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S") + suffix
        if shape == 2:
            return utc.strftime("%Y-%m-%d %H:%M:%S")
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z"

    # --- one defect --------------------------------------------------------------------

    def corrupt(self, values: list[str], defect: str) -> None:
        """Break exactly one thing the importer must reject or flag."""
        rng = self.rng
        if defect == "bad_email":
            first = mail_name(values[COL["First Name"]].strip()) or "ayse"
            last = mail_name(values[COL["Last Name"]].strip()) or "yilmaz"
            local = f"{first}.{last}"
            values[COL["Email"]] = rng.choice(
                (
                    f"{local}@",
                    f"{local}.gmail.com",
                    f"{local}@@gmail.com",
                    f"{local}@gmail",
                    f"{local} @hotmail.com",
                    "@outlook.com",
                )
            )
        elif defect == "bad_phone":
            values[COL["Phone"]] = rng.choice(("123", "0532 12", "12345", "+90 532", "555-01"))
        elif defect == "impossible_date":
            year = rng.randrange(1950, 2005)
            values[COL["Birth Date"]] = rng.choice(
                (
                    f"31.02.{year}",
                    f"30.02.{year}",
                    f"45/13/{year}",
                    f"00.{rng.randrange(1, 13):02d}.{year}",
                    f"{rng.randrange(13, 29)}.13.{year}",
                    f"32/01/{year}",
                    f"31.04.{year}",
                )
            )
        elif defect == "future_birth_date":
            born = _FUTURE_START + timedelta(days=rng.randrange(7000))
            values[COL["Birth Date"]] = f"{born.day:02d}.{born.month:02d}.{born.year}"
        elif defect == "unknown_country":
            values[COL["Country"]] = rng.choice(UNKNOWN_COUNTRIES)
        elif defect == "missing_id":
            values[COL["Customer ID"]] = ""
        elif defect == "blank_identity":
            for column in ("First Name", "Last Name", "Email", "Phone"):
                values[COL[column]] = ""
        else:  # pragma: no cover - DEFECTS and this branch list move together
            raise ValueError(f"unknown defect {defect!r}")


def _cumulative(weights: Sequence[int]) -> tuple[int, ...]:
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


_TR_CITY_CUM = _cumulative([c.weight for c in TR_CITIES])
_US_CITY_CUM = _cumulative([c.weight for c in US_CITIES])
_GB_CITY_CUM = _cumulative([c.weight for c in GB_CITIES])
_BIRTH_START = datetime(1940, 1, 1)
_BIRTH_SPAN_DAYS = (datetime(2007, 12, 31) - _BIRTH_START).days
_FUTURE_START = datetime(2080, 1, 1)  # far enough ahead to stay "future" for decades


# --- files -------------------------------------------------------------------------------


@dataclass
class Summary:
    """What was written, for the one-line report and for tests."""

    path: Path
    rows: int = 0
    duplicates: int = 0
    defects: Counter[str] = field(default_factory=Counter)

    @property
    def invalid(self) -> int:
        return sum(self.defects.values())

    def line(self, seed: int, fmt: str, seconds: float) -> str:
        kinds = ", ".join(f"{kind} {self.defects[kind]}" for kind in DEFECTS)
        return (
            f"generate: {self.rows} rows ({fmt}) -> {self.path}: {self.invalid} invalid "
            f"({kinds}), {self.duplicates} duplicates; seed {seed}; {seconds:.1f} s"
        )


def format_for(path: Path, requested: str | None) -> str:
    """The format asked for, else the one the file name implies (as ``kimlik import`` does)."""
    if requested:
        return requested
    name = path.name.lower().removesuffix(".gz")
    return "jsonl" if name.endswith((".jsonl", ".ndjson")) else "csv"


def write_file(
    path: Path, rows: int, seed: int, fmt: str = "csv", compress: bool = False
) -> Summary:
    """Write ``rows`` people to ``path``; atomically, so a cached file is never half-written.

    Gzip output sets mtime 0 and no file name, so the bytes depend on the seed alone.
    """
    summary = Summary(path=path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        rows_out = PeopleGenerator(seed).rows(rows)
        with open(tmp, "wb") as raw:
            if compress:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                    _write_rows(_text(gz), rows_out, fmt, summary)
            else:
                _write_rows(_text(raw), rows_out, fmt, summary)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


def _text(binary: IO[bytes] | gzip.GzipFile) -> io.TextIOWrapper:
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def _write_rows(
    out: io.TextIOWrapper, rows: Iterator[GeneratedRow], fmt: str, summary: Summary
) -> None:
    """Write every row, then flush and let go of ``out`` (its binary file stays open)."""
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row.values)
            _count(summary, row)
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(dict(zip(HEADER, row.values, strict=True)), ensure_ascii=False))
            out.write("\n")
            _count(summary, row)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    out.flush()
    out.detach()  # closing the wrapper would close the file under it too early


def _count(summary: Summary, row: GeneratedRow) -> None:
    summary.rows += 1
    if row.duplicate:
        summary.duplicates += 1
    elif row.defect is not None:
        summary.defects[row.defect] += 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a realistic CRM export of people.")
    parser.add_argument("--rows", type=int, required=True, help="data rows to write")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same bytes")
    parser.add_argument("--output", type=Path, required=True, help="file to write")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="default: from the name")
    parser.add_argument("--gzip", action="store_true", help="gzip (the name must end in .gz)")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    compress = args.gzip or args.output.name.lower().endswith(".gz")
    if compress and not args.output.name.lower().endswith(".gz"):
        parser.error("--gzip needs an --output ending in .gz: kimlik import reads the extension")
    fmt = format_for(args.output, args.format)
    started = time.perf_counter()
    summary = write_file(args.output, args.rows, args.seed, fmt, compress)
    label = f"{fmt}, gzip" if compress else fmt
    print(summary.line(args.seed, label, time.perf_counter() - started), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
