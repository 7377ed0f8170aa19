"""``kimlik users``: the people who sign in to the web UI and the API, and their roles.

Every change is written to the audit log as done by ``cli:<OS user>``.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kimlik.cli.actor import cli_principal
from kimlik.cli.app import CliState, state
from kimlik.cli.errors import EXIT_FAILED, reported

if TYPE_CHECKING:
    from sqlalchemy import Engine

users_app = typer.Typer(
    no_args_is_help=True, help="Users of the web UI and API: create, list, set roles, disable."
)
#: The roles of ``kimlik.access.permissions.ROLES``, for help texts (a test keeps them equal).
ROLE_NAMES = ("admin", "analyst", "agent", "marketer")
#: The permissions of ``kimlik.access.permissions.Permission``: API key scopes.
SCOPE_NAMES = (
    "profiles.read", "profiles.personal", "identity.decide", "records.write", "imports.read",
    "imports.run",
    "quality.read", "sources.manage", "users.manage", "audit.read",
)  # fmt: skip
UserId = Annotated[int, typer.Argument(help="The user's id (see `kimlik users list`).", min=1)]
Format = Annotated[str, typer.Option("--format", help="text or json.")]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def checked_engine(cli: CliState) -> Engine:
    """The store, refused with one line when its schema is missing or old."""
    from kimlik.store.migrate import require_current

    require_current(cli.engine)
    return cli.engine


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise typer.BadParameter("no password on standard input", param_hint="--password-stdin")
    return password


@users_app.command("create")
def create_command(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Sign-in email address.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLE_NAMES)}.")],
    name: Annotated[str, typer.Option("--name", help="Display name (default: the email).")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
) -> None:
    """Create a user; the password is asked twice, hidden (or read with --password-stdin)."""
    from kimlik.access.admin import add_user

    cli = state(ctx)
    with reported(cli.err):
        engine = checked_engine(cli)  # before asking for a password it could not store
        password = _password(password_stdin)
        user = add_user(
            engine, cli_principal(), email=email, name=name, role=role, password=password
        )
    cli.console.print(
        f"created user {user['id']}: {escape(user['email'])} ({user['role']})", highlight=False
    )


@users_app.command("list")
def list_command(ctx: typer.Context, format: Format = "text") -> None:
    """Every user with role and status; never a password hash."""
    from kimlik.access.admin import list_users
    from kimlik.jsonable import jsonable

    cli = state(ctx)
    with reported(cli.err):
        users = list_users(checked_engine(cli))
    if format == "json":
        cli.console.out(json.dumps(jsonable(users), ensure_ascii=False), highlight=False)
        return
    table = Table("id", "email", "name", "role", "status", "created", "last sign-in")
    for user in users:
        table.add_row(
            str(user["id"]),
            escape(user["email"]),
            escape(user["name"]),
            user["role"],
            "disabled" if user["disabled"] else "active",
            when(user["created_at"]),
            when(user["last_login_at"]),
        )
    cli.console.print(table if users else "no users yet: kimlik users create EMAIL --role admin")


def when(moment: Any) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _change(ctx: typer.Context, user_id: int, **change: Any) -> None:
    from kimlik.access.admin import change_user

    cli = state(ctx)
    with reported(cli.err):
        user = change_user(checked_engine(cli), cli_principal(), user_id, **change)
    if user is None:
        cli.err.print(f"[bold red]error:[/] no user {user_id}")
        raise typer.Exit(EXIT_FAILED)
    status = "disabled" if user["disabled"] else "active"
    cli.console.print(
        f"user {user_id}: {escape(user['email'])}, {user['role']}, {status}", highlight=False
    )


@users_app.command("set-role")
def set_role_command(
    ctx: typer.Context,
    user_id: UserId,
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLE_NAMES)}.")],
) -> None:
    """Give a user another role; it applies to their next request."""
    _change(ctx, user_id, role=role)


@users_app.command("disable")
def disable_command(ctx: typer.Context, user_id: UserId) -> None:
    """Stop a user signing in; their sessions end at once."""
    _change(ctx, user_id, disabled=True)


@users_app.command("enable")
def enable_command(ctx: typer.Context, user_id: UserId) -> None:
    """Let a disabled user sign in again."""
    _change(ctx, user_id, disabled=False)
