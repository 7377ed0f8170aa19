"""The printed figures of ``run.py``: one line per run, the table, the target.

Kept apart from the runner so the layout can change without touching what is measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def brief(run: dict[str, Any]) -> str:
    return (
        f"{run['events_per_second']:,.0f} events/s, p50 {run['p50_ms']:.0f} ms, "
        f"p99 {run['p99_ms']:.0f} ms, peak {run['server_peak_rss_mb']:.0f} MB, "
        f"server {run['server_cores']:.2f} cores, database {run['database_cores'] or 0:.2f}, "
        f"load generator {run['loadgen_cores']:.2f}, "
        f"machine {run['machine_busy_cores']:.2f} busy; stitcher {run['stitcher']}"
    )


def table(reports: list[dict[str, Any]]) -> str:
    titles = ["backend", "events/s", "p50 ms", "p95 ms", "p99 ms", "server MB", "server cores",
              "db cores", "loadgen cores", "machine busy", "limit events/s", "limit MB",
              "server/limit", "check", "stitched"]  # fmt: skip
    body = []
    for report in reports:
        if report["status"] != "ok":
            body.append([report["backend"], report["status"]])
            continue
        run, limit, check = report["server"], report["limit"], report["check"]
        limited = limit.get("status") == "ok"
        body.append(
            [
                report["backend"],
                f"{run['events_per_second']:,.0f}",
                f"{run['p50_ms']:.1f}",
                f"{run['p95_ms']:.1f}",
                f"{run['p99_ms']:.1f}",
                f"{run['server_peak_rss_mb']:.0f}",
                f"{run['server_cores']:.2f}",
                "-" if run["database_cores"] is None else f"{run['database_cores']:.2f}",
                f"{run['loadgen_cores']:.2f}",
                f"{run['machine_busy_cores']:.2f}/{run['machine_cores']:.0f}",
                f"{limit['events_per_second']:,.0f}" if limited else limit["status"],
                f"{limit['peak_rss_mb']:.0f}" if limited else "-",
                f"{run['events_per_second'] / limit['events_per_second']:.2f}" if limited else "-",
                "ok" if check["ok"] else f"FAILED {check}",
                f"{check['stitched']:,} ({run['stitcher'].split(' ')[0]})",
            ]
        )
    widths = [max([len(t), *(len(r[i]) for r in body if len(r) == len(titles))]) for i, t in
              enumerate(titles)]  # fmt: skip
    lines = []
    for row in [titles, *body]:
        if len(row) != len(titles):
            lines.append(f"{row[0].ljust(widths[0])}  {row[1]}")
            continue
        cells = [c.ljust(w) if i == 0 else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]  # fmt: skip
        lines.append("  ".join(cells))
        if row is titles:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def target_lines(reports: list[dict[str, Any]]) -> Iterator[str]:
    """The acceptance target, PostgreSQL: >= 5,000 events/s, p99 < 200 ms, within 3x."""
    for report in reports:
        if report["backend"] != "postgresql" or report["status"] != "ok":
            continue
        run, limit = report["server"], report["limit"]
        misses = []
        if run["events_per_second"] < 5000:
            misses.append("events/s < 5,000")
        if run["p99_ms"] is None or run["p99_ms"] >= 200:
            misses.append("p99 >= 200 ms")
        if (
            limit.get("status") == "ok"
            and limit["events_per_second"] > 3 * run["events_per_second"]
        ):
            misses.append("more than 3x under the limit")
        if not report["check"]["ok"]:
            misses.append("stored events do not match the acknowledged ones")
        yield "PostgreSQL target (>= 5,000 events/s, p99 < 200 ms, within 3x of the limit): " + (
            "met" if not misses else "missed: " + "; ".join(misses)
        )
