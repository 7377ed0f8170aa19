"""The benchmark harness measures the whole process tree, cheaply enough not to slow it."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

from bench_files import BENCH, load

# The child starts a grandchild after the sampler's first scan; the grandchild holds 60 MB.
_TREE = (
    "import subprocess, sys, time; time.sleep(0.3); "
    "subprocess.run([sys.executable, '-c', "
    "'x = bytearray(60_000_000); import time; time.sleep(1.5)'])"
)


def _harness() -> ModuleType:
    return load("kimlik_bench_harness", BENCH / "harness.py")


def test_sampler_counts_a_process_started_after_it_began() -> None:
    harness = _harness()
    proc = subprocess.Popen([sys.executable, "-c", _TREE])
    sampler = harness.TreeSampler(proc.pid, 0.05).start()
    proc.wait(timeout=30)
    sampler.stop()
    assert sampler.peak_processes == 2
    assert sampler.peak_bytes > 60_000_000


def test_tree_total_reads_a_given_tree_without_scanning() -> None:
    harness = _harness()
    calls: list[int] = []

    def read(pid: int) -> int | None:
        calls.append(pid)
        return None if pid == 3 else 10

    assert harness.tree_total(1, read, [1, 2, 3]) == (20, 2)
    assert calls == [1, 2, 3]


def _import_bench() -> ModuleType:
    return load("kimlik_bench_import_run", BENCH / "import" / "run.py")


def test_repeated_runs_report_the_median_and_the_spread() -> None:
    bench = _import_bench()
    runs = [{"status": "ok", "import": {"seconds": s}} for s in (55.0, 49.0, 51.0, 60.0)]
    chosen = bench.median_run(runs, "import")
    assert chosen["import"]["seconds"] == 51.0  # the lower median of an even count
    assert (chosen["seconds_range"], chosen["runs"]) == ([49.0, 60.0], 4)
    broken = [*runs, {"status": "failed"}]
    assert bench.median_run(broken, "import")["status"] == "failed"
