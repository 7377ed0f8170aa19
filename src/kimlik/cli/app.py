"""The Typer application: global options, and each command group in its own module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from kimlik.config import Settings
from kimlik.store.engine import open_engine

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Kimlik: collect, clean and unify customer data from every app.",
)


@dataclass
class CliState:
    """Settings and the lazily opened engine, shared by the commands of one invocation."""

    settings: Settings
    console: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    _engine: Engine | None = None

    def close(self) -> None:
        """Return pooled connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.settings.database_url)
        return self._engine


@app.callback()
def main(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="KIMLIK_DATABASE_URL",
            help="Database URL (default sqlite:///kimlik.db; PostgreSQL: postgresql+psycopg://...).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Kimlik: collect, clean and unify customer data from every app."""
    settings = Settings(database_url=database) if database else Settings()
    cli = CliState(settings=settings)
    ctx.obj = cli
    ctx.call_on_close(cli.close)


def state(ctx: typer.Context) -> CliState:
    """The invocation's shared state."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def _register() -> None:
    from kimlik.cli import (
        demo_cmd,
        export_cmd,
        import_cmd,
        init_cmd,
        profiles_cmd,
        quality_cmd,
        resolve_cmd,
    )

    commands = (init_cmd, import_cmd, quality_cmd, resolve_cmd, profiles_cmd, export_cmd, demo_cmd)
    for module in commands:
        module.register(app)
    from kimlik.cli import identity_cmd  # merge, unmerge, never-merge, review, decisions

    identity_cmd.register(app)


_register()
