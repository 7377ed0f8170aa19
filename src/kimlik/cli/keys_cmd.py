"""``kimlik keys``: API keys for programs using the management API, and write keys for SDKs.

A new key's token is printed once, alone on standard output (so ``$(kimlik keys create
...)`` captures just the token); what it is and the warning go to standard error. Only a
hash is stored: a lost key is revoked and replaced, never recovered.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kimlik.cli.actor import cli_principal
from kimlik.cli.app import state
from kimlik.cli.errors import EXIT_FAILED, reported
from kimlik.cli.users_cmd import ROLE_NAMES, SCOPE_NAMES, Format, checked_engine, when

keys_app = typer.Typer(
    no_args_is_help=True,
    help="API keys (management API) and write keys (SDKs): create, list, revoke.",
)
SHOWN_ONCE = "store this key now: it is not shown again"


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'nightly export'.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help=f"A permission the API key holds; repeat for more: {', '.join(SCOPE_NAMES)}.",
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role", help=f"Give the API key a role's permissions: {', '.join(ROLE_NAMES)}."
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="A write key for SDKs instead (needs --source).")
    ] = False,
    source: Annotated[
        str | None, typer.Option("--source", help="The source a write key collects into.")
    ] = None,
) -> None:
    """Create an API key (--scope ... or --role) or a write key (--write --source)."""
    from kimlik.access import admin

    cli = state(ctx)
    if write and (scope or role):
        raise typer.BadParameter("a write key has no scopes or role", param_hint="--write")
    if write and not source:
        raise typer.BadParameter("a write key needs --source", param_hint="--source")
    if not write and source:
        raise typer.BadParameter("--source is for write keys (add --write)", param_hint="--source")
    if not write and bool(scope) == bool(role):
        raise typer.BadParameter(
            "give --scope (repeatable) or --role, not both", param_hint="--scope"
        )
    with reported(cli.err):
        engine = checked_engine(cli)
        if write:
            assert source is not None
            key = admin.add_write_key(engine, cli_principal(), source, name)
            what = f"write key {key.id} {escape(key.name)!r} for source {escape(source.lower())}"
        else:
            scopes = admin.role_scopes(role) if role else sorted(set(scope or []))
            key = admin.add_api_key(engine, cli_principal(), name, scopes)
            what = f"API key {key.id} {escape(name)!r} with scopes {', '.join(scopes)}"
    cli.err.print(f"created {what}", highlight=False)
    cli.console.out(key.token, highlight=False)
    cli.err.print(f"[bold yellow]{SHOWN_ONCE}[/]")


@keys_app.command("list")
def list_command(ctx: typer.Context, format: Format = "text") -> None:
    """Every API key and write key, revoked ones too; never a key or its hash."""
    from kimlik.access import admin
    from kimlik.jsonable import jsonable

    cli = state(ctx)
    with reported(cli.err):
        engine = checked_engine(cli)
        api_keys, write_keys = admin.list_api_keys(engine), admin.list_write_keys(engine)
    if format == "json":
        both = {"api_keys": api_keys, "write_keys": write_keys}
        cli.console.out(json.dumps(jsonable(both), ensure_ascii=False), highlight=False)
        return
    table = Table("id", "name", "starts", "scopes", "created", "by", "last used", "status",
                  title="API keys")  # fmt: skip
    for key in api_keys:
        table.add_row(
            str(key["id"]), escape(key["name"]), key["key_prefix"], ", ".join(key["scopes"]),
            when(key["created_at"]), escape(key["created_by"]), when(key["last_used_at"]),
            _status(key),
        )  # fmt: skip
    cli.console.print(table)
    table = Table("id", "source", "name", "starts", "created", "by", "status", title="Write keys")
    for key in write_keys:
        table.add_row(
            str(key["id"]), escape(key["source"]), escape(key["name"]), key["key_prefix"],
            when(key["created_at"]), escape(key["created_by"]), _status(key),
        )  # fmt: skip
    cli.console.print(table)


def _status(key: dict[str, Any]) -> str:
    return "live" if key["revoked_at"] is None else f"revoked {when(key['revoked_at'])}"


@keys_app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    key_id: Annotated[int, typer.Argument(help="The key's id (see `kimlik keys list`).", min=1)],
    write: Annotated[bool, typer.Option("--write", help="ID is a write key's.")] = False,
) -> None:
    """Revoke a key at once (a server may accept a write key for up to 30 s more)."""
    from kimlik.access import admin

    cli = state(ctx)
    kind = "write key" if write else "API key"
    revoke = admin.revoke_write_key if write else admin.revoke_api_key
    with reported(cli.err):
        found = revoke(checked_engine(cli), cli_principal(), key_id)
    if not found:
        cli.err.print(f"[bold red]error:[/] no {kind} {key_id}")
        raise typer.Exit(EXIT_FAILED)
    cli.console.print(f"revoked {kind} {key_id}")
