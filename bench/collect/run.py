"""Collection under load: ``POST /v1/batch`` of a real ``kimlik serve`` against the bare insert.

Why this shape: SDKs post batches of ~100 gzipped messages from many clients at once,
each client waiting for its answer before the next batch (one consumer thread per SDK
client). So for each backend (a fresh SQLite file; a fresh private PostgreSQL schema,
dropped afterwards):

1. the schema by the migrations, a write key by ``create_write_key`` (not timed);
2. the request bodies, built before anything is timed (``messages.py``: the SDK's shapes,
   ``json.dumps`` + gzip level 9 like the SDK; each messageId unique), so the load
   generator only sends bytes and its own CPU stays small: it is measured and reported,
   because on two cores every cycle it takes is one the server and the database lack;
3. ``kimlik --database URL serve`` as a subprocess on a free loopback port, and
   ``--senders`` processes, each one keep-alive HTTP connection posting batch after batch
   (closed loop) for ``--warmup`` + ``--seconds``; events/s and latencies count the
   requests that ended inside the ``--seconds`` window;
4. the check: every acknowledged messageId is stored exactly once, and nothing is stored
   that was not sent (a ``count`` per messageId over the source's rows);
5. the limit: ``limit.py`` inserts the same acknowledged batches (their rows under a
   second source, so the unique key does not refuse them) into the same ``events`` table
   of the same database with ``COPY`` / ``executemany``, one transaction per batch.

    .venv/bin/python bench/collect/run.py --backends sqlite postgresql --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
for _path in (str(BENCH), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import harness  # noqa: E402  (bench/ is not a package)
from cpu import Backends, machine_cpu, pids_cpu, tree_cpu  # noqa: E402
from messages import Batch, Traffic  # noqa: E402
from report import brief, table, target_lines  # noqa: E402
from stores import Store, prepare_store  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUCCESS = b'{"success":true}'


@dataclass(frozen=True)
class Options:
    backends: tuple[str, ...]
    seconds: float
    warmup: float
    senders: int
    batch_size: int
    max_rate: int
    workers: int | None
    stitch: bool
    profile: str | None
    postgres_url: str
    work: Path
    kimlik: Path
    python: Path
    seed: int
    interval: float


# --- the bodies ------------------------------------------------------------------------------


def _build(job: tuple[int, int, int, str]) -> list[Batch]:
    seed, count, size, key = job
    traffic = Traffic(seed)
    return [traffic.batch(size, key) for _ in range(count)]


def build_batches(total: int, size: int, key: str, seed: int) -> list[Batch]:
    """``total`` batches, built on every core before the run (gzip level 9 is ~3 ms each)."""
    workers = max(1, os.cpu_count() or 1)
    chunk = -(-total // (workers * 4))
    jobs = [(seed * 1000 + n, min(chunk, total - n * chunk), size, key)
            for n in range(-(-total // chunk))]  # fmt: skip
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [batch for part in pool.map(_build, jobs) for batch in part]


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    url: str, port: int, options: Options, logs: Path
) -> tuple[subprocess.Popen[bytes], float]:
    """``kimlik serve`` in its own process group; returns once it answers HTTP."""
    command = [str(options.kimlik), "--database", url, "serve", "--port", str(port)]
    if options.workers is not None:
        command += ["--workers", str(options.workers)]
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    env = {**os.environ, "KIMLIK_STITCH": "true" if options.stitch else "false"}
    with open(logs / "serve.out", "wb") as out, open(logs / "serve.err", "wb") as err:
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True,
        )  # fmt: skip
    deadline = started + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            last = harness.tail(logs / "serve.err", 5)
            raise RuntimeError(f"kimlik serve exited {proc.returncode}: {last}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/v1/batch")
            connection.getresponse().read()
            connection.close()
            return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    stop_server(proc)
    raise RuntimeError("kimlik serve did not answer within 60 s")


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


# --- the senders -----------------------------------------------------------------------------


@dataclass
class SenderResult:
    #: (batch index, started, ended, HTTP status or -1 on a connection error)
    requests: list[tuple[int, float, float, int]] = field(default_factory=list)
    cpu_seconds: float = 0.0
    exhausted: bool = False


def sender(
    indexes: list[int],
    batches: list[Batch],
    port: int,
    key: str,
    start_at: float,
    stop_at: float,
    pipe: Any,
) -> None:
    """One SDK client: post batch after batch on one keep-alive connection until ``stop_at``.

    Runs in a forked process, so ``batches`` is shared memory, never pickled. Clocks are
    ``time.monotonic()``, one clock for every process of the machine.
    """
    import base64

    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "User-Agent": "analytics-python/2.4.0",
        "Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
    }
    result = SenderResult()
    cpu = time.process_time()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    time.sleep(max(0.0, start_at - time.monotonic()))
    position = 0
    while True:
        started = time.monotonic()
        if started >= stop_at:
            break
        if position == len(indexes):
            result.exhausted = True
            break
        index = indexes[position]
        position += 1
        try:
            connection.request("POST", "/v1/batch", batches[index].body, headers)
            reply = connection.getresponse()
            body = reply.read()
            status = reply.status
            if status == 200 and body != SUCCESS:  # the contract is this exact answer
                status = 0
        except (OSError, http.client.HTTPException):
            status = -1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        result.requests.append((index, started, time.monotonic(), status))
    connection.close()
    result.cpu_seconds = time.process_time() - cpu
    pipe.send(asdict(result))
    pipe.close()


def drive(
    batches: list[Batch],
    port: int,
    key: str,
    options: Options,
    server_pid: int,
    backends: Backends | None,
) -> dict[str, Any]:
    """Run the senders; events/s, latencies and CPU of the measured window."""
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.5
    window_start = start_at + options.warmup
    stop_at = window_start + options.seconds
    processes, pipes = [], []
    for n in range(options.senders):
        receiver, sender_end = context.Pipe(duplex=False)
        indexes = list(range(n, len(batches), options.senders))
        process = context.Process(
            target=sender, args=(indexes, batches, port, key, start_at, stop_at, sender_end)
        )
        process.start()
        sender_end.close()
        processes.append(process)
        pipes.append(receiver)
    sampler = harness.TreeSampler(server_pid, options.interval).start()
    time.sleep(max(0.0, window_start - time.monotonic()))
    server_cpu0, (busy0, all0) = tree_cpu(server_pid), machine_cpu()
    database0 = pids_cpu(backends.pids()) if backends else {}
    spy = profile(server_pid, options) if options.profile else None
    time.sleep(max(0.0, stop_at - time.monotonic()))
    server_cpu1, (busy1, all1) = tree_cpu(server_pid), machine_cpu()
    database1 = pids_cpu(backends.pids()) if backends else {}
    database = sum(cpu - database0.get(pid, 0.0) for pid, cpu in database1.items())
    if spy is not None:
        spy.wait()
    results = [SenderResult(**pipe.recv()) for pipe in pipes]
    for process in processes:
        process.join()
    sampler.stop()
    requests = [r for result in results for r in result.requests]
    in_window = [r for r in requests if window_start <= r[2] <= stop_at]
    exhausted = any(result.exhausted for result in results)
    ended = max((r[2] for r in in_window), default=stop_at)
    seconds = (ended if exhausted else stop_at) - window_start
    ok = [r for r in in_window if r[3] == 200]
    latencies = sorted((r[2] - r[1]) * 1000 for r in ok)
    events = sum(len(batches[r[0]].message_ids) for r in ok)
    sender_cpu = sum(result.cpu_seconds for result in results)
    window = stop_at - window_start
    cores = (all1 - all0) / window
    return {
        "requests": requests,
        "window_seconds": seconds,
        "events": events,
        "events_per_second": events / seconds if seconds > 0 else 0.0,
        "requests_in_window": len(in_window),
        "failed_in_window": len(in_window) - len(ok),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "pool_exhausted": exhausted,
        "server_peak_rss_mb": sampler.peak_bytes / harness.MB,
        "server_peak_processes": sampler.peak_processes,
        "server_cores": (server_cpu1 - server_cpu0) / window,
        "database_cores": database / window if backends else None,
        # whole run, warm-up included: the generator's own cost, to show it stays small
        "loadgen_cpu_seconds": sender_cpu,
        "loadgen_cores": sender_cpu / (stop_at - start_at),
        "machine_busy_cores": (busy1 - busy0) / window,
        "machine_cores": cores,
    }


def profile(server_pid: int, options: Options) -> subprocess.Popen[bytes]:
    """``py-spy record`` of the server (and its workers) for the measured window.

    Collapsed stacks (``--format raw``, one line per stack with its sample count), with
    idle threads left out and native frames off: what the server's Python spends time on.
    """
    assert options.profile is not None
    out = options.work / f"profile-{server_pid}.txt"
    command = [options.profile, "record", "--pid", str(server_pid), "--subprocesses"]
    command += ["--duration", str(max(1, int(options.seconds))), "--rate", "100"]
    command += ["--format", "raw", "--output", str(out), "--nonblocking"]
    print(f"  profiling the server into {out}", flush=True)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    rank = max(1, -(-len(values) * q // 100))
    return values[int(rank) - 1]


# --- the check -------------------------------------------------------------------------------


def verify(url: str, source_id: int, batches: list[Batch], requests: list[Any]) -> dict[str, Any]:
    """Every acknowledged messageId stored exactly once; nothing stored that was not sent."""
    from sqlalchemy import func, select

    from kimlik.store.engine import open_engine
    from kimlik.store.server_tables import events

    acked = {m for r in requests if r[3] == 200 for m in batches[r[0]].message_ids}
    sent = {m for r in requests for m in batches[r[0]].message_ids}
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(events.c.message_id, func.count())
                .where(events.c.source_id == source_id)
                .group_by(events.c.message_id)
            )
            counts = {str(row[0]): int(row[1]) for row in rows}
            # how far the stitcher got while the server ran (it is not needed to collect)
            stitched = connection.execute(
                select(func.count())
                .select_from(events)
                .where(events.c.source_id == source_id, events.c.stitched_at.is_not(None))
            ).scalar_one()
    finally:
        engine.dispose()
    report = {
        "acknowledged": len(acked),
        "stored": sum(counts.values()),
        "missing": len(acked - counts.keys()),
        "duplicated": sum(1 for n in counts.values() if n != 1),
        "never_sent": len(counts.keys() - sent),
        "stitched": int(stitched),
    }
    report["ok"] = report["missing"] == 0 and report["duplicated"] == report["never_sent"] == 0
    return report


# --- the limit -------------------------------------------------------------------------------


def run_limit(
    store: Store, batches: list[Batch], acked: list[int], limit_id: int, options: Options
) -> dict[str, Any]:
    directory = options.work / store.backend
    bodies = directory / "bodies.bin"
    with open(bodies, "wb") as out:
        for index in acked:
            body = batches[index].body
            out.write(struct.pack("<I", len(body)) + body)
    command = [str(options.python), str(HERE / "limit.py"), "--database", store.url]
    command += ["--bodies", str(bodies), "--source-id", str(limit_id)]
    stem = directory / "logs" / "limit"
    measured = harness.measure(command, cwd=REPO, log_stem=stem, timeout=3600)
    bodies.unlink()
    if not measured.ok:
        return {"status": f"failed: {measured.failure()}"}
    figures = json.loads((stem.with_name("limit.out")).read_text().strip().splitlines()[-1])
    figures["events_per_second"] = figures["events"] / figures["insert_seconds"]
    figures["peak_rss_mb"] = measured.peak_rss_mb
    figures["status"] = "ok"
    return figures


# --- one backend -----------------------------------------------------------------------------


def run_backend(backend: str, options: Options) -> dict[str, Any]:
    report: dict[str, Any] = {"backend": backend, "status": "ok"}
    store = Store.create(backend, options.work, options.postgres_url)
    try:
        key, source_id, limit_id = prepare_store(store.url)
        total = -(-options.max_rate * (options.warmup + options.seconds) // options.batch_size)
        started = time.perf_counter()
        batches = build_batches(int(total), options.batch_size, key, options.seed)
        report["bodies"] = {
            "batches": len(batches),
            "seconds": time.perf_counter() - started,
            "mean_gzip_bytes": sum(len(b.body) for b in batches) / len(batches),
            "mean_json_bytes": sum(b.raw_bytes for b in batches) / len(batches),
        }
        print(f"  {len(batches):,} bodies built in {report['bodies']['seconds']:.1f} s", flush=True)
        port = free_port()
        report["code"] = harness.code_state()
        url, backends = store.url, None
        if store.admin_url is not None:  # name the server's connections to find their CPU
            name = f"kimlik-bench-{os.getpid()}"
            url, backends = f"{url}&application_name={name}", Backends(store.admin_url, name)
        proc, ready = start_server(url, port, options, options.work / backend / "logs")
        report["server_start_seconds"] = ready
        try:
            run = drive(batches, port, key, options, proc.pid, backends)
        finally:
            stop_server(proc)
        requests = run.pop("requests")
        # the stitcher is a thread of the server: if it died, the figures are without it
        errors = (options.work / backend / "logs" / "serve.err").read_text(errors="replace")
        run["stitcher"] = (
            "off"
            if not options.stitch
            else "crashed (see serve.err)"
            if "Exception in thread kimlik-stitch" in errors
            else "ran"
        )
        report["server"] = run
        print(f"  server: {brief(run)}", flush=True)
        report["check"] = verify(store.url, source_id, batches, requests)
        print(f"  check: {report['check']}", flush=True)
        acked = sorted(r[0] for r in requests if r[3] == 200)
        report["limit"] = run_limit(store, batches, acked, limit_id, options)
        print(f"  limit: {report['limit']}", flush=True)
    except Exception as exc:  # one backend failing must not lose the other's figures
        report["status"] = f"failed: {type(exc).__name__}: {exc}"
        print(f"  {report['status']}", flush=True)
    finally:
        store.drop()
    return report


# --- report ----------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds sent before it")
    parser.add_argument("--senders", type=int, default=4, help="concurrent SDK-like clients")
    parser.add_argument("--batch-size", type=int, default=100, help="messages per request")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=12_000,
        help="events/s the pre-built bodies can feed for the whole run (more: longer build)",
    )
    parser.add_argument("--workers", type=int, default=None, help="kimlik serve --workers")
    parser.add_argument(
        "--no-stitch",
        action="store_true",
        help="serve with KIMLIK_STITCH=false (default: the stitcher runs, as it does by default)",
    )
    parser.add_argument(
        "--profile",
        metavar="PY_SPY",
        help="path of a py-spy binary: record the server during the window (collapsed stacks)",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--work", type=Path, default=HERE / "out", help="logs, results")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--interval", type=float, default=0.1, help="RSS polling seconds")
    parser.add_argument(
        "--kimlik", type=Path, default=Path(sys.executable).parent / "kimlik", help="command"
    )
    args = parser.parse_args(argv)
    return Options(
        backends=tuple(dict.fromkeys(args.backends)),
        seconds=args.seconds,
        warmup=args.warmup,
        senders=args.senders,
        batch_size=args.batch_size,
        max_rate=args.max_rate,
        workers=args.workers,
        stitch=not args.no_stitch,
        profile=args.profile,
        postgres_url=args.postgres_url,
        work=args.work.resolve(),
        kimlik=args.kimlik,
        python=Path(sys.executable),
        seed=args.seed,
        interval=args.interval,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    options.work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": [sys.executable, *(sys.argv if argv is None else argv)],
        "options": {k: str(v) for k, v in asdict(options).items()},
        "environment": harness.environment(),
        "load_average_at_start": os.getloadavg(),
        "backends": [],
    }
    for backend in options.backends:
        print(f"[{backend}]", flush=True)
        report["backends"].append(run_backend(backend, options))
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    harness.write_json(options.work / "results.json", report)
    harness.append_history(options.work / "results-history.jsonl", report)
    print()
    print(
        f"{options.senders} senders x {options.batch_size} messages a batch, "
        f"{options.seconds:g} s measured after {options.warmup:g} s of warm-up"
    )
    print(table(report["backends"]))
    for line in target_lines(report["backends"]):
        print(line)
    print(f"\nresults: {options.work / 'results.json'}")
    failed = any(r["status"] != "ok" or not r["check"]["ok"] for r in report["backends"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
