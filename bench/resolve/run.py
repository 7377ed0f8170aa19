"""Identity resolution, side by side: ``kimlik resolve --full`` against plain Splink.

Why one runner for both: a comparison only means something when both tools see the same
records on the same machine in the same run, and are timed the same way. For each
dataset (FEBRL3, FEBRL4, the synthetic multi-source customers at each size):

1. the data is generated once and cached in the work directory;
2. a fresh SQLite store: ``kimlik init`` and ``kimlik import`` of every people file
   (timed and reported, but not part of the comparison);
3. **Kimlik**: the timed ``kimlik resolve --full``, then ``kimlik export members``, scored
   against the truth; its blocking recall comes from ``kimlik_blocking.py`` (not timed);
4. **Splink**: the store's records, as Kimlik standardized them, go to a CSV, and the
   timed ``splink_baseline.py`` runs Splink's documented example for that dataset on it;
   its clusters are scored the same way, its blocking recall counted separately.

Both timed commands are subprocesses measured by ``bench/harness.py``: wall time from
spawn to exit, peak summed RSS of the process tree. A failing step is reported in the
table and the run goes on.

    .venv/bin/python bench/resolve/run.py --datasets febrl3 febrl4 synthetic \\
        --records 10000 100000
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import harness  # noqa: E402  (bench/ is not a package)

try:
    from . import febrl, metrics
    from .report import ratio_lines, table
except ImportError:  # run as a script: this folder is on sys.path
    import febrl  # type: ignore[no-redef,import-not-found]
    import metrics  # type: ignore[no-redef,import-not-found]
    from report import ratio_lines, table  # type: ignore[no-redef,import-not-found]

DATASETS = ("febrl3", "febrl4", "febrl3-ssn", "febrl4-ssn", "synthetic")
#: Custom attributes declared to Kimlik as identifiers (KIMLIK_RESOLVE_IDENTIFIERS) where
#: Splink's example compares them too: the "-ssn" variants give both tools soc_sec_id.
IDENTIFIERS = {"febrl3-ssn": ["soc_sec_id"], "febrl4-ssn": ["soc_sec_id"]}
RECORDS_PER_PERSON = 1.86  # people records per person in synth.py's output
#: The files whose content decides the synthetic data: editing one makes a new cache entry.
SYNTH_FILES = ("synth.py", "copies.py", "names.py", "noise.py", "population.py")
RECORD_COLUMNS = ("first_name", "last_name", "email", "phone", "birth_date", "street", "city",
                  "region", "postal_code")  # fmt: skip


@dataclass(frozen=True)
class Options:
    work: Path
    results: Path
    seed: int
    timeout: float
    interval: float
    kimlik: Path
    python: Path
    #: count blocking recall (untimed helpers that hold the store in memory: at a million
    #: records they take longer than the runs they describe)
    blocking_recall: bool = True


@dataclass(frozen=True)
class PeopleFile:
    path: Path
    source: str
    region: str | None


@dataclass(frozen=True)
class Dataset:
    """A generated dataset: its people files, in import order, and its truth."""

    name: str
    size: int | None  # synthetic: the --records asked for
    directory: Path
    files: tuple[PeopleFile, ...]
    truth: Path

    @property
    def label(self) -> str:
        return self.name if self.size is None else f"{self.name}-{self.size}"


class StepFailed(Exception):
    """A step of one case failed; the message goes into the table."""


# --- data ----------------------------------------------------------------------------------


def _digest(paths: Sequence[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.read_bytes())
    return sha.hexdigest()[:8]


def prepare(name: str, size: int | None, options: Options) -> Dataset:
    """The dataset's files, generated on first use into a cache directory (not timed)."""
    if name == "synthetic":
        assert size is not None
        people = max(1, round(size / RECORDS_PER_PERSON))
        digest = _digest([HERE / f for f in SYNTH_FILES])
        directory = options.work / "data" / f"synthetic-{size}-seed{options.seed}-{digest}"
        if not (directory / "manifest.json").exists():
            print(f"  generating {people:,} people into {directory.name} ...", flush=True)
            _generate(directory, lambda tmp: _synth(people, options.seed, tmp, options))
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        files = tuple(
            PeopleFile(directory / f["name"], f["source"], f.get("region"))
            for f in manifest["files"]
            if f["kind"] == "people"
        )
        return Dataset(name, size, directory, files, directory / "truth.csv")
    base = name.removesuffix("-ssn")  # the same files; only what the tools may use differs
    directory = options.work / "data" / f"{base}-{_digest([HERE / 'febrl.py'])}"
    if not (directory / "truth.csv").exists():
        print(f"  writing {base} into {directory.name} ...", flush=True)
        write = febrl.write_febrl3 if base == "febrl3" else febrl.write_febrl4
        _generate(directory, write)
    sources = ("febrl3",) if base == "febrl3" else ("febrl4a", "febrl4b")
    files = tuple(PeopleFile(directory / f"{s}.csv", s, "AU") for s in sources)
    return Dataset(name, None, directory, files, directory / "truth.csv")


def _generate(directory: Path, write: Callable[[Path], object]) -> None:
    """Write into a temporary directory and rename: an interrupted run leaves no half cache."""
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write(tmp)
    shutil.rmtree(directory, ignore_errors=True)
    tmp.rename(directory)


def _synth(people: int, seed: int, out: Path, options: Options) -> None:
    """synth.py in a subprocess: at a million records it holds a lot we do not want here."""
    command = [str(options.python), str(HERE / "synth.py"), "--people", str(people)]
    command += ["--seed", str(seed), "--out", str(out)]
    result = harness.measure(
        command, cwd=REPO, log_stem=out.parent / f"{out.name}-synth", timeout=options.timeout
    )
    if not result.ok:
        raise StepFailed(f"synth.py {result.failure()}")


# --- one case --------------------------------------------------------------------------------


class Case:
    """One dataset at one size: a store, the two tools, their figures."""

    def __init__(self, dataset: Dataset, options: Options) -> None:
        self.dataset = dataset
        self.options = options
        self.directory = options.work / "runs" / dataset.label
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.database = self.directory / "kimlik.db"
        self.url = f"sqlite:///{self.database}"
        self.identifiers = IDENTIFIERS.get(dataset.name, [])
        self.env = {**os.environ, "KIMLIK_DATABASE_URL": self.url}
        self.env.pop("KIMLIK_RESOLVE_IDENTIFIERS", None)
        if self.identifiers:
            self.env["KIMLIK_RESOLVE_IDENTIFIERS"] = json.dumps(self.identifiers)
        self.truth = metrics.read_clusters(dataset.truth, "person_id")

    def measure(self, name: str, command: list[str], *, check: bool = True) -> harness.Measurement:
        result = harness.measure(
            command,
            cwd=REPO,
            log_stem=self.directory / "logs" / name,
            timeout=self.options.timeout,
            interval=self.options.interval,
            env=self.env,
        )
        if check and not result.ok:
            raise StepFailed(f"{name} {result.failure()}")
        return result

    def kimlik(self, *args: str) -> list[str]:
        return [str(self.options.kimlik), *args]

    def load(self) -> dict[str, Any]:
        """``kimlik init`` and the import of every people file; the store both tools use."""
        self.measure("init", self.kimlik("init"))
        steps = []
        for file in self.dataset.files:
            command = self.kimlik("import", str(file.path), "--source", file.source)
            command += ["--kind", "people"] + (["--region", file.region] if file.region else [])
            steps.append(self.measure(f"import-{file.source}", command))
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            row = connection.execute("SELECT count(*) FROM source_records").fetchone()
        return {
            "stored_records": int(row[0]),
            "seconds": sum(s.seconds for s in steps),
            "peak_rss_mb": max(s.peak_rss_mb for s in steps),
            "steps": [asdict(s) for s in steps],
        }

    def run_kimlik(self) -> dict[str, Any]:
        code = harness.code_state()
        resolve = self.measure("kimlik-resolve", self.kimlik("resolve", "--full"))
        members = self.directory / "members.csv"
        self.measure("export-members", self.kimlik("export", "members", "--output", str(members)))
        predicted = metrics.read_clusters(members, "profile_id")
        outcome = self._scores(predicted, resolve)
        outcome["code"] = code
        outcome["stdout_tail"] = resolve.stdout_tail
        blocking = self.directory / "kimlik-blocking.json"
        command = [str(self.options.python), str(HERE / "kimlik_blocking.py")]
        command += ["--database", self.url, "--truth", str(self.dataset.truth)]
        command += ["--identifiers", *self.identifiers]
        outcome.update(self._blocking("kimlik-blocking", command + ["--stats", str(blocking)]))
        return outcome

    def run_splink(self) -> dict[str, Any]:
        records = self.directory / "records.csv"
        export_records(self.database, records)
        clusters, stats = self.directory / "splink-clusters.csv", self.directory / "splink.json"
        script = [str(self.options.python), str(HERE / "splink_baseline.py")]
        script += ["--config", self.dataset.name, "--input", str(records)]
        run = self.measure("splink", script + ["--clusters", str(clusters), "--stats", str(stats)])
        predicted = metrics.read_clusters(clusters, "cluster_id")
        outcome = self._scores(predicted, run)
        outcome["splink"] = json.loads(stats.read_text(encoding="utf-8"))
        blocking = self.directory / "splink-blocking.json"
        command = script + ["--blocking-recall", str(self.dataset.truth)]
        outcome.update(self._blocking("splink-blocking", command + ["--stats", str(blocking)]))
        return outcome

    def _scores(self, predicted: dict[Any, str], run: harness.Measurement) -> dict[str, Any]:
        pairwise = metrics.pairwise_scores(predicted, self.truth)
        clusters = metrics.cluster_scores(predicted, self.truth)
        return {
            "status": "ok",
            "precision": pairwise.precision,
            "recall": pairwise.recall,
            "f1": pairwise.f1,
            "cluster_precision": clusters.precision,
            "exact_share": clusters.exact_share,
            "over_merged": clusters.over_merged,
            "split": clusters.split,
            "seconds": run.seconds,
            "peak_rss_mb": run.peak_rss_mb,
            "pairwise": asdict(pairwise),
            "clusters": asdict(clusters),
            "run": asdict(run),
        }

    def _blocking(self, name: str, command: list[str]) -> dict[str, Any]:
        """Blocking recall from a helper script; its failure leaves the rest of the row."""
        if not self.options.blocking_recall:
            return {"blocking_recall": None}
        result = self.measure(name, command, check=False)
        stats_path = Path(command[command.index("--stats") + 1])
        if not result.ok or not stats_path.exists():
            return {"blocking_recall": None, "blocking_error": result.failure()}
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        return {"blocking_recall": stats["blocking_recall"], "blocking": stats}


def export_records(database: Path, path: Path) -> int:
    """The store's person records, as Kimlik standardized them, for Splink: one CSV row each.

    ``unique_id`` is the store's record id, so both tools number records alike. Read with
    the stdlib (streaming), not through Kimlik: this is what any analyst could query.
    ``soc_sec_id`` (FEBRL's, a custom attribute) is only used by the "-ssn" variants.
    """
    columns = ", ".join(f"r.{c}" for c in RECORD_COLUMNS)
    query = (
        f"SELECT r.id, s.name, r.record_id, {columns}, "
        "json_extract(r.custom, '$.soc_sec_id') FROM source_records r "
        "JOIN sources s ON s.id = r.source_id ORDER BY r.id"
    )
    count = 0
    with (
        contextlib.closing(sqlite3.connect(database)) as connection,
        open(path, "w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("unique_id", "source", "record_id", *RECORD_COLUMNS, "soc_sec_id"))
        for row in connection.execute(query):
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def run_case(dataset: Dataset, options: Options) -> dict[str, Any]:
    """Both tools on one dataset; any failure becomes a ``failed: reason`` status."""
    case_report: dict[str, Any] = {
        "dataset": dataset.name,
        "size": dataset.size,
        "records": None,
        "data": str(dataset.directory),
    }
    try:
        case = Case(dataset, options)
        case_report["records"] = len(case.truth)
        print(f"[{dataset.label}: {len(case.truth):,} records]", flush=True)
        case_report["import"] = case.load()
        print(f"  import: {_brief(case_report['import'])}", flush=True)
    except Exception as exc:
        reason = _reason(exc)
        print(f"  failed before resolving: {reason}", flush=True)
        case_report["import"] = {"status": f"failed: {reason}"}
        case_report["kimlik"] = case_report["splink"] = {"status": f"failed: {reason}"}
        return case_report
    for tool, run in (("kimlik", case.run_kimlik), ("splink", case.run_splink)):
        print(f"  {tool} ...", flush=True)
        try:
            case_report[tool] = run()
            print(f"  {tool}: {_brief(case_report[tool])}", flush=True)
        except Exception as exc:
            case_report[tool] = {"status": f"failed: {_reason(exc)}"}
            print(f"  {tool} {case_report[tool]['status']}", flush=True)
    return case_report


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"


def _brief(figures: dict[str, Any]) -> str:
    parts = [f"{figures['seconds']:.1f} s", f"peak {figures['peak_rss_mb']:,.0f} MB"]
    if "f1" in figures:
        parts.append(f"F1 {figures['f1']:.3f}")
    if figures.get("blocking_recall") is not None:
        parts.append(f"blocking recall {figures['blocking_recall']:.3f}")
    blocking = figures.get("blocking", {})
    if "reachable_recall" in blocking:
        parts.append(f"reachable {blocking['reachable_recall']:.3f}")
    if "blocking_recall_sharing_a_value" in blocking:
        parts.append(
            f"{blocking['blocking_recall_sharing_a_value']:.3f} of the pairs sharing a value"
        )
    return ", ".join(parts)


# --- main ----------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Options]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument(
        "--records", nargs="+", type=int, default=[10_000], help="synthetic sizes (records)"
    )
    parser.add_argument("--seed", type=int, default=11, help="synthetic data seed")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="cache, stores, logs")
    parser.add_argument(
        "--results", type=Path, default=HERE, help="where results.json and the history go"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per step")
    parser.add_argument("--interval", type=float, default=0.05, help="RSS polling seconds")
    parser.add_argument(
        "--no-blocking-recall",
        action="store_true",
        help="skip the untimed blocking-recall counts (slow at a million records)",
    )
    parser.add_argument(
        "--kimlik", type=Path, default=Path(sys.executable).parent / "kimlik", help="command"
    )
    args = parser.parse_args(argv)
    options = Options(
        work=args.work.resolve(),
        results=args.results.resolve(),
        seed=args.seed,
        timeout=args.timeout,
        interval=args.interval,
        kimlik=args.kimlik,
        python=Path(sys.executable),
        blocking_recall=not args.no_blocking_recall,
    )
    return args, options


def main(argv: Sequence[str] | None = None) -> int:
    args, options = parse(argv)
    options.work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": [sys.executable, *(sys.argv if argv is None else argv)],
        "seed": options.seed,
        "environment": harness.environment(),
        "cases": [],
    }
    results = options.results / "results.json"
    for name in dict.fromkeys(args.datasets):
        for size in args.records if name == "synthetic" else [None]:
            try:
                dataset = prepare(name, size, options)
            except Exception as exc:
                reason = f"failed: data: {_reason(exc)}"
                print(f"[{name} {size or ''}] {reason}", flush=True)
                report["cases"].append(
                    {"dataset": name, "size": size, "records": size,
                     "kimlik": {"status": reason}, "splink": {"status": reason}}
                )  # fmt: skip
                continue
            report["cases"].append(run_case(dataset, options))
            harness.write_json(results, report)  # after every case: a crash keeps the rest
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    harness.write_json(results, report)
    harness.append_history(options.results / "results-history.jsonl", report)
    print()
    print(table(report["cases"]))
    print()
    print("\n".join(ratio_lines(report["cases"])))
    print(f"\nresults: {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
