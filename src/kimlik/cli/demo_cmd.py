"""``kimlik demo``: the journey so far on bundled sample data from several apps.

The sample is 300 synthetic people (households, twins, nicknames, typos, moved house,
married names) exported by a CRM, a webshop, a support desk and a newsletter tool, plus
their orders, tickets, consents and survey answers; ``scripts/make_demo_data.py``
regenerates it. ``manifest.json`` lists the files in the order a business would load them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from kimlik.cli.app import state
from kimlik.cli.errors import reported
from kimlik.demo.files import demo_data_dir, demo_files

if TYPE_CHECKING:
    from kimlik.demo.accounts import DemoSignIn


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """Import the bundled multi-source sample, report on its quality, resolve it into profiles."""
    # The whole journey, so every service; imported here to keep the other commands light.
    from kimlik.cli.import_cmd import render_result
    from kimlik.cli.profiles_cmd import render_profile
    from kimlik.cli.quality_cmd import render_report
    from kimlik.cli.resolve_cmd import render_result as render_resolve
    from kimlik.demo.accounts import demo_sign_ins
    from kimlik.identity.engine_settings import engine_settings
    from kimlik.identity.service import resolve
    from kimlik.ingest.service import ImportRequest, import_file
    from kimlik.profiles.repository import largest_profile
    from kimlik.profiles.service import get_profile
    from kimlik.quality.service import build_report
    from kimlik.store.engine import describe
    from kimlik.store.migrate import upgrade

    cli = state(ctx)
    data = demo_data_dir()
    with reported(cli.err):
        upgrade(cli.engine)
        cli.console.print(f"Database: {describe(cli.engine)}\n")
        for name, source, kind, region in demo_files():
            request = ImportRequest(path=data / name, source=source, kind=kind, region=region)
            render_result(cli.console, request.path, import_file(cli.engine, cli.settings, request))
            cli.console.print()
        render_report(cli.console, build_report(cli.engine))
        cli.console.print()
        resolved = resolve(cli.engine, engine_settings(cli.settings))
        render_resolve(cli.console, resolved)
        with cli.engine.connect() as connection:
            showcase = largest_profile(connection)
        if showcase is not None:
            cli.console.print("\n[bold]One customer's single view[/] (the most records):")
            render_profile(cli.console, get_profile(cli.engine, str(showcase)))
        sign_ins = demo_sign_ins(cli.engine)
    cli.console.print(
        f"\nNext: `kimlik profiles show {showcase}` shows that view again, "
        "`kimlik review list` the pairs the model was unsure about, "
        "`kimlik export profiles --output profiles.csv`. "
        "Run `kimlik demo` again: every file is unchanged and the resolve run is incremental."
    )
    render_sign_ins(cli.console, sign_ins, cli.settings.database_url)


def _program() -> str:
    """How this command was invoked (``.venv/bin/kimlik`` when the venv is not active), so
    the printed next command works as it is pasted."""
    invoked = Path(sys.argv[0])
    if invoked.name != "kimlik" or invoked.parent == Path():
        return "kimlik"
    if shutil.which("kimlik") == str(invoked.resolve()):
        return "kimlik"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)


def render_sign_ins(console: Console, sign_ins: list[DemoSignIn], database_url: str) -> None:
    """Where the web UI is and how to get in: the last thing the demo says."""
    from kimlik.config import DEFAULT_DATABASE_URL

    serve = f"{_program()} serve"
    if database_url != DEFAULT_DATABASE_URL:
        serve += " --database " + database_url
    first, *others = sign_ins
    console.print(
        f"\n[bold]See it in your browser:[/] run [bold]{serve}[/], open "
        f"[link]http://127.0.0.1:8000/[/link] and sign in as [bold]{first.email}[/] with "
        f"password [bold]{first.password}[/]"
    )
    for other in others:
        console.print(f"  or as {other.role}: {other.email} (same password)")
    console.print("Type a name, email or phone in the search box and open a customer.")
