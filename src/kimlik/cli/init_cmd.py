"""``kimlik init``: create or upgrade the schema."""

from __future__ import annotations

import typer

from kimlik.cli.app import state
from kimlik.cli.errors import reported


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from kimlik.store.engine import describe
    from kimlik.store.migrate import current_revision, upgrade

    cli = state(ctx)
    with reported(cli.err):
        engine = cli.engine
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    where = describe(engine)
    if before == after:
        cli.console.print(f"{where}: schema is up to date (revision {after}).")
    elif before is None:
        cli.console.print(f"{where}: schema created (revision {after}).")
    else:
        cli.console.print(f"{where}: schema upgraded from {before} to {after}.")
