"""The printed tables of ``run.py``: quality, time and memory per dataset and tool.

Kept apart from the runner so the layout can change without touching what is measured.
A tool that failed shows its reason in place of figures; a figure that is missing (a
blocking count that failed) shows as ``-``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: (key in the tool's figures, title, format)
COLUMNS = (
    ("precision", "precision", "{:.3f}"),
    ("recall", "recall", "{:.3f}"),
    ("f1", "F1", "{:.3f}"),
    ("blocking_recall", "blocking recall", "{:.3f}"),
    ("cluster_precision", "cluster precision", "{:.3f}"),
    ("exact_share", "cluster recall", "{:.3f}"),
    ("over_merged", "over-merged", "{:,}"),
    ("split", "split persons", "{:,}"),
    ("seconds", "wall s", "{:,.1f}"),
    ("peak_rss_mb", "peak MB", "{:,.0f}"),
)
TOOLS = ("kimlik", "splink")


def _records(case: Mapping[str, Any]) -> str:
    records = case.get("records")
    return f"{records:,}" if isinstance(records, int) else "?"


def rows(cases: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """One row per dataset x tool; a failed tool gets its reason after the names."""
    out = []
    for case in cases:
        for tool in TOOLS:
            figures = case.get(tool) or {"status": "failed: not run"}
            head = [case["dataset"], _records(case), tool]
            if figures.get("status") != "ok":
                out.append([*head, str(figures.get("status"))])
                continue
            out.append(
                [
                    *head,
                    *(
                        "-" if figures.get(key) is None else fmt.format(figures[key])
                        for key, _, fmt in COLUMNS
                    ),
                ]
            )
    return out


def render(titles: list[str], body: list[list[str]], left: int) -> str:
    """Columns padded to width; the first ``left`` columns left-aligned, the rest right."""
    widths = [len(t) for t in titles]
    for row in body:
        if len(row) == len(titles):
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for index, row in enumerate([titles, *body]):
        if len(row) != len(titles):  # a failure: names, then the reason unpadded
            padded = [c.ljust(w) for c, w in zip(row[:left], widths, strict=False)]
            lines.append("  ".join([*padded, *row[left:]]).rstrip())
        else:
            cells = [
                cell.ljust(w) if column < left else cell.rjust(w)
                for column, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def table(cases: list[dict[str, Any]]) -> str:
    """The comparison table, then the import figures (shared input, not compared)."""
    titles = ["dataset", "records", "tool", *(title for _, title, _ in COLUMNS)]
    comparison = render(titles, rows(cases), left=3)
    imports = []
    for case in cases:
        figures = case.get("import") or {}
        if "seconds" in figures:
            imports.append(
                [
                    case["dataset"],
                    _records(case),
                    f"{figures['stored_records']:,}",
                    f"{figures['seconds']:,.1f}",
                    f"{figures['peak_rss_mb']:,.0f}",
                ]
            )
        else:
            imports.append([case["dataset"], _records(case), str(figures.get("status", "-"))])
    import_titles = ["dataset", "records", "stored", "import s", "import peak MB"]
    return f"{comparison}\n\nkimlik import (input to both, not compared):\n" + render(
        import_titles, imports, left=2
    )


def ratio_lines(cases: Iterable[Mapping[str, Any]]) -> list[str]:
    """Kimlik / Splink for wall time and peak memory, per case where both ran."""
    lines = ["kimlik / splink:"]
    for case in cases:
        kimlik, splink = case.get("kimlik") or {}, case.get("splink") or {}
        name = f"  {case['dataset']} {_records(case)}:"
        if kimlik.get("status") != "ok" or splink.get("status") != "ok":
            lines.append(f"{name} n/a (a tool failed)")
            continue
        time_ratio = kimlik["seconds"] / splink["seconds"]
        memory_ratio = kimlik["peak_rss_mb"] / splink["peak_rss_mb"]
        lines.append(f"{name} wall {time_ratio:.2f}x, peak memory {memory_ratio:.2f}x")
    return lines
