"""``kimlik demo``: the journey so far on bundled sample data from several apps."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from kimlik.cli.app import state
from kimlik.cli.errors import reported
from kimlik.cli.import_cmd import render_result
from kimlik.cli.quality_cmd import render_report
from kimlik.ingest.service import ImportRequest, import_file
from kimlik.quality.service import build_report
from kimlik.store.engine import describe
from kimlik.store.migrate import upgrade

#: (file, source, kind, region) in the order a business would load them.
DEMO_FILES: tuple[tuple[str, str, str, str | None], ...] = (
    ("crm_contacts.csv", "crm", "people", "TR"),
    ("webshop_orders.csv", "webshop", "orders", "TR"),
    ("webshop_customers.jsonl", "webshop", "people", "TR"),
    ("webshop_order_items.csv", "webshop", "order_items", None),
    ("support_tickets.csv", "support", "interactions", "TR"),
    ("support_customers.csv", "support", "people", "US"),
)


def demo_data_dir() -> Path:
    """Where the bundled sample files live inside the installed package."""
    return Path(str(resources.files("kimlik.demo") / "data"))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """Create the schema, import the bundled multi-source sample, and report on its quality."""
    cli = state(ctx)
    data = demo_data_dir()
    with reported(cli.err):
        upgrade(cli.engine)
        cli.console.print(f"Database: {describe(cli.engine)}\n")
        for name, source, kind, region in DEMO_FILES:
            request = ImportRequest(path=data / name, source=source, kind=kind, region=region)
            render_result(cli.console, request.path, import_file(cli.engine, cli.settings, request))
            cli.console.print()
        render_report(cli.console, build_report(cli.engine))
    cli.console.print(
        "\nNext: `kimlik import your-export.csv --source crm`, then `kimlik quality`. "
        "Run `kimlik demo` again: every file is unchanged the second time."
    )
