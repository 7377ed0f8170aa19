"""``kimlik export profiles|members --output FILE``: profiles out, as CSV or JSON Lines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from kimlik.cli.app import state
from kimlik.cli.errors import reported

if TYPE_CHECKING:
    from kimlik.profiles.service import ExportResult

export_app = typer.Typer(
    no_args_is_help=True,
    help="Write profiles or their member records to a file (.csv or .jsonl, optionally .gz).",
)

Output = Annotated[
    Path,
    typer.Option(
        "--output", "-o", help="File to write; .csv or .jsonl (optionally .gz) picks the format."
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@export_app.command("profiles")
def profiles_command(ctx: typer.Context, output: Output) -> None:
    """One row per active profile: profile_id and the golden attributes."""
    from kimlik.profiles.service import export_profiles

    cli = state(ctx)
    with reported(cli.err):
        result = export_profiles(cli.engine, output)
        _audit(ctx, result, "profiles")
    _done(ctx, result, "profiles")


@export_app.command("members")
def members_command(ctx: typer.Context, output: Output) -> None:
    """One row per source record in a profile: profile_id, source, record_id."""
    from kimlik.profiles.service import export_members

    cli = state(ctx)
    with reported(cli.err):
        result = export_members(cli.engine, output)
        _audit(ctx, result, "members")
    _done(ctx, result, "member records")


def _audit(ctx: typer.Context, result: ExportResult, what: str) -> None:
    """Every export is in the audit log, as the API's are (who, when, how many rows)."""
    from kimlik.access.audit import record_now
    from kimlik.cli.actor import cli_principal

    detail = {"what": what, "format": result.format, "rows": result.rows, "path": str(result.path)}
    record_now(state(ctx).engine, cli_principal(), "export", None, detail)


def _done(ctx: typer.Context, result: ExportResult, what: str) -> None:
    kind = result.format + (" (gzip)" if result.compressed else "")
    state(ctx).console.print(
        f"wrote {result.rows:,} {what} to {escape(str(result.path))} as {kind}"
    )
