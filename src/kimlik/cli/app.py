"""The Typer application: global options, and each command group in its own module.

Start-up stays light: the command modules import their services (SQLAlchemy, the ingest
pipeline, the matcher with DuckDB and pyarrow) inside the commands, so ``kimlik --help``
loads none of them and each command loads only its own; ``tests/test_cli_startup.py`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kimlik.config import Settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Kimlik: collect, clean and unify customer data from every app.",
)


@dataclass
class CliState:
    """Settings and engine, both made on first use, shared by the commands of one invocation.

    Lazy because ``kimlik COMMAND --help`` runs the callback too, and needs neither
    pydantic-settings nor SQLAlchemy.
    """

    database: str | None = None
    console: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    _settings: Settings | None = None
    _engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        """From the environment (``KIMLIK_*``); ``--database`` overrides the database URL."""
        if self._settings is None:
            from kimlik.config import load_settings

            overrides = {"database_url": self.database} if self.database else {}
            self._settings = load_settings(**overrides)
        return self._settings

    def close(self) -> None:
        """Return pooled connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from kimlik.store.engine import open_engine

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
    cli = CliState(database=database)
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
        serve_cmd,
    )

    commands = (
        init_cmd,
        import_cmd,
        quality_cmd,
        resolve_cmd,
        profiles_cmd,
        export_cmd,
        demo_cmd,
        serve_cmd,
    )
    for module in commands:
        module.register(app)
    from kimlik.cli import identity_cmd  # merge, unmerge, never-merge, review, decisions

    identity_cmd.register(app)
    from kimlik.cli import keys_cmd, users_cmd  # accounts and keys of the server

    users_cmd.register(app)
    keys_cmd.register(app)


_register()
