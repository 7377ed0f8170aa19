"""``kimlik quality``: the data-quality report, for people or (``--format json``) machines."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kimlik.cli.app import state
from kimlik.cli.errors import reported

if TYPE_CHECKING:
    from kimlik.quality.service import QualityReport


class Format(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("quality")(quality)


def quality(
    ctx: typer.Context,
    output_format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
) -> None:
    """Completeness, validity, standardization, rejections, shared identifiers and freshness."""
    from kimlik.quality.service import build_report

    cli = state(ctx)
    with reported(cli.err):
        report = build_report(cli.engine)
    if output_format is Format.json:
        typer.echo(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        render_report(cli.console, report)


def _age(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "never imported"
    seconds = int((now - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"last import {moment:%Y-%m-%d %H:%M} UTC ({seconds // size} {unit} ago)"
    return f"last import {moment:%Y-%m-%d %H:%M} UTC (just now)"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def render_report(console: Console, report: QualityReport) -> None:
    """Print the report as Rich tables, one block per source."""
    if not report.sources:
        console.print("No data yet: run `kimlik import` first.")
        return
    for source in report.sources:
        console.rule(
            f"[bold]{escape(source.source)}[/] · {_age(source.last_import_at, report.generated_at)}"
        )
        for kind in source.kinds:
            table = Table(title=f"{kind.kind}: {kind.records:,} records", title_justify="left")
            for heading in ("attribute", "complete", "valid", "invalid", "standardized"):
                table.add_column(heading, justify="left" if heading == "attribute" else "right")
            for attribute in kind.attributes:
                if attribute.present + attribute.invalid == 0:
                    continue
                table.add_row(
                    attribute.attribute,
                    _percent(attribute.completeness),
                    _percent(attribute.validity),
                    f"{attribute.invalid:,}",
                    f"{attribute.changed:,}",
                )
            if table.row_count:
                console.print(table)
            if kind.rejected:
                reasons = ", ".join(f"{code} {n:,}" for code, n in kind.rejected.items())
                console.print(f"  rejected in the latest {kind.kind} import: {escape(reasons)}")
        if source.collected is not None:
            events = source.collected
            console.print(
                f"  collected from SDKs: {events.events:,} events, {events.on_a_person:,} on a "
                f"person, {events.events - events.on_a_person:,} anonymous or on a shared "
                f"device, {events.pending:,} waiting to be stitched"
            )
            if events.refused:
                refused = ", ".join(f"{code} {n:,}" for code, n in events.refused.items())
                console.print(f"  refused messages, kept for review: {escape(refused)}")
    console.rule("[bold]shared identifiers[/] (candidates for identity resolution)")
    for shared in report.shared:
        console.print(
            f"{shared.identifier}: {shared.shared:,} values shared by {shared.records:,} records"
        )
        for example in shared.top[:5]:
            where = f"{example.records} records in {example.sources} source(s)"
            console.print(f"  {escape(example.value)}: {where}")
