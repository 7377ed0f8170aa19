"""``kimlik resolve``: link person records into profiles (incremental unless ``--full``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kimlik.cli.app import state
from kimlik.cli.errors import reported

if TYPE_CHECKING:
    from kimlik.identity.service import ResolveResult


def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve_command)


def resolve_command(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Re-score every pair and rebuild every profile.")
    ] = False,
    retrain: Annotated[
        bool, typer.Option("--retrain", help="Train a new model on the current records.")
    ] = False,
) -> None:
    """Link person records into profiles: one golden record per person."""
    from kimlik.identity.engine_settings import engine_settings
    from kimlik.identity.service import resolve
    from kimlik.profiles.rules import default_rules, load_rules

    cli = state(ctx)
    with reported(cli.err):
        path = cli.settings.survivorship_rules
        rules = load_rules(path) if path else default_rules()
        result = resolve(
            cli.engine, engine_settings(cli.settings), full=full, retrain=retrain, rules=rules
        )
    render_result(cli.console, result)


def render_result(console: Console, result: ResolveResult) -> None:
    """The run in a few lines."""
    model = {
        "trained": "trained a new model",
        "shipped": "used the shipped model (too few records to train on)",
    }.get(result.model_source, "reused the stored model")
    console.print(
        f"[bold]resolve[/] run {result.run_id}: {result.mode}, {model}, {result.seconds:.1f} s"
    )
    console.print(
        f"  records {result.records:,} (processed {result.processed:,}); "
        f"candidate pairs {result.candidate_pairs:,}; scored {result.scored_pairs:,}"
    )
    console.print(
        f"  links {result.links:,}; kept apart by conflicts {result.refused_links:,}; "
        f"open for review {result.review_open:,}"
    )
    console.print(
        f"  profiles {result.profiles:,} (created {result.created:,}, joined "
        f"{result.joined:,}, merged {result.merged:,}, split {result.split:,})"
    )
    if result.stages:
        spent = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.stages.items())
        console.print(f"  seconds: {spent}", style="dim")
