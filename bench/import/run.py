"""Time ``kimlik import`` against the bulk-insert limit, per file size and database.

Why a harness and not a pytest benchmark: the targets are about the whole command as a user
runs it (interpreter start, process pool, database), so each measurement is a subprocess,
timed by wall clock, with its memory taken as the peak of the summed VmRSS of the process
and every descendant (the importer standardizes in a process pool), polled every 50 ms.

    .venv/bin/python bench/import/run.py --rows 100000 1000000 --databases sqlite postgresql
    .venv/bin/python bench/import/run.py --rows 1000000 --databases sqlite --repeat 3

For each size the people file is generated once and cached in the work directory. For each
database: a fresh database, ``kimlik init``, then the timed ``kimlik import``; then a second
fresh database and the timed ``limit.py`` (plain bulk insert of the same rows). Prints a
table and writes ``results.json`` (this run) and ``results-history.jsonl`` (every run).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import harness  # noqa: E402  (bench/ is not a package)

GENERATOR = HERE / "generate.py"
LIMIT = HERE / "limit.py"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

TARGET_ROWS_PER_SECOND = 20_000  # into SQLite, at 1M rows
TARGET_PEAK_MB = 1024  # summed RSS of the importer's process tree
ECHO_HEAD, ECHO_TAIL = 4, 3  # lines of kimlik's output shown after each import


# --- measuring (bench/harness.py) ---------------------------------------------------------


def measure(
    command: list[str], cwd: Path, log_stem: Path, timeout: float, interval: float
) -> harness.Measurement:
    """Run ``command`` and take its wall time and peak summed RSS (see bench/harness.py)."""
    return harness.measure(command, cwd=cwd, log_stem=log_stem, timeout=timeout, interval=interval)


def record(result: harness.Measurement, stdout_head: Sequence[str] = ()) -> dict[str, Any]:
    """A measurement as results.json has it: with ``stdout_head`` before ``stdout_tail``."""
    fields: dict[str, Any] = {}
    for key, value in asdict(result).items():
        if key == "stdout_tail":
            fields["stdout_head"] = list(stdout_head)
        fields[key] = value
    return fields


#: This benchmark's names for harness.code_state()'s fields (its results have always used them).
SRC_NAMES = {"dirty": "src_dirty", "diff_sha256": "src_diff_sha256"}


def _src_names(state: Mapping[str, Any]) -> dict[str, Any]:
    return {SRC_NAMES.get(key, key): value for key, value in state.items()}


def code_state() -> dict[str, Any]:
    """The code under test right now: commit, and a hash of uncommitted changes to src/.

    Taken before every import, not once per run: the importer may change while a long run
    goes on, and figures must say which code produced them.
    """
    return _src_names(harness.code_state(("src",)))


def environment() -> dict[str, Any]:
    """Where the figures were measured, so later runs know what they compare with."""
    return _src_names(harness.environment())


# --- databases -----------------------------------------------------------------------------


@dataclass
class Database:
    """A fresh, empty database for one measurement, and how to ask its size afterwards."""

    url: str
    size_bytes: Callable[[], int | None]


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def fresh_sqlite(workdir: Path, name: str) -> Iterator[Database]:
    """A new SQLite file, deleted afterwards (a 1M-row store is large)."""
    path = (workdir / f"{name}.db").resolve()
    _remove_sqlite(path)

    def size() -> int | None:
        return sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*") if p.is_file())

    try:
        yield Database(url=f"sqlite:///{path}", size_bytes=size)
    finally:
        _remove_sqlite(path)


def postgres_admin_conninfo(url: str) -> str:
    """libpq URI of the server's maintenance database named in ``url``."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_unreachable(url: str) -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(postgres_admin_conninfo(url), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "skip PostgreSQL", with the reason
        return f"{type(exc).__name__}: {str(exc).strip()}"
    return None


@contextlib.contextmanager
def fresh_postgres(url: str, name: str) -> Iterator[Database]:
    """``CREATE DATABASE name`` on the server of ``url``; dropped afterwards.

    The name is fixed per case, so a run that was killed leaves nothing behind for long:
    the next run drops it before creating it again.
    """
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    admin = postgres_admin_conninfo(url)
    ident = sql.Identifier(name)

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    def size() -> int | None:
        with psycopg.connect(admin, autocommit=True) as conn:
            row = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        return int(row[0]) if row else None

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    try:
        bench_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        yield Database(url=bench_url, size_bytes=size)
    finally:
        drop()


# --- cases ---------------------------------------------------------------------------------


@dataclass
class Options:
    workdir: Path
    kimlik: Path
    postgres_url: str
    seed: int
    timeout: float
    interval: float
    repeat: int = 1


def input_file(rows: int, options: Options) -> Path:
    """The cached people file for ``rows``; generated (untimed) on first use.

    The name carries the generator's own hash, so editing the generator invalidates it.
    """
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:8]
    path = options.workdir / f"people-{rows}-seed{options.seed}-{digest}.csv"
    if path.exists():
        print(f"using cached {path.name}", flush=True)
        return path
    command = [sys.executable, str(GENERATOR), "--rows", str(rows)]
    command += ["--seed", str(options.seed), "--output", str(path)]
    subprocess.run(command, check=True)  # its one-line summary goes to our stderr
    return path


@contextlib.contextmanager
def fresh_database(kind: str, name: str, options: Options) -> Iterator[Database]:
    if kind == "sqlite":
        with fresh_sqlite(options.workdir, name) as db:
            yield db
    else:
        with fresh_postgres(options.postgres_url, name) as db:
            yield db


def run_kimlik(path: Path, rows: int, kind: str, options: Options) -> dict[str, Any]:
    """``kimlik init`` (untimed) then the timed ``kimlik import`` into a fresh database."""
    name = f"kimlik_bench_{rows}_kimlik"
    outcome: dict[str, Any] = {"status": "failed"}
    if not options.kimlik.exists():
        print(f"  kimlik: no executable at {options.kimlik}", flush=True)
        outcome["status"] = "missing"
        return outcome
    with fresh_database(kind, name, options) as db:
        exe = str(options.kimlik)
        logs = options.workdir / "logs"
        init = measure(
            [exe, "--database", db.url, "init"],
            options.workdir,
            logs / f"{name}-{kind}-init",
            options.timeout,
            options.interval,
        )
        outcome["init"] = record(init)
        if not init.ok:
            _report_failure("kimlik init", init)
            return outcome
        command = [exe, "--database", db.url, "import", str(path), "--source", "crm"]
        command += ["--region", "TR"]
        print(f"  kimlik import ({kind}) ...", flush=True)
        outcome["code"] = code_state()
        result = measure(
            command, options.workdir, logs / f"{name}-{kind}", options.timeout, options.interval
        )
        head: list[str] = []
        if result.ok:
            head = _echo(logs / f"{name}-{kind}.out")
            _report_timing("kimlik", rows, result)
            outcome["status"] = "ok"
            outcome["database_bytes"] = db.size_bytes()
        else:
            _report_failure("kimlik import", result)
        outcome["import"] = record(result, head)
    return outcome


def run_limit(path: Path, rows: int, kind: str, options: Options) -> dict[str, Any]:
    """The same rows bulk-inserted by ``limit.py`` into a fresh database of the same kind."""
    name = f"kimlik_bench_{rows}_limit"
    outcome: dict[str, Any] = {"status": "failed"}
    with fresh_database(kind, name, options) as db:
        command = [sys.executable, str(LIMIT), "--database", db.url, "--input", str(path)]
        print(f"  limit ({kind}) ...", flush=True)
        result = measure(
            command,
            options.workdir,
            options.workdir / "logs" / f"{name}-{kind}",
            options.timeout,
            options.interval,
        )
        outcome["run"] = record(result)
        if not result.ok:
            _report_failure("limit", result)
            return outcome
        outcome["status"] = "ok"
        outcome["database_bytes"] = db.size_bytes()
        _report_timing("limit", rows, result)
    return outcome


def guarded(
    case: Callable[[Path, int, str, Options], dict[str, Any]],
    path: Path,
    rows: int,
    kind: str,
    options: Options,
) -> dict[str, Any]:
    """Run one side of a case; a database error ends that side, not the whole run."""
    try:
        return case(path, rows, kind, options)
    except Exception as exc:  # e.g. PostgreSQL went away: record it and go on
        message = f"{type(exc).__name__}: {str(exc).strip()}"
        print(f"  {case.__name__} broke: {message}", flush=True)
        return {"status": "error", "error": message}


def _echo(out_path: Path) -> list[str]:
    """Show the command's first lines (its counts) and last lines, parsing neither.

    Returns the first lines, which results.json keeps as ``stdout_head``.
    """
    head: list[str] = []
    last: collections.deque[str] = collections.deque(maxlen=ECHO_TAIL)
    total = 0
    with open(out_path, encoding="utf-8", errors="replace") as out:
        for total, line in enumerate(out, start=1):
            if total <= ECHO_HEAD:
                head.append(line.rstrip("\n"))
            else:
                last.append(line.rstrip("\n"))
    skipped = total - len(head) - len(last)
    shown = [*head, *([f"... ({skipped} lines)"] if skipped else []), *last]
    for line in shown:
        print(f"    | {line}", flush=True)
    return head


def _report_failure(what: str, result: harness.Measurement) -> None:
    reason = "timed out" if result.timed_out else f"exit status {result.exit_code}"
    print(f"  {what} failed ({reason}); last lines of its stderr:", flush=True)
    for line in result.stderr_tail or ["(empty)"]:
        print(f"    ! {line}", flush=True)


def _report_timing(what: str, rows: int, result: harness.Measurement) -> None:
    print(
        f"  {what}: {result.seconds:.1f} s, {rows / result.seconds:,.0f} rows/s, "
        f"peak {result.peak_rss_mb:,.0f} MB RSS over {result.peak_processes} process(es) "
        f"(PSS {result.peak_pss_mb:,.0f} MB)",
        flush=True,
    )


def median_run(runs: list[dict[str, Any]], timed: str) -> dict[str, Any]:
    """The run of median wall time (the lower one of an even count); any failure wins.

    A shared 2-core machine varies by several seconds from one minute-long run to the next,
    so one run is an anecdote: the median of several is the figure, with the spread beside
    it (``seconds_range``) so a reader sees how much to trust it.
    """
    failed = [run for run in runs if run["status"] != "ok"]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda run: run[timed]["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["seconds_range"] = [ordered[0][timed]["seconds"], ordered[-1][timed]["seconds"]]
    chosen["runs"] = len(runs)
    return chosen


def summarize(
    rows: int, kind: str, kimlik: dict[str, Any], limit: dict[str, Any]
) -> dict[str, Any]:
    """The figures of one table row; None where a side failed."""
    k = kimlik.get("import") if kimlik["status"] == "ok" else None
    lim = limit.get("run") if limit["status"] == "ok" else None
    figures: dict[str, Any] = {
        "runs": kimlik.get("runs", 1),
        "kimlik_seconds_range": kimlik.get("seconds_range"),
        "kimlik_seconds": k["seconds"] if k else None,
        "kimlik_rows_per_second": rows / k["seconds"] if k else None,
        "kimlik_peak_mb": k["peak_rss_mb"] if k else None,
        "limit_seconds": lim["seconds"] if lim else None,
        "limit_rows_per_second": rows / lim["seconds"] if lim else None,
        "limit_peak_mb": lim["peak_rss_mb"] if lim else None,
        "ratio": k["seconds"] / lim["seconds"] if k and lim else None,
    }
    if kind != "sqlite":
        figures["targets"] = "n/a"
    elif k is None:
        figures["targets"] = f"MISSED (kimlik {kimlik['status']})"
    else:
        misses = []
        if figures["kimlik_rows_per_second"] < TARGET_ROWS_PER_SECOND:
            misses.append(f"< {TARGET_ROWS_PER_SECOND:,} rows/s")
        if figures["kimlik_peak_mb"] >= TARGET_PEAK_MB:
            misses.append(f">= {TARGET_PEAK_MB} MB")
        figures["targets"] = f"MISSED ({', '.join(misses)})" if misses else "met"
    return figures


# --- report --------------------------------------------------------------------------------

COLUMNS = (
    ("rows", "rows", "{:,}"),
    ("database", "database", "{}"),
    ("kimlik_seconds", "kimlik s", "{:.1f}"),
    ("kimlik_seconds_range", "kimlik s range", "{0[0]:.1f}-{0[1]:.1f}"),
    ("kimlik_rows_per_second", "kimlik rows/s", "{:,.0f}"),
    ("kimlik_peak_mb", "kimlik peak MB", "{:,.0f}"),
    ("limit_seconds", "limit s", "{:.1f}"),
    ("limit_rows_per_second", "limit rows/s", "{:,.0f}"),
    ("limit_peak_mb", "limit peak MB", "{:,.0f}"),
    ("ratio", "ratio", "{:.1f}x"),
    ("targets", "targets", "{}"),
)


def table(cases: list[dict[str, Any]]) -> str:
    """A plain-text table, one line per size x database."""
    cells = [[title for _, title, _ in COLUMNS]]
    for case in cases:
        figures = {"rows": case["rows"], "database": case["database"], **case["figures"]}
        cells.append(
            [
                ("-" if key.endswith("_range") else "failed")
                if figures.get(key) is None
                else fmt.format(figures[key])
                for key, _, fmt in COLUMNS
            ]
        )
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(cells):
        padded = [
            cell.ljust(width) if column in (0, 1, len(COLUMNS) - 1) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(padded).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_results(options: Options, report: dict[str, Any]) -> Path:
    return harness.write_json(options.workdir / "results.json", report)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time kimlik import against the bulk limit.")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--kimlik",
        type=Path,
        default=Path(sys.executable).parent / "kimlik",
        help="the kimlik executable (default: next to this Python)",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per command")
    parser.add_argument("--interval", type=float, default=0.05, help="RSS polling seconds")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each side; the median is reported"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    options = Options(
        workdir=args.workdir.resolve(),
        kimlik=args.kimlik,
        postgres_url=args.postgres_url,
        seed=args.seed,
        timeout=args.timeout,
        interval=args.interval,
        repeat=args.repeat,
    )
    (options.workdir / "logs").mkdir(parents=True, exist_ok=True)
    databases = list(dict.fromkeys(args.databases))
    if "postgresql" in databases:
        reason = postgres_unreachable(options.postgres_url)
        if reason:
            print(f"PostgreSQL unreachable, skipping it: {reason}", flush=True)
            databases.remove("postgresql")

    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": [sys.executable, *sys.argv],
        "seed": options.seed,
        "targets": {"sqlite_rows_per_second": TARGET_ROWS_PER_SECOND, "peak_mb": TARGET_PEAK_MB},
        "environment": environment(),
        "cases": [],
    }
    for rows in args.rows:
        path = input_file(rows, options)
        for kind in databases:
            print(f"[{rows:,} rows, {kind}]", flush=True)
            kimlik_runs, limit_runs = [], []
            for _ in range(options.repeat):  # alternated, so a slow spell hits both sides
                kimlik_runs.append(guarded(run_kimlik, path, rows, kind, options))
                limit_runs.append(guarded(run_limit, path, rows, kind, options))
            kimlik = median_run(kimlik_runs, "import")
            limit = median_run(limit_runs, "run")
            report["cases"].append(
                {
                    "rows": rows,
                    "database": kind,
                    "input": {"path": str(path), "bytes": path.stat().st_size},
                    "figures": summarize(rows, kind, kimlik, limit),
                    "kimlik": kimlik,
                    "limit": limit,
                }
            )
            write_results(options, report)  # after every case, so a crash keeps the rest

    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results = write_results(options, report)
    harness.append_history(options.workdir / "results-history.jsonl", report)
    print()
    print(table(report["cases"]))
    print(f"\nresults: {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
