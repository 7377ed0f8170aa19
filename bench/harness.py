"""Measuring commands for the benchmarks: wall time and peak memory of a process tree.

Why subprocesses: the figures are about a command as a user runs it (interpreter start,
worker pools, databases included), and two tools compared side by side must be measured
the same way. Each command runs in its own process group; its wall time runs from spawn
to exit, and its memory is the peak over polls (every 50 ms by default) of the summed
``VmRSS`` of the process and every descendant, read from ``/proc`` (Linux only).

Summed RSS counts a page shared by several processes once per process (forked workers
share their parent's pages), so ``peak_pss_mb``, the proportional set size sampled about
every five seconds (reading it stalls the measured processes briefly), is kept beside it
to tell real growth from sharing.

    from harness import measure
    result = measure(["kimlik", "resolve", "--full"], cwd=work, log_stem=work / "resolve",
                     timeout=3600, env={**os.environ, "KIMLIK_DATABASE_URL": url})

``bench/`` is not a package: scripts import this file with ``bench/`` put on ``sys.path``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "MB",
    "Measurement",
    "TreeSampler",
    "append_history",
    "code_state",
    "environment",
    "measure",
    "tail",
    "write_json",
]

MB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent


# --- memory --------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/*/stat (not every kernel has /proc/*/children)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                data = stat.read()
        except OSError:  # the process ended between listing and reading
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = data[data.rindex(b")") + 2 :].split(b" ", 2)
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _proc_field(path: str, key: bytes) -> int | None:
    """A "Key:  123 kB" field of a /proc file in bytes; None once the process has gone."""
    try:
        with open(path, "rb") as proc_file:
            for line in proc_file:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None  # a zombie has no memory lines


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def vm_rss(pid: int) -> int | None:
    """Resident set size in bytes (VmRSS); shared pages count in full.

    From /proc/PID/statm, two numbers, at half the cost of formatting /proc/PID/status.
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return None


def pss(pid: int) -> int | None:
    """Proportional set size in bytes: shared pages split among sharers (dearer to read)."""
    return _proc_field(f"/proc/{pid}/smaps_rollup", b"Pss:")


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from one scan of /proc."""
    children = _children_map()
    tree: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, ()))
    return tree


def tree_total(
    root: int, read: Callable[[int], int | None], tree: list[int] | None = None
) -> tuple[int, int]:
    """``read`` summed over ``root`` and all its descendants, and how many processes that was.

    ``tree`` is a list of those processes found earlier (``descendants``): reading it costs
    a file per process, where finding it costs a file per process on the machine.
    """
    total = processes = 0
    for pid in descendants(root) if tree is None else tree:
        value = read(pid)
        if value is not None:
            total += value
            processes += 1
    return total, processes


class TreeSampler:
    """Polls a process tree's summed RSS on a thread and keeps the peak (PSS every 5 s).

    The tree is found afresh about every ``RESCAN_SECONDS``, not on every poll: finding it
    reads every process's stat file, and at 20 polls a second that took ~5% of a core from
    the 2-core machine the measured command runs on. A process that starts between scans
    is counted from the next scan on; what measured commands start (pools, engines) lives
    for seconds, so the peak is still seen.
    """

    RESCAN_SECONDS = 0.5
    #: PSS walks the page tables of each process under its memory-map lock (~5 ms for
    #: 300 MB), stalling the measured process's own mmap calls: a diagnostic, read rarely
    PSS_SECONDS = 5.0

    def __init__(self, pid: int, interval: float) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_every = max(1, round(self.PSS_SECONDS / interval))
        self.rescan_every = max(1, round(self.RESCAN_SECONDS / interval))
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        tree: list[int] = []
        while True:
            if self.samples % self.rescan_every == 0:
                tree = descendants(self.pid)
            rss, processes = tree_total(self.pid, vm_rss, tree)
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_processes = max(self.peak_processes, processes)
            if self.samples % self.pss_every == 0:
                self.peak_pss_bytes = max(self.peak_pss_bytes, tree_total(self.pid, pss, tree)[0])
            self.samples += 1
            if self._stop.wait(self.interval):
                return


# --- one measured command ------------------------------------------------------------------


@dataclass
class Measurement:
    """One timed subprocess: what ran, how long, how much memory, how it ended."""

    command: list[str]
    exit_code: int | None = None
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0  # sampled every ~5 s: a diagnostic beside the RSS figure
    peak_processes: int = 0
    samples: int = 0
    timed_out: bool = False
    stdout_tail: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def failure(self) -> str:
        """A one-line reason for a table cell: timeout, exit status and the last stderr line."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        last = next((line.strip() for line in reversed(self.stderr_tail) if line.strip()), "")
        return f"exit {self.exit_code}" + (f": {last[:120]}" if last else "")


def tail(path: Path, lines: int) -> list[str]:
    """The last lines of a log without reading all of it."""
    if not path.exists():
        return []
    with open(path, "rb") as log:
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - 64 * 1024))
        text = log.read().decode("utf-8", errors="replace")
    return text.splitlines()[-lines:]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End the process group we started for ``proc`` (it leads it), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def measure(
    command: Sequence[str],
    *,
    cwd: Path,
    log_stem: Path,
    timeout: float,
    interval: float = 0.05,
    env: Mapping[str, str] | None = None,
) -> Measurement:
    """Run ``command``; wall time from spawn to exit, peak summed RSS of its process tree.

    Output goes to ``log_stem``.out/.err files, not pipes, so a chatty command can neither
    block on a full pipe nor grow this process's memory. On timeout (or Ctrl-C) the whole
    process group is killed, so nothing of the command keeps running.
    """
    result = Measurement(command=list(command))
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    out_path = log_stem.with_name(log_stem.name + ".out")
    err_path = log_stem.with_name(log_stem.name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, so a timeout ends all of it
            )
        except OSError as exc:
            err.write(f"could not start {command[0]}: {exc}\n".encode())
            err.flush()
            result.stderr_tail = tail(err_path, 20)
            return result
        sampler = TreeSampler(proc.pid, interval).start()
        try:
            result.exit_code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            _kill_group(proc)
        except BaseException:  # Ctrl-C: leave nothing of ours running
            _kill_group(proc)
            raise
        finally:
            result.seconds = time.perf_counter() - started
            sampler.stop()
    result.peak_rss_mb = sampler.peak_bytes / MB
    result.peak_pss_mb = sampler.peak_pss_bytes / MB
    result.peak_processes = sampler.peak_processes
    result.samples = sampler.samples
    result.stdout_tail = tail(out_path, 20)
    result.stderr_tail = tail(err_path, 20)
    return result


# --- provenance and results ----------------------------------------------------------------


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def code_state(paths: Sequence[str] = ("src",)) -> dict[str, Any]:
    """The code under test right now: commit, and a hash of uncommitted changes to ``paths``.

    Figures must say which code produced them, and the code may change while a long run
    goes on, so take this just before each measured command.
    """
    status = _git("status", "--porcelain", "--", *paths)
    diff = _git("diff", "HEAD", "--", *paths)
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
        "diff_sha256": hashlib.sha256(diff.encode()).hexdigest()[:16] if diff else None,
    }


def environment() -> dict[str, Any]:
    """Where the figures were measured, so later runs know what they compare with."""
    memory = None
    try:
        with open("/proc/meminfo") as meminfo:
            memory = int(meminfo.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {
        **code_state(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
    }


def write_json(path: Path, report: Mapping[str, Any]) -> Path:
    """Write ``report`` atomically: a reader never sees half a results file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def append_history(path: Path, report: Mapping[str, Any]) -> None:
    """Append one run as one JSON line: the history every run leaves behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as history:
        history.write(json.dumps(report, ensure_ascii=False) + "\n")
