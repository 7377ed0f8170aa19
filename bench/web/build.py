"""The web benchmark's data: about a million profiles in a PostgreSQL database of its own.

Why through Kimlik's own pipeline: the pages read what ``kimlik import`` and ``kimlik
resolve`` write (profiles, members, identities, timelines, review items, rejected rows),
so the data must have their shapes and their indexes, not a bulk copy that skips them.

1. files (``out/data/``): a CRM export from ``bench/import/generate.py`` (~5% defective
   rows, ~1% repeated), a webshop export holding noisy copies of ~10% of the CRM people
   (other ids, lower case, typos, phones in another format, some other e-mails), orders
   for webshop customers, support tickets, survey answers and consents tied by e-mail,
   and a handful of heavy customers with hundreds of entries each;
2. ``kimlik init``, ``kimlik import`` of every file, three small partner files with
   defective rows (import runs with rejections), ``kimlik resolve`` (trains its model on
   the first run; uncertain pairs go to the review queue), each timed by ``harness``;
3. users and ~100k audit entries written in-process (the log's own table and shapes).

Heavy steps run under ``nice -n 10``: the machine is shared. ``out/build.json`` records
what was built and how long each step took; ``run.py`` reuses the database while it holds.

    .venv/bin/python bench/web/build.py [--database URL] [--rebuild]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
for _path in (str(BENCH / "import"), str(BENCH / "resolve")):  # after ours: both have run.py
    if _path not in sys.path:
        sys.path.append(_path)

import generate  # noqa: E402  (bench/import/generate.py)
import harness  # noqa: E402
import noise  # noqa: E402  (bench/resolve/noise.py)

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_NAME = "kimlik_bench_web"
CRM_ROWS = 1_125_000  # 1,040,000 gave 926k profiles (duplicates merge): this gives ~1M
COPY_SHARE = 0.10
HEAVY_CUSTOMERS = 25
FORMAT_VERSION = 1  # bump when the data changes: build.json of another version is rebuilt
COL = {name: i for i, name in enumerate(generate.HEADER)}
TODAY = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

#: (file, source, kind, region), imported in this order: people first, then what hangs off
FILES = (
    ("crm_people.csv", "crm", "people", "TR"),
    ("webshop_customers.csv", "webshop", "people", "TR"),
    ("webshop_orders.csv", "webshop", "orders", None),
    ("support_tickets.csv", "support", "interactions", "US"),
    ("survey_responses.csv", "survey", "feedback", None),
    ("newsletter_consents.csv", "newsletter", "consents", None),
    ("partner_fair.csv", "fair", "people", "TR"),
    ("partner_popup.csv", "popup", "people", "TR"),
    ("partner_agency.csv", "agency", "people", "TR"),
)
WEBSHOP = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "street",
    "city",
    "postal_code",
    "country",
    "signed_up_at",
)
ORDERS = ("order_id", "customer_id", "ordered_at", "total", "currency", "status", "channel")
TICKETS = (
    "Ticket ID",
    "Contact ID",
    "Email",
    "Opened At",
    "Channel",
    "Department",
    "Agent",
    "Subject",
    "Resolution",
)
SURVEY = ("Response ID", "Email", "Survey", "Question", "NPS Score", "Comment", "Submitted At")
CONSENTS = ("customer_id", "email", "purpose", "channel", "status", "recorded_at")
REASONS = (
    ("Double charge on card", "Billing", "Refunded"),
    ("Where is my order", "Delivery", "Shipped"),
    ("Return request", "Returns", "Return accepted"),
    ("Cannot log in", "Technical", "Password reset"),
    ("Damaged item", "Returns", "Replacement sent"),
)
AUDIT_ACTIONS = (
    ("profile.read", 50),
    ("profile.timeline", 20),
    ("profile.search", 20),
    ("auth.login", 6),
    ("export", 2),
    ("profile.merge", 1),
    ("review.decide", 1),
)


def database_url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + name


def moment(rng: random.Random, days: int = 2400) -> str:
    when = TODAY - dt.timedelta(days=rng.random() * days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_birth(rng: random.Random, value: str) -> str:
    """dd.mm.yyyy / dd/mm/yyyy -> yyyy-mm-dd (the webshop's own habit), now and then mistyped."""
    try:
        day, month, year = (int(part) for part in value.replace("/", ".").split("."))
        born = dt.date(year, month, day)
    except ValueError:
        return ""
    draw = rng.random()
    if draw < 0.04:
        born = noise.date_typo(rng, born)
    elif draw < 0.06:
        born = noise.swap_day_month(born)
    return born.isoformat()


def webshop_copy(rng: random.Random, row: list[str], number: int) -> list[str]:
    """The same person as the webshop holds them: another id, its own habits, some drift.

    The drift uses the resolve benchmark's noise (typos, aliases, date slips) so every level
    of the model's comparisons is seen among true matches, as in real data.
    """
    first, last = row[COL["First Name"]], row[COL["Last Name"]]
    first, last = (first.lower(), last.lower()) if rng.random() < 0.3 else (first, last)
    if rng.random() < 0.05:
        first = noise.typo(rng, first)
    if rng.random() < 0.06:
        last = noise.typo(rng, last)
    email = row[COL["Email"]].lower()
    draw = rng.random()
    if draw < 0.08:
        email = ""
    elif draw < 0.12:
        email = noise.email_alias(rng, email)
    elif draw < 0.15:
        email = noise.email_typo(rng, email)
    elif draw < 0.19:  # another address: name, phone, birth date must decide
        local, domain = email.split("@", 1)
        email = f"{local}{rng.randint(1, 99)}@{domain}"
    phone = row[COL["Phone"]]
    phone = "".join(ch for ch in phone if ch.isdigit() or ch == "+") if rng.random() < 0.7 else ""
    if phone and rng.random() < 0.03:  # one digit slipped (may be rejected as invalid: real)
        at = rng.randrange(len(phone) - 4, len(phone))
        phone = phone[:at] + str((int(phone[at]) + 1) % 10) + phone[at + 1 :]
    birth = iso_birth(rng, row[COL["Birth Date"]]) if rng.random() < 0.6 else ""
    keep = rng.random() < 0.5
    place = [row[COL[c]] if keep else "" for c in ("Street", "City", "Postal Code", "Country")]
    return [f"W-{number:07d}", first, last, email, phone, birth, *place, moment(rng)]


def read_rows(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


def write_files(data: Path, seed: int, crm_rows: int) -> dict[str, int]:
    """Every input file; returns rows per file. The same seed gives the same files."""
    data.mkdir(parents=True, exist_ok=True)
    crm = data / "crm_people.csv"
    counts: dict[str, int] = {}
    marker = data / "crm_people.csv.made"  # the size and seed the cached file was made with
    if not crm.exists() or not marker.exists() or marker.read_text() != f"{crm_rows} {seed}":
        generate.write_file(crm, crm_rows, seed)
        marker.write_text(f"{crm_rows} {seed}")
    counts["crm_people.csv"] = crm_rows
    rng = random.Random(seed)
    shop: list[list[str]] = []
    emails: list[str] = []
    for row in read_rows(crm):
        if row[COL["Customer ID"]] and row[COL["Email"]] and "@" in row[COL["Email"]]:
            if rng.random() < 0.12:
                emails.append(row[COL["Email"]])
            if rng.random() < COPY_SHARE:
                shop.append(webshop_copy(rng, row, len(shop) + 1))
    counts["webshop_customers.csv"] = write_csv(data / "webshop_customers.csv", WEBSHOP, shop)
    heavy = rng.sample(shop, HEAVY_CUSTOMERS)
    heavy_ids = {row[0] for row in heavy}

    orders: list[tuple[Any, ...]] = []
    for row in shop:
        n = rng.randint(300, 700) if row[0] in heavy_ids else rng.choice((0, 0, 1, 1, 2, 3, 5, 8))
        for _ in range(n):
            currency = rng.choice(("TRY", "TRY", "TRY", "USD", "GBP"))
            status = rng.choices(("delivered", "shipped", "returned", "cancelled"), (80, 8, 7, 5))
            orders.append(
                (
                    f"O-{len(orders) + 1:08d}",
                    row[0],
                    moment(rng),
                    f"{rng.uniform(50, 5000):.2f}",
                    currency,
                    status[0],
                    rng.choice(("web", "web", "mobile")),
                )
            )
    counts["webshop_orders.csv"] = write_csv(data / "webshop_orders.csv", ORDERS, orders)

    heavy_emails = [row[3] for row in heavy if row[3]]
    ticket_emails = emails[: len(emails) // 2] + [e for e in heavy_emails for _ in range(150)]
    tickets = []
    for i, email in enumerate(ticket_emails):
        subject, department, outcome = rng.choice(REASONS)
        tickets.append(
            (
                f"T-{i + 1:08d}",
                "",
                email,
                moment(rng),
                rng.choice(("email", "phone", "chat")),
                department,
                rng.choice(("Aylin", "Mert", "Sam", "Olivia")),
                subject,
                outcome,
            )
        )
    counts["support_tickets.csv"] = write_csv(data / "support_tickets.csv", TICKETS, tickets)

    survey = [
        (
            f"R-{i + 1:08d}",
            email,
            "NPS 2026",
            "How likely are you to recommend us?",
            rng.choices(range(11), (2, 1, 1, 2, 2, 4, 5, 9, 14, 13, 10))[0],
            rng.choice(("Fast delivery", "Too expensive", "", "Great support")),
            moment(rng, 365),
        )
        for i, email in enumerate(emails[len(emails) // 2 :] + heavy_emails * 20)
    ]
    counts["survey_responses.csv"] = write_csv(data / "survey_responses.csv", SURVEY, survey)

    consents = [
        (
            "",
            email,
            rng.choice(("newsletter", "marketing")),
            rng.choice(("email", "sms")),
            rng.choice(("granted", "granted", "withdrawn")),
            moment(rng),
        )
        for email in emails[::2]
    ]
    counts["newsletter_consents.csv"] = write_csv(
        data / "newsletter_consents.csv", CONSENTS, consents
    )
    for offset, name in enumerate(("partner_fair.csv", "partner_popup.csv", "partner_agency.csv")):
        generate.write_file(data / name, 2000 + 500 * offset, seed + 1 + offset)
        counts[name] = 2000 + 500 * offset
    return counts


def write_csv(path: Path, header: tuple[str, ...], rows: list[Any]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
    return len(rows)


def ensure_database(server: str, name: str, rebuild: bool) -> None:
    """CREATE DATABASE ``name`` on ``server`` when missing (DROP first with ``rebuild``)."""
    import psycopg

    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        found = exists.fetchone() is not None
        if found and rebuild:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            found = False
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed_model(url: str) -> None:
    """Store Kimlik's shipped model as the model of a completed run: the next resolve uses it."""
    from sqlalchemy import create_engine, func, insert, select

    from kimlik.resolve.engine import SHIPPED, shipped_model
    from kimlik.store.tables import resolve_runs, source_records

    engine = create_engine(url)
    with engine.begin() as connection:
        records = int(
            connection.execute(select(func.count()).select_from(source_records)).scalar_one()
        )
        model = shipped_model(records)
        model.pop(SHIPPED)  # else resolve would retrain at this size ("outgrown")
        now = dt.datetime.now(dt.UTC)
        connection.execute(
            insert(resolve_runs).values(
                mode="full",
                status="completed",
                started_at=now,
                finished_at=now,
                model=model,
                settings={},
                stats={"seeded_by": "bench/web/build.py"},
            )
        )
    engine.dispose()


def add_users_and_audit(url: str, seed: int, entries: int) -> dict[str, int]:
    """Two dozen users and ``entries`` audit rows shaped like the API's own, newest last."""
    from sqlalchemy import create_engine, func, insert, select

    from kimlik.access import service
    from kimlik.store.server_tables import audit_log, users
    from kimlik.store.tables import profiles

    rng = random.Random(seed)
    engine = create_engine(url)
    roles = ("admin", "analyst", "agent", "marketer")
    with engine.connect() as connection:
        have = {row[0] for row in connection.execute(select(users.c.email))}
        top = int(connection.execute(select(func.max(profiles.c.id))).scalar_one() or 1)
    for i in range(24):
        email = f"user{i:02d}@bench.example"
        if email not in have:
            service.create_user(engine, email, f"Bench User {i}", roles[i % 4], "bench-password-1")
    actions, weights = zip(*AUDIT_ACTIONS, strict=True)
    start = TODAY - dt.timedelta(days=90)
    rows = []
    for i in range(entries):
        action = rng.choices(actions, weights)[0]
        target = f"profile:{rng.randint(1, top)}" if action.startswith("profile") else None
        rows.append(
            {
                "at": start + dt.timedelta(seconds=i * 77.0),
                "action": action,
                "actor": f"user:{rng.randint(1, 24)} user{rng.randint(0, 23):02d}@bench.example",
                "target": target,
                "detail": {"via": "id"} if target else {},
                "client": f"10.0.{rng.randint(0, 9)}.{rng.randint(1, 250)}",
            }
        )
    with engine.begin() as connection:
        for at in range(0, len(rows), 10_000):
            connection.execute(insert(audit_log), rows[at : at + 10_000])
    engine.dispose()
    return {"users": 24, "audit_entries": entries}


def finished_steps(path: Path, url: str) -> list[dict[str, Any]]:
    """The commands an interrupted build of the same database finished (exit 0)."""
    if not path.exists():
        return []
    import json

    old = json.loads(path.read_text(encoding="utf-8"))
    if old.get("url") != url or old.get("version") != FORMAT_VERSION or old.get("complete"):
        return []
    return [s for s in old.get("steps", []) if s.get("exit") == 0]


def analyze(url: str) -> None:
    """What autovacuum does some time after a bulk load: planner statistics, visibility map.

    Without it the first minutes after a build measure plans made without statistics
    (estimates of 200 rows where there are 3), which no long-running installation sees.
    """
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def counts(url: str) -> dict[str, int]:
    """What the pages will page through."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    queries = {
        "profiles_active": "SELECT count(*) FROM profiles WHERE status = 'active'",
        "profiles": "SELECT count(*) FROM profiles",
        "source_records": "SELECT count(*) FROM source_records",
        "orders": "SELECT count(*) FROM orders",
        "interactions": "SELECT count(*) FROM interactions",
        "feedback": "SELECT count(*) FROM feedback",
        "consents": "SELECT count(*) FROM consents",
        "review_items_open": "SELECT count(*) FROM review_items WHERE status = 'open'",
        "import_runs": "SELECT count(*) FROM import_runs",
        "rejected_rows": "SELECT count(*) FROM rejected_rows",
        "users": "SELECT count(*) FROM users",
        "audit_log": "SELECT count(*) FROM audit_log",
    }
    with engine.connect() as connection:
        found = {k: int(connection.execute(text(q)).scalar_one()) for k, q in queries.items()}
    engine.dispose()
    return found


def build(
    server: str,
    name: str,
    work: Path,
    seed: int,
    rebuild: bool,
    crm_rows: int = CRM_ROWS,
    train: bool = False,
) -> dict[str, Any]:
    """Make the database and return the record of it (also written to ``build.json``)."""
    url = database_url(server, name)
    kimlik = Path(sys.executable).with_name("kimlik")
    nice = ["nice", "-n", "10"]
    logs = work / "logs"
    done_before = [] if rebuild else finished_steps(work / "build.json", url)
    steps: list[dict[str, Any]] = list(done_before)
    record: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "database": name,
        "url": url,
        "seed": seed,
        "crm_rows": crm_rows,
        "train": train,
        "complete": False,
        "steps": steps,
        "environment": harness.environment(),
    }

    def step(label: str, seconds: float, **extra: Any) -> None:
        steps.append({"step": label, "seconds": round(seconds, 1), **extra})
        print(f"  {label:<44} {seconds:8.1f} s", flush=True)
        harness.write_json(work / "build.json", record)

    started = time.perf_counter()
    record["files"] = write_files(work / "data", seed, crm_rows)
    step("generate files", time.perf_counter() - started, rows=sum(record["files"].values()))
    started = time.perf_counter()
    ensure_database(server, name, rebuild)
    step(f"create database {name}", time.perf_counter() - started)
    commands = [("init", [str(kimlik), "--database", url, "init"])]
    for file, source, kind, region in FILES:
        command = [
            *nice,
            str(kimlik),
            "--database",
            url,
            "import",
            str(work / "data" / file),
            "--source",
            source,
            "--kind",
            kind,
        ]
        commands.append((f"import {file}", command + (["--region", region] if region else [])))
    commands.append(("resolve", [*nice, str(kimlik), "--database", url, "resolve"]))
    if not train:
        commands[-1] = ("resolve --full (shipped model)", [*commands[-1][1], "--full"])
    finished = {entry["step"] for entry in done_before}
    if finished:
        analyze(url)  # the interrupted build may have stopped before its ANALYZE
    for label, command in commands:
        if label in finished and label != "init":  # done by an interrupted build: resume
            # (init always runs: the code may have gained a migration since)
            continue
        if label.startswith("resolve --full"):
            seed_model(url)
        done = harness.measure(
            command, cwd=REPO, timeout=4 * 3600, log_stem=logs / label.replace(" ", "_")
        )
        step(label, done.seconds, peak_rss_mb=round(done.peak_rss_mb), exit=done.exit_code)
        if not done.ok and label == "resolve" and "m_probability" in " ".join(done.stderr_tail):
            # training failed on this data (Splink's EM: an m of 0.0); score with the model
            # Kimlik ships instead, stored as a completed run's model so resolve uses it
            record["resolve_training_failed"] = done.failure()
            seed_model(url)
            done = harness.measure(
                [*command, "--full"],
                cwd=REPO,
                timeout=4 * 3600,
                log_stem=logs / "resolve_shipped_model",
            )
            label = "resolve --full (shipped model)"
            step(label, done.seconds, peak_rss_mb=round(done.peak_rss_mb), exit=done.exit_code)
        if not done.ok:
            raise SystemExit(f"{label} failed: {done.failure()} (logs in {logs})")
        if label.startswith("import"):
            # the test server runs with autovacuum off: without statistics, linking an
            # import's rows to people walks the primary key (min(id) WHERE email_key = ...)
            started = time.perf_counter()
            analyze(url)
            step(f"ANALYZE after {label}", time.perf_counter() - started)
    started = time.perf_counter()
    record["admin"] = add_users_and_audit(url, seed, 100_000)
    step("users and audit entries", time.perf_counter() - started)
    started = time.perf_counter()
    analyze(url)
    step("VACUUM (ANALYZE)", time.perf_counter() - started)
    record["counts"] = counts(url)
    record["complete"] = True
    record["built_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    harness.write_json(work / "build.json", record)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=DEFAULT_SERVER,
        help="server URL; the benchmark's database is made beside its database",
    )
    parser.add_argument("--name", default=DEFAULT_NAME, help="the benchmark's database name")
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--crm-rows", type=int, default=CRM_ROWS, help="size (a smaller preview)")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and start over")
    parser.add_argument(
        "--train",
        action="store_true",
        help="let resolve train its model (falls back to the shipped one)",
    )
    args = parser.parse_args(argv)
    record = build(
        args.database, args.name, args.work, args.seed, args.rebuild, args.crm_rows, args.train
    )
    for key, value in record["counts"].items():
        print(f"  {key:<20} {value:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
