"""CPU accounting for ``run.py``: the server's processes, its database backends, the machine.

Why: on two cores the server, PostgreSQL and the load generator share the machine, so
each figure says who used the CPU in the measured window (from ``/proc``, Linux only).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

import harness
from limit import libpq

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its descendants so far."""
    total = 0
    for pid in harness.descendants(root):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat", "rb") as stat:
                data = stat.read()
            fields = data[data.rindex(b")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def pids_cpu(pids: Sequence[int]) -> dict[int, float]:
    """CPU seconds so far of each of ``pids`` that still runs."""
    out = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat", "rb") as stat:
                data = stat.read()
            fields = data[data.rindex(b")") + 2 :].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


class Backends:
    """The PostgreSQL backends serving the server's connections, by ``application_name``.

    Their CPU is the database's share of the work: on two cores it is most of it.
    """

    def __init__(self, admin_url: str, name: str) -> None:
        self.conninfo = libpq(admin_url)
        self.name = name

    def pids(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.conninfo) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.name,)
            ).fetchall()
        return [int(row[0]) for row in rows]


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS
