"""The benchmark harness measures the whole process tree, cheaply enough not to slow it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

HARNESS = Path(__file__).resolve().parents[1] / "bench" / "harness.py"

# The child starts a grandchild after the sampler's first scan; the grandchild holds 60 MB.
_TREE = (
    "import subprocess, sys, time; time.sleep(0.3); "
    "subprocess.run([sys.executable, '-c', "
    "'x = bytearray(60_000_000); import time; time.sleep(1.5)'])"
)


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kimlik_bench_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


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
