"""Server time of every web UI page at a million profiles, beside its API twin and bare SQL.

The acceptance criterion: every page renders in under 300 ms of server time with 1M
profiles in PostgreSQL. Server time is what the server itself says in the
``Server-Timing: app;dur=<ms>`` header of each answer, so the client (this script, on
the same two cores) is not in the figure. For each page, beside it:

- the JSON API endpoint giving the same data (same cookie): what the HTML costs on top;
- the core lookup as bare SQL through psycopg (client-side time, one round trip each):
  the floor the database sets.

1. the data: ``build.py`` when ``out/build.json`` is missing, incomplete or of another
   version (``--rebuild`` starts over);
2. ``kimlik serve`` (default workers, ``KIMLIK_STITCH=false``: no stitcher competing);
   a bench admin by ``kimlik users create --password-stdin``; ``POST /login``;
3. every page in ``PAGES``: ``--warmup`` requests, then ``--requests`` timed ones, each
   with inputs drawn afresh (random active profiles, the heaviest timelines, searches by
   last-name prefix, misspelled name, phone in another format, email; review items;
   import runs). A 404 on every request means the page is not built yet.

    .venv/bin/python bench/web/run.py [--requests 30] [--database URL] [--rebuild]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
for _path in (str(BENCH), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import build  # noqa: E402
import harness  # noqa: E402

BUDGET_MS = 300.0
ADMIN = "bench-admin@bench.example"
PASSWORD = "bench-web-password-1"  # a bench-only database, never a real installation

# --- the pages: one row each; add a row for a new page -----------------------------------
# (name, page path, API twin or None, SQL peer or None); {placeholders} are drawn per request


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    api: tuple[str, ...] = ()  # the API calls giving the same data; their times are summed
    sql: str | None = None


PROFILE = ("/api/v1/profiles/{profile}", "/api/v1/profiles/{profile}/timeline")
HEAVY = tuple(path.replace("{profile}", "{heavy}") for path in PROFILE)
PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "/"),
    PageSpec(
        "search (name prefix)", "/search?q={prefix}", ("/api/v1/profiles?q={prefix}",), "name"
    ),
    PageSpec(
        "search (misspelled)",
        "/search?q={misspelled}",
        ("/api/v1/profiles?q={misspelled}",),
        "name",
    ),
    PageSpec("search (phone)", "/search?q={phone}", ("/api/v1/profiles?q={phone}",), "phone"),
    PageSpec("search (email)", "/search?q={email}", ("/api/v1/profiles?q={email}",), "email"),
    PageSpec(
        "search results", "/search/results?q={prefix}", ("/api/v1/profiles?q={prefix}",), "name"
    ),
    PageSpec("profile", "/profiles/{profile}", PROFILE, "profile"),
    PageSpec("profile (heavy)", "/profiles/{heavy}", HEAVY, "profile_heavy"),
    PageSpec(
        "profile ?kind=order",
        "/profiles/{heavy}?kind=order",
        (HEAVY[0], HEAVY[1] + "?kind=order"),
        "timeline",
    ),
    PageSpec("timeline more", "/profiles/{heavy}/timeline", HEAVY[1:], "timeline"),
    PageSpec("review", "/review", ("/api/v1/review",), "review"),
    PageSpec("review item", "/review/{item}", (), "review_item"),
    PageSpec("imports", "/imports", ("/api/v1/imports",), "imports"),
    PageSpec("import run", "/imports/{run}", ("/api/v1/imports/{run}",), "import_run"),
    PageSpec("quality", "/quality", ("/api/v1/quality",)),
    PageSpec("admin sources", "/admin/sources", ("/api/v1/sources",)),
    PageSpec("admin users", "/admin/users", ("/api/v1/users",), "users"),
    PageSpec("admin audit", "/admin/audit", ("/api/v1/audit",), "audit"),
)

#: The core lookup of each page as bare SQL (psycopg placeholders; values as for the page)
SQL: dict[str, list[str]] = {
    "name": [
        "SELECT id, first_name, last_name, email, phone, city, country FROM profiles "
        "WHERE status = 'active' AND last_name >= %(last)s AND last_name < %(last_end)s "
        "ORDER BY last_name LIMIT 21"
    ],
    "phone": [
        "SELECT id, first_name, last_name, email, phone, city, country FROM profiles "
        "WHERE status = 'active' AND phone = %(e164)s ORDER BY id LIMIT 21"
    ],
    "email": [
        "SELECT id, first_name, last_name, email, phone, city, country FROM profiles "
        "WHERE status = 'active' AND email = %(email_exact)s ORDER BY id LIMIT 21"
    ],
    "profile": [
        "SELECT * FROM profiles WHERE id = %(profile)s",
        "SELECT r.* FROM profile_members m JOIN source_records r ON r.id = m.rid "
        "WHERE m.profile_id = %(profile)s",
    ],
    "timeline": [
        "SELECT o.* FROM profile_members m JOIN orders o ON o.person_record_id = m.rid "
        "WHERE m.profile_id = %(heavy)s ORDER BY o.ordered_at, o.id LIMIT 51"
    ],
    "review": [
        "SELECT * FROM review_items WHERE status = 'open' ORDER BY weight DESC, id LIMIT 51"
    ],
    "review_item": [
        "SELECT * FROM review_items WHERE id = %(item)s",
        "SELECT r.* FROM review_items i JOIN source_records r "
        "ON r.id IN (i.record_a, i.record_b) WHERE i.id = %(item)s",
    ],
    "imports": ["SELECT * FROM import_runs ORDER BY id DESC LIMIT 51"],
    "import_run": [
        "SELECT * FROM import_runs WHERE id = %(run)s",
        "SELECT * FROM rejected_rows WHERE import_run_id = %(run)s ORDER BY id LIMIT 51",
    ],
    "users": [
        "SELECT id, email, name, role, created_at, disabled_at, last_login_at FROM users "
        "ORDER BY id"
    ],
    "audit": ["SELECT * FROM audit_log ORDER BY id DESC LIMIT 51"],
}
SQL["profile_heavy"] = [q.replace("%(profile)s", "%(heavy)s") for q in SQL["profile"]]


# --- inputs ----------------------------------------------------------------------------------


@dataclass
class Inputs:
    """What the pages are asked about, drawn from the database once, picked per request."""

    profiles: list[dict[str, Any]]
    heavy: list[int]
    items: list[int]
    runs: list[int]
    rng: random.Random

    def draw(self) -> dict[str, Any]:
        rng = self.rng
        person = rng.choice(self.profiles)
        with_phone = rng.choice([p for p in self.profiles if p["phone"]] or self.profiles)
        with_email = rng.choice([p for p in self.profiles if p["email"]] or self.profiles)
        last = person["last_name"] or "a"
        return {
            "profile": person["id"],
            "heavy": rng.choice(self.heavy),
            "prefix": last[: rng.randint(3, 5)],
            "last": last[:4],
            "last_end": last[:4] + "\U0010ffff",
            "misspelled": f"{person['first_name'] or ''} {misspell(rng, last)}".strip(),
            "phone": national(with_phone["phone"] or ""),
            "e164": with_phone["phone"],
            "email": (with_email["email"] or "").upper(),
            "email_exact": with_email["email"],
            "item": rng.choice(self.items) if self.items else 1,
            "run": rng.choice(self.runs) if self.runs else 1,
        }


def misspell(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    at = rng.randrange(2, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def national(e164: str) -> str:
    """+905321234567 -> 0532 123 45 67; +1 and +44 numbers the way people type them."""
    if e164.startswith("+90") and len(e164) == 13:
        n = e164[3:]
        return f"0{n[:3]} {n[3:6]} {n[6:8]} {n[8:]}"
    if e164.startswith("+1") and len(e164) == 12:
        n = e164[2:]
        return f"+1 ({n[:3]}) {n[3:6]}-{n[6:]}"
    return e164[:3] + " " + e164[3:]


def load_inputs(conn: Any, rng: random.Random, count: int = 300) -> Inputs:
    top = conn.execute("SELECT max(id) FROM profiles").fetchone()[0] or 1
    profiles: list[dict[str, Any]] = []
    columns = ("id", "first_name", "last_name", "email", "phone")
    while len(profiles) < count:
        row = conn.execute(
            "SELECT id, first_name, last_name, email, phone FROM profiles "
            "WHERE status = 'active' AND id >= %s ORDER BY id LIMIT 1",
            (rng.randint(1, top),),
        ).fetchone()
        if row is not None:
            profiles.append(dict(zip(columns, row, strict=True)))
    heavy = [
        row[0]
        for row in conn.execute(
            "SELECT m.profile_id FROM orders o "
            "JOIN profile_members m ON m.rid = o.person_record_id "
            "GROUP BY m.profile_id ORDER BY count(*) DESC LIMIT 20"
        )
    ]
    items = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM review_items WHERE status = 'open' ORDER BY random() LIMIT 200"
        )
    ]
    runs = [row[0] for row in conn.execute("SELECT id FROM import_runs ORDER BY id")]
    return Inputs(profiles, heavy or [profiles[0]["id"]], items, runs, rng)


# --- measuring -------------------------------------------------------------------------------

TIMING = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Series:
    ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, status: int, ms: float | None) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if ms is not None:
            self.ms.append(ms)

    def pct(self, q: float) -> float | None:
        if not self.ms:
            return None
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        return {
            "p50": self.pct(0.5),
            "p95": self.pct(0.95),
            "max": max(self.ms, default=None),
            "mean": statistics.fmean(self.ms) if self.ms else None,
            "n": len(self.ms),
            "statuses": self.statuses,
        }


def timed_get(client: Any, path: str) -> tuple[int, float | None]:
    """HTTP status and server ms; status 0 when no answer came (timeout, reset)."""
    import httpx

    try:
        answer = client.get(path)
    except httpx.HTTPError:
        return 0, None
    found = TIMING.search(answer.headers.get("server-timing", ""))
    return answer.status_code, float(found.group(1)) if found else None


def timed_sql(conn: Any, queries: list[str], values: dict[str, Any]) -> float:
    started = time.perf_counter()
    for query in queries:
        conn.execute(query, values).fetchall()
    return (time.perf_counter() - started) * 1000


def measure_page(
    spec: PageSpec, client: Any, conn: Any, inputs: Inputs, requests: int, warmup: int
) -> dict[str, Any]:
    page, api, sql = Series(), Series(), Series()
    for n in range(warmup + requests):
        values = inputs.draw()
        status, ms = timed_get(client, spec.path.format(**values))
        if n >= warmup:
            page.add(status, ms)
        if spec.api:
            answers = [timed_get(client, path.format(**values)) for path in spec.api]
            if n >= warmup:
                total = [ms for _, ms in answers]
                api.add(max(code for code, _ in answers), None if None in total else sum(total))  # type: ignore[arg-type]
        if spec.sql:
            ms = timed_sql(conn, SQL[spec.sql], values)
            if n >= warmup:
                sql.add(200, ms)
    return {
        "page": spec.name,
        "path": spec.path,
        "api_path": spec.api,
        "html": page.summary(),
        "api": api.summary() if spec.api else None,
        "sql": sql.summary() if spec.sql else None,
    }


def verdict(result: dict[str, Any]) -> str:
    html = result["html"]
    codes = set(html["statuses"])
    if codes == {404}:
        return "not built yet (404)"
    if codes != {200}:
        return "FAIL status " + ",".join(map(str, sorted(codes)))
    if html["p95"] is None or html["p95"] >= BUDGET_MS:
        return f"FAIL p95 over {BUDGET_MS:.0f} ms"
    return "ok"


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def report(results: list[dict[str, Any]]) -> list[str]:
    header = (
        f"{'page':<22} {'status':>7} {'p50':>7} {'p95':>7} {'max':>7} {'API p50':>8} "
        f"{'API p95':>8} {'SQL p50':>8} {'page/API':>8}  verdict"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        html, api, sql = r["html"], r["api"] or {}, r["sql"] or {}
        ratio = f"{html['p50'] / api['p50']:.2f}" if html["p50"] and api.get("p50") else "-"
        status = "/".join(str(code) for code in sorted(html["statuses"]))
        lines.append(
            f"{r['page']:<22} {status:>7} {fmt(html['p50']):>7} {fmt(html['p95']):>7} "
            f"{fmt(html['max']):>7} {fmt(api.get('p50')):>8} {fmt(api.get('p95')):>8} "
            f"{fmt(sql.get('p50')):>8} {ratio:>8}  {r['verdict']}"
        )
    return lines


# --- the server (as bench/collect/run.py starts it) ------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    kimlik: Path, url: str, port: int, workers: int | None, logs: Path
) -> tuple[subprocess.Popen[bytes], float]:
    """``kimlik serve`` in its own process group, stitcher off; returns once it answers."""
    command = [str(kimlik), "--database", url, "serve", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KIMLIK_STITCH": "false"}
    started = time.monotonic()
    with open(logs / "serve.out", "wb") as out, open(logs / "serve.err", "wb") as err:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    while time.monotonic() < started + 120:
        if proc.poll() is not None:
            raise SystemExit(
                f"kimlik serve exited {proc.returncode}: {harness.tail(logs / 'serve.err', 5)}"
            )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            connection.getresponse().read()
            connection.close()
            return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise SystemExit("kimlik serve did not answer within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group (uvicorn shuts down cleanly), SIGKILL after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- the run ---------------------------------------------------------------------------------


def loadavg() -> str:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def ensure_data(args: argparse.Namespace) -> dict[str, Any]:
    path = args.work / "build.json"
    url = build.database_url(args.database, args.name)
    if path.exists() and not args.rebuild:
        import json

        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if (
            record.get("complete")
            and record.get("version") == build.FORMAT_VERSION
            and record.get("url") == url
        ):
            return record
    print(f"building {url} (this takes a while; see {args.work / 'logs'})", flush=True)
    return build.build(args.database, args.name, args.work, args.seed, args.rebuild)


def ensure_admin(kimlik: Path, url: str) -> None:
    """The bench's admin user; an existing one is kept (its password is the bench's)."""
    done = subprocess.run(
        [
            str(kimlik),
            "--database",
            url,
            "users",
            "create",
            ADMIN,
            "--role",
            "admin",
            "--name",
            "Bench admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if done.returncode != 0 and "already" not in (done.stdout + done.stderr).lower():
        raise SystemExit(f"could not create the bench admin: {done.stderr.strip()[-300:]}")


def sign_in(base: str) -> Any:
    import httpx

    client = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    answer = client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    if "kimlik_session" not in client.cookies:
        raise SystemExit(f"sign-in failed: HTTP {answer.status_code}")
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=build.DEFAULT_SERVER,
        help="PostgreSQL server URL; the data lives in --name beside it",
    )
    parser.add_argument("--name", default=build.DEFAULT_NAME)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--workers", type=int, default=None, help="default: serve's own")
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--rebuild", action="store_true", help="build the data afresh")
    args = parser.parse_args(argv)
    record = ensure_data(args)
    url = record["url"]
    kimlik = Path(sys.executable).with_name("kimlik")
    ensure_admin(kimlik, url)

    import psycopg

    conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
    inputs = load_inputs(conn, random.Random(args.seed))
    port = args.port or free_port()
    load_before = loadavg()
    proc, started_in = start_server(kimlik, url, port, args.workers, args.work / "logs")
    sampler = harness.TreeSampler(proc.pid, 0.1).start()
    results: list[dict[str, Any]] = []
    try:
        client = sign_in(f"http://127.0.0.1:{port}")
        chosen = [p for p in PAGES if not args.pages or any(w in p.name for w in args.pages)]
        for spec in chosen:
            result = measure_page(spec, client, conn, inputs, args.requests, args.warmup)
            result["verdict"] = verdict(result)
            results.append(result)
            print(report([result])[-1], flush=True)
    finally:
        sampler.stop()
        stop_server(proc)
    load_after = loadavg()
    size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    # counted now, not taken from the build: the store may have grown since
    active = conn.execute("SELECT count(*) FROM profiles WHERE status = 'active'").fetchone()[0]
    conn.close()
    lines = report(results)
    peak = sampler.peak_bytes / harness.MB
    print("\n" + "\n".join(lines))
    print(
        f"\nserver: peak RSS {peak:.0f} MB over {sampler.peak_processes} processes "
        f"(PSS {sampler.peak_pss_bytes / harness.MB:.0f} MB); database "
        f"{size / harness.MB / 1024:.1f} GiB; {active:,} active "
        f"profiles; {args.requests} requests per page after {args.warmup} warm-ups"
    )
    print(
        f"load average (1/5/15 min) before {load_before}, after {load_after} on "
        f"{os.cpu_count()} CPUs (above the CPU count: other work took CPU from the server)"
    )
    failures = [r for r in results if r["verdict"].startswith("FAIL")]
    for r in failures:
        print(f"FAIL {r['page']}: {r['verdict'][5:]} (p95 {fmt(r['html']['p95'])} ms, {r['path']})")
    missing = [r["page"] for r in results if r["verdict"].startswith("not built")]
    if missing:
        print("not built yet (404): " + ", ".join(missing))
    out = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": harness.environment(),
        "budget_ms": BUDGET_MS,
        "requests": args.requests,
        "warmup": args.warmup,
        "database_bytes": size,
        "server_peak_rss_mb": round(peak),
        "load_before": load_before,
        "load_after": load_after,
        "server_start_s": round(started_in, 2),
        "build": {k: record.get(k) for k in ("database", "counts", "steps")},
        "pages": results,
        "table": lines,
    }
    harness.write_json(args.work / "results.json", out)
    harness.append_history(args.work / "results-history.jsonl", out)
    return 1 if failures else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
