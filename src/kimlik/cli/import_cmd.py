"""``kimlik import``: load a CSV or JSON Lines file from one source."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kimlik.cli.app import state
from kimlik.cli.errors import reported

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kimlik.config import Settings
    from kimlik.ingest.service import ImportRequest, ImportResult

#: Files above this size get a progress bar.
PROGRESS_BYTES = 5_000_000

#: The record kinds for ``--help``, in ``kimlik.ingest.kinds.KINDS`` order: importing that
#: module loads every standardizer, too slow for help text (a test keeps the two equal).
KIND_NAMES = (
    "people",
    "companies",
    "orders",
    "order_items",
    "interactions",
    "feedback",
    "consents",
)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or JSON Lines file (.gz allowed).")],
    source: Annotated[str, typer.Option("--source", help="Source system, e.g. crm, webshop.")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"Record kind: {', '.join(KIND_NAMES)} (default people)."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping file (YAML or JSON).")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column holding the source's record id.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Default country for phones and date order, e.g. TR."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Text encoding (default UTF-8).")
    ] = None,
) -> None:
    """Import a file; prints read / new / updated / unchanged / rejected counts."""
    cli = state(ctx)
    _start_workers_early(cli.settings, path)
    from kimlik.ingest.service import ImportRequest

    request = ImportRequest(
        path=path,
        source=source,
        kind=kind,
        mapping_path=mapping,
        id_column=id_column,
        region=region,
        encoding=encoding,
    )
    with reported(cli.err):
        result = _run(cli.engine, cli.settings, request, cli.err)
    render_result(cli.console, path, result)


def _start_workers_early(settings: Settings, path: Path) -> None:
    """Start the cleaning workers' server before loading the pipeline, when it will be used."""
    from kimlik.ingest.workers import choose_workers, start_server_early

    size = path.stat().st_size if path.is_file() else 0
    if choose_workers(settings.import_workers, size, settings.parallel_threshold_bytes):
        start_server_early()


def _run(engine: Engine, settings: Settings, request: ImportRequest, err: Console) -> ImportResult:
    from kimlik.ingest.service import import_file

    size = request.path.stat().st_size if request.path.is_file() else 0
    if size < PROGRESS_BYTES or not err.is_terminal:
        return import_file(engine, settings, request)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    columns = (
        *Progress.get_default_columns()[:-1],
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"importing {request.path.name}", total=size)
        return import_file(
            engine,
            settings,
            request,
            lambda done, total: bar.update(task, completed=done, total=total),
        )


def render_result(console: Console, path: Path, result: ImportResult) -> None:
    """The on-screen summary of one import."""
    console.print(
        f"[bold]{escape(path.name)}[/] → source [cyan]{result.source}[/], kind {result.kind} "
        f"(run {result.run_id})"
    )
    numbers = {
        "read": result.read,
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
    }
    counts = Table(*numbers, box=None, padding=(0, 2))
    counts.add_row(*(f"{n:,}" for n in numbers.values()))
    console.print(counts)
    if result.unlinked:
        noun = (
            "order items name unknown orders"
            if result.kind == "order_items"
            else (f"{result.kind} name customers not (yet) known")
        )
        console.print(f"[yellow]{result.unlinked:,} {noun}; kept, and linked when they arrive[/]")
    if result.content_ids:
        console.print(
            "[yellow]no record id column: rows are identified by their content, so a changed row "
            "becomes a new record (use --id-column)[/]"
        )
    if result.custom_columns:
        console.print("kept as custom attributes: " + escape(", ".join(result.custom_columns)))
    if result.field_issues:
        issues = ", ".join(f"{code} {n:,}" for code, n in result.field_issues.most_common())
        console.print(f"values flagged (row kept): {escape(issues)}")
    if result.rejections:
        table = Table(title=f"rejected rows ({result.rejected:,})", title_justify="left")
        for column in ("line", "column", "value", "reason"):
            table.add_column(column)
        for rejection in result.rejections:
            for reason in rejection.reasons:
                value = reason["value"]
                table.add_row(
                    str(rejection.line),
                    escape(reason["column"] or reason["attribute"] or "-"),
                    escape("" if value is None else _short(value)),
                    escape(f"{reason['code']}: {reason['message']}"),
                )
        console.print(table)
        if result.rejected > len(result.rejections):
            console.print(
                f"… {result.rejected - len(result.rejections):,} more; all are stored with the run "
                f"({', '.join(f'{c} {n:,}' for c, n in result.rejection_codes.most_common(5))})"
            )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
