"""People stay in charge: ``kimlik merge``, ``unmerge``, ``never-merge``, ``review`` and
``decisions``. Each command stores a decision, writes the merge ledger and re-checks the
records concerned at once; ``kimlik decisions revoke`` takes any decision back."""

from __future__ import annotations

import getpass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kimlik.cli.app import CliState, state
from kimlik.cli.errors import reported

# The services load the matcher (DuckDB, pyarrow): each command imports them when it runs.
if TYPE_CHECKING:
    from kimlik.config import Settings
    from kimlik.identity.decisions import Decision
    from kimlik.identity.requests import Outcome, RecordView
    from kimlik.identity.review import ReviewItem
    from kimlik.profiles.rules import SurvivorshipRules
    from kimlik.resolve.engine import EngineSettings

review_app = typer.Typer(no_args_is_help=True, help="Pairs the model was unsure about.")
decisions_app = typer.Typer(no_args_is_help=True, help="People's merge and never-merge decisions.")


class ReviewStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    dismissed = "dismissed"
    resolved = "resolved"
    all = "all"


def engine_settings(settings: Settings) -> EngineSettings:
    """The matcher's settings; imported on use so ``--help`` loads no service."""
    from kimlik.identity.engine_settings import engine_settings as convert

    return convert(settings)


def register(app: typer.Typer) -> None:
    app.command("merge")(merge_command)
    app.command("unmerge")(unmerge_command)
    app.command("never-merge")(never_merge_command)
    app.add_typer(review_app, name="review")
    app.add_typer(decisions_app, name="decisions")


Actor = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who decides, for the ledger (default: your OS user name).",
        show_default=False,
    ),
]
Reason = Annotated[str | None, typer.Option("--reason", help="Why, kept with the decision.")]


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser() or "cli"
    except Exception:  # no user name in this environment (e.g. a container without one)
        return "cli"


def _rules(cli: CliState) -> SurvivorshipRules:
    from kimlik.profiles.rules import default_rules, load_rules

    path = cli.settings.survivorship_rules
    return load_rules(path) if path else default_rules()


def merge_command(
    ctx: typer.Context,
    profile_a: Annotated[str, typer.Argument(help="Profile id.", show_default=False)],
    profile_b: Annotated[str, typer.Argument(help="Profile id.", show_default=False)],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """Merge two profiles into one (kept by every later `resolve`, even `--full`)."""
    from kimlik.identity import decisions

    cli = state(ctx)
    with reported(cli.err):
        outcome = decisions.merge_profiles(
            cli.engine, engine_settings(cli.settings), profile_a, profile_b, _actor(actor),
            reason, rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"merged profiles {profile_a} and {profile_b}", outcome)


def unmerge_command(
    ctx: typer.Context,
    profile: Annotated[str, typer.Argument(help="Profile id.", show_default=False)],
    record: Annotated[
        str,
        typer.Argument(help="source:record_id (e.g. crm:C-001) or store id.", show_default=False),
    ],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """Split a record out of a profile; it never joins that profile's records again."""
    from kimlik.identity import decisions

    cli = state(ctx)
    with reported(cli.err):
        outcome = decisions.unmerge(
            cli.engine, engine_settings(cli.settings), profile, record, _actor(actor), reason,
            rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"split {record} out of profile {profile}", outcome)


def never_merge_command(
    ctx: typer.Context,
    record_a: Annotated[
        str, typer.Argument(help="source:record_id or store id.", show_default=False)
    ],
    record_b: Annotated[
        str, typer.Argument(help="source:record_id or store id.", show_default=False)
    ],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """Keep two records apart for good (split now if they share a profile)."""
    from kimlik.identity import decisions

    cli = state(ctx)
    with reported(cli.err):
        outcome = decisions.never_merge(
            cli.engine, engine_settings(cli.settings), record_a, record_b, _actor(actor), reason,
            rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"{record_a} and {record_b} are never merged", outcome)


@review_app.command("list")
def review_list_command(
    ctx: typer.Context,
    status: Annotated[
        ReviewStatus, typer.Option("--status", help="Which items.")
    ] = ReviewStatus.open,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
) -> None:
    """Pairs waiting for a person, both records side by side, strongest evidence first."""
    from kimlik.identity import review

    cli = state(ctx)
    with reported(cli.err):
        items = review.review_list(cli.engine, status.value, limit)
    render_review(cli.console, items, status.value)


@review_app.command("accept")
def review_accept_command(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="Review item id.", show_default=False)],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """The pair is one person: merge their profiles."""
    from kimlik.identity import review

    cli = state(ctx)
    with reported(cli.err):
        outcome = review.review_accept(
            cli.engine, engine_settings(cli.settings), item, _actor(actor), reason,
            rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"review item {item} accepted", outcome)


@review_app.command("reject")
def review_reject_command(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="Review item id.", show_default=False)],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """The pair is two people: never merge them."""
    from kimlik.identity import review

    cli = state(ctx)
    with reported(cli.err):
        outcome = review.review_reject(
            cli.engine, item, _actor(actor), reason,
            settings=engine_settings(cli.settings), rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"review item {item} rejected", outcome)


@review_app.command("dismiss")
def review_dismiss_command(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="Review item id.", show_default=False)],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """Not the same person as far as we know: close the item without a decision."""
    from kimlik.identity import review

    cli = state(ctx)
    with reported(cli.err):
        outcome = review.review_dismiss(cli.engine, item, _actor(actor), reason)
    render_outcome(cli.console, f"review item {item} dismissed", outcome)


@decisions_app.command("list")
def decisions_list_command(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Leave out revoked decisions.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
) -> None:
    """People's decisions, newest first."""
    from kimlik.identity import decisions

    cli = state(ctx)
    with reported(cli.err):
        rows = decisions.list_decisions(cli.engine, active_only=active, limit=limit)
    render_decisions(cli.console, rows)


@decisions_app.command("revoke")
def decisions_revoke_command(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Decision id(s).", show_default=False)],
    reason: Reason = None,
    actor: Actor = None,
) -> None:
    """Take decisions back and re-check their records."""
    from kimlik.identity import decisions

    cli = state(ctx)
    with reported(cli.err):
        outcome = decisions.revoke(
            cli.engine, engine_settings(cli.settings), ids, _actor(actor), reason,
            rules=_rules(cli),
        )  # fmt: skip
    render_outcome(cli.console, f"revoked decision(s) {', '.join(map(str, ids))}", outcome)


# --- output -----------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


def render_outcome(console: Console, headline: str, outcome: Outcome) -> None:
    """What was decided and where every record concerned sits now."""
    console.print(f"[bold]{escape(headline)}[/] (ledger entry {outcome.ledger_id})")
    if outcome.written:
        console.print(f"  decisions written: {', '.join(map(str, outcome.written))}")
    if outcome.written and not outcome.revoked:
        # One request may write several decisions (a merge pins every record): name them all.
        ids = " ".join(map(str, outcome.written))
        console.print(f"  take it back with: kimlik decisions revoke {ids}")
    if outcome.revoked:
        console.print(f"  decisions revoked: {', '.join(map(str, outcome.revoked))}")
    for rid, view in sorted(outcome.after.items()):
        before, now = outcome.before.get(rid), view.profile_id
        where = f"profile {now}" if before == now else f"profile {before} → [bold]{now}[/]"
        name = f" {escape(view.name)}" if view.name else ""
        console.print(f"  {escape(view.label)} (#{rid}){name}: {where}")
    if outcome.run is not None:
        run = outcome.run
        console.print(
            f"  re-checked {run.processed:,} records in resolve run {run.run_id}: "
            f"created {run.created}, merged {run.merged}, split {run.split}"
        )
    for note in outcome.notes:
        console.print(f"  [yellow]note:[/] {escape(note)}")


def _side(view: RecordView) -> str:
    lines = [f"[bold]{escape(view.label)}[/] (#{view.rid}, profile {_text(view.profile_id)})"]
    for name in ("name", "email", "phone", "birth_date", "city"):
        value = getattr(view, name)
        if value:
            lines.append(f"{name.replace('_', ' ')}: {escape(str(value))}")
    return "\n".join(lines)


def render_review(console: Console, items: list[ReviewItem], status: str) -> None:
    """Each item as one row: both records side by side, the evidence, the weight."""
    if not items:
        console.print(f"No {'' if status == 'all' else status + ' '}review items.")
        return
    table = Table("item", "weight", "record A", "record B", "evidence", "status", show_lines=True)
    for column in table.columns:
        column.overflow = "fold"
    for item in items:
        evidence = "\n".join(
            f"{name}: {escape(str(level))}" for name, level in item.evidence.items()
        )
        decided = f"\nby {escape(item.decided_by)}" if item.decided_by else ""
        table.add_row(
            str(item.id), f"{item.weight:.2f}", _side(item.left), _side(item.right), evidence,
            f"{item.status}{decided}",
        )  # fmt: skip
    console.print(table)
    if status == "open":
        console.print(
            "Decide with `kimlik review accept ITEM` (one person), `kimlik review reject ITEM` "
            "(never merge) or `kimlik review dismiss ITEM` (leave to the model)."
        )


def render_decisions(console: Console, rows: list[Decision]) -> None:
    if not rows:
        console.print("No decisions yet.")
        return
    table = Table("id", "kind", "records", "decided", "reason", "revoked")
    for column in table.columns[2:]:
        column.overflow = "fold"
    for row in rows:
        revoked = f"{row.revoked_by}\n{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else ""
        table.add_row(
            str(row.id), row.kind, f"{escape(row.left.label)}\n{escape(row.right.label)}",
            f"{escape(row.actor)}\n{row.created_at:%Y-%m-%d %H:%M}", _text(row.reason),
            escape(revoked),
        )  # fmt: skip
    console.print(table)
