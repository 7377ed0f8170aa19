"""Realistic Segment traffic, shaped exactly as ``segment-analytics-python`` 2.x sends it.

Why not call the SDK itself: building a message through ``Client(send=False)`` costs
~65 µs (its ``clean`` walk and a ``json.dumps`` size check), a few hundred thousand of
them would take most of a minute before each run. This builds the same dictionaries
directly: the same keys in the same order, ``null`` where the SDK leaves ``None``,
``timestamp`` with milliseconds and an offset, ``context.library`` last in the context,
a uuid4 ``messageId``; the body is ``{"batch": [...], "sentAt": ..., "writeKey": ...}``
through ``json.dumps`` and ``GzipFile`` (level 9), as ``segment.analytics.request.post``
does with ``gzip=True``. ``tests/test_bench_collect.py`` holds the shapes to the SDK's.

The mix is a web shop's server-side tracking: ~15% identify (traits with e-mail, names,
phone, address, company, plan), ~60% track (product views, cart, checkout, orders with
line items, sign-ups, e-mail opens) and ~25% page, about a fifth from visitors who have
not signed in (``anonymousId`` only). Messages are 0.5-1.5 KB of JSON, as real ones are.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

try:
    from segment.analytics.version import VERSION as SDK_VERSION
except ImportError:  # the generator works without the SDK; the shapes are pinned to 2.4
    SDK_VERSION = "2.4.0"

LIBRARY = {"name": "analytics-python", "version": SDK_VERSION}

FIRST = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Ahmet", "Emine", "Ali", "Fatma",
         "Hüseyin", "Can", "Deniz", "Selin", "Emre", "James", "Mary", "John", "Emma", "Oliver",
         "Sophie", "Michael", "Olivia", "Daniel", "Grace"]  # fmt: skip
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan",
        "Doğan", "Koç", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies",
        "Evans"]  # fmt: skip
PLACES = [("İstanbul", "TR", "34710"), ("Ankara", "TR", "06690"), ("İzmir", "TR", "35220"),
          ("Bursa", "TR", "16040"), ("Antalya", "TR", "07100"), ("London", "GB", "SW1A 1AA"),
          ("Manchester", "GB", "M1 1AE"), ("New York", "US", "10001"),
          ("San Francisco", "US", "94103"), ("Berlin", "DE", "10115")]  # fmt: skip
DOMAINS = ["gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com", "yandex.com"]
COMPANIES = [("Anadolu Yazılım", "Technology", 120), ("Boğaziçi Lojistik", "Logistics", 800),
             ("Ege Tekstil", "Retail", 45), ("Northwind Traders", "Wholesale", 300),
             ("Contoso Ltd", "Technology", 2500), (None, None, None)]  # fmt: skip
PLANS = ["free", "free", "basic", "pro", "business"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
LOCALES = ["tr-TR", "tr-TR", "tr-TR", "en-US", "en-GB", "de-DE"]
TIMEZONES = {"TR": "Europe/Istanbul", "GB": "Europe/London", "US": "America/New_York",
             "DE": "Europe/Berlin"}  # fmt: skip
CATEGORIES = ["Giyim", "Ayakkabı", "Elektronik", "Ev & Yaşam", "Kozmetik", "Spor", "Kitap"]
BRANDS = ["Mavi", "LC Waikiki", "Arçelik", "Vestel", "Koton", "Nike", "Adidas", "Apple"]
PAGES = [("Home", None, "/"), ("Product", "Catalog", "/urun/"),
         ("Category", "Catalog", "/kategori/"), ("Cart", "Checkout", "/sepet"),
         ("Checkout", "Checkout", "/odeme"), ("Search", None, "/arama"),
         ("Account", "Account", "/hesabim"), ("Blog Post", "Content", "/blog/")]  # fmt: skip
REFERRERS = ["https://www.google.com/", "https://www.instagram.com/", "", "",
             "https://t.co/", "https://www.facebook.com/"]  # fmt: skip
CAMPAIGNS = [{"source": "google", "medium": "cpc", "name": "kis_indirimi", "term": "mont"},
             {"source": "newsletter", "medium": "email", "name": "haftalik_bulten"},
             {"source": "instagram", "medium": "social", "name": "yeni_sezon"}]  # fmt: skip
TRACKS = ["Product Viewed"] * 8 + ["Product Added"] * 4 + ["Checkout Started"] * 2 + [
    "Order Completed", "Order Completed", "Signed Up", "Email Opened", "Coupon Applied",
    "Products Searched"]  # fmt: skip
ASCII = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iIsSgGuUoOcC")


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    anonymous_id: str
    first: str
    last: str
    email: str
    phone: str
    city: str
    country: str
    postal_code: str
    created_at: str
    plan: str
    company: tuple[str | None, str | None, int | None]


@dataclass(frozen=True, slots=True)
class Batch:
    """One request as an SDK sends it: gzipped JSON and the message ids inside."""

    body: bytes
    message_ids: tuple[str, ...]
    raw_bytes: int  # before gzip


class Traffic:
    """A seeded stream of messages from a population of shoppers; same seed, same bytes."""

    def __init__(self, seed: int, users: int = 5000, now: dt.datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = now or dt.datetime.now(dt.UTC)
        self.users = [self._user(n) for n in range(users)]
        self.products = [self._product(n) for n in range(400)]

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _user(self, n: int) -> User:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, country, postal = rng.choice(PLACES)
        local = f"{first}.{last}".lower().translate(ASCII) + str(rng.randint(1, 99))
        phone = (
            f"+90 5{rng.randint(30, 59)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}"
            if country == "TR"
            else f"+{1 if country == 'US' else 44} {rng.randint(200, 999)} "
            f"{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        )
        created = self.now - dt.timedelta(days=rng.randint(1, 1500), seconds=rng.randint(0, 86400))
        return User(
            user_id=f"usr_{rng.getrandbits(48):012x}",
            anonymous_id=self._uuid(),
            first=first,
            last=last,
            email=f"{local}@{rng.choice(DOMAINS)}",
            phone=phone,
            city=city,
            country=country,
            postal_code=postal,
            created_at=created.isoformat(timespec="seconds"),
            plan=rng.choice(PLANS),
            company=rng.choice(COMPANIES),
        )

    def _product(self, n: int) -> dict[str, Any]:
        rng = self.rng
        category = rng.choice(CATEGORIES)
        return {
            "product_id": f"P{100000 + n}",
            "sku": f"{category[:3].upper().translate(ASCII)}-{rng.randint(1000, 9999)}",
            "category": category,
            "name": f"{rng.choice(BRANDS)} {category} {rng.randint(1, 300)}",
            "brand": rng.choice(BRANDS),
            "price": round(rng.uniform(49, 4999), 2),
        }

    def _context(self, user: User, path: str, title: str) -> dict[str, Any]:
        rng = self.rng
        context: dict[str, Any] = {
            "ip": f"{rng.choice((78, 85, 88, 176, 212))}.{rng.randint(0, 255)}."
            f"{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "userAgent": rng.choice(USER_AGENTS),
            "locale": rng.choice(LOCALES),
            "timezone": TIMEZONES.get(user.country, "UTC"),
            "page": {
                "path": path,
                "url": f"https://www.ornekmagaza.com.tr{path}",
                "title": title,
                "referrer": rng.choice(REFERRERS),
                "search": "",
            },
        }
        if rng.random() < 0.1:
            context["campaign"] = rng.choice(CAMPAIGNS)
        context["library"] = LIBRARY  # the SDK adds it last
        return context

    def _who(self) -> tuple[User, str | None, str | None]:
        """The user, and the ids sent: a fifth of the traffic is not signed in."""
        user = self.rng.choice(self.users)
        if self.rng.random() < 0.2:
            return user, None, user.anonymous_id
        return user, user.user_id, (user.anonymous_id if self.rng.random() < 0.5 else None)

    def _timestamp(self) -> str:
        moment = self.now - dt.timedelta(milliseconds=self.rng.randint(0, 120_000))
        return moment.isoformat(timespec="milliseconds")

    def message(self) -> dict[str, Any]:
        """The next message: the dictionary the SDK would queue."""
        draw = self.rng.random()
        if draw < 0.15:
            return self._identify()
        if draw < 0.75:
            return self._track()
        return self._page()

    def _identify(self) -> dict[str, Any]:
        user, user_id, anonymous_id = self._who()
        company, industry, employees = user.company
        traits: dict[str, Any] = {
            "email": user.email,
            "firstName": user.first,
            "lastName": user.last,
            "name": f"{user.first} {user.last}",
            "phone": user.phone,
            "createdAt": user.created_at,
            "plan": user.plan,
            "address": {
                "city": user.city,
                "country": user.country,
                "postalCode": user.postal_code,
            },
        }
        if company:
            traits["company"] = {"name": company, "industry": industry, "employee_count": employees}
        if self.rng.random() < 0.3:
            traits["loyaltyTier"] = self.rng.choice(["bronze", "silver", "gold"])
        return {
            "integrations": {},
            "anonymousId": anonymous_id,
            "timestamp": self._timestamp(),
            "context": self._context(user, "/hesabim", "Hesabım"),
            "type": "identify",
            "userId": user_id,
            "traits": traits,
            "messageId": self._uuid(),
        }

    def _track(self) -> dict[str, Any]:
        rng = self.rng
        user, user_id, anonymous_id = self._who()
        event = rng.choice(TRACKS)
        product = rng.choice(self.products)
        properties: dict[str, Any]
        if event in ("Product Viewed", "Product Added"):
            url = f"https://www.ornekmagaza.com.tr/urun/{product['product_id']}"
            properties = {**product, "currency": "TRY", "quantity": 1, "url": url}
        elif event in ("Checkout Started", "Order Completed"):
            items = [
                {**rng.choice(self.products), "quantity": rng.randint(1, 3)}
                for _ in range(rng.randint(1, 4))
            ]
            total = round(sum(i["price"] * i["quantity"] for i in items), 2)
            properties = {
                "order_id": f"ORD-{rng.getrandbits(40):010x}",
                "total": total,
                "revenue": round(total / 1.2, 2),
                "shipping": 0 if total > 500 else 39.9,
                "tax": round(total - total / 1.2, 2),
                "currency": "TRY",
                "products": items,
            }
            if rng.random() < 0.2:
                properties["coupon"] = "HOSGELDIN10"
        elif event == "Products Searched":
            properties = {"query": rng.choice(["mont", "spor ayakkabı", "kulaklık", "elbise"])}
        elif event == "Coupon Applied":
            properties = {"coupon_id": "HOSGELDIN10", "discount": 10}
        else:
            properties = {"method": rng.choice(["email", "google", "apple"])}
        return {
            "integrations": {},
            "anonymousId": anonymous_id,
            "properties": properties,
            "timestamp": self._timestamp(),
            "context": self._context(user, f"/urun/{product['product_id']}", product["name"]),
            "userId": user_id,
            "type": "track",
            "event": event,
            "messageId": self._uuid(),
        }

    def _page(self) -> dict[str, Any]:
        user, user_id, anonymous_id = self._who()
        name, category, path = self.rng.choice(PAGES)
        if path.endswith("/"):
            path += str(self.rng.randint(1, 5000)) if path != "/" else ""
        url = f"https://www.ornekmagaza.com.tr{path}"
        referrer = self.rng.choice(REFERRERS)
        properties = {"path": path, "referrer": referrer, "search": "", "title": name, "url": url}
        return {
            "integrations": {},
            "anonymousId": anonymous_id,
            "properties": properties,
            "timestamp": self._timestamp(),
            "category": category,
            "context": self._context(user, path, name),
            "userId": user_id,
            "type": "page",
            "name": name,
            "messageId": self._uuid(),
        }

    def batch(self, size: int, write_key: str) -> Batch:
        """``size`` messages as one request body, gzipped the way the SDK gzips."""
        messages = [self.message() for _ in range(size)]
        body = {"batch": messages, "sentAt": self.now.isoformat(), "writeKey": write_key}
        data = json.dumps(body).encode("utf-8")
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="w") as compressed:
            compressed.write(data)
        return Batch(buffer.getvalue(), tuple(m["messageId"] for m in messages), len(data))
