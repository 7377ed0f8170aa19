"""``kimlik profiles show``: the single customer view in the terminal (or as JSON)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kimlik.cli.app import state
from kimlik.cli.errors import reported

if TYPE_CHECKING:
    from kimlik.profiles.service import ProfileView
    from kimlik.profiles.timeline import KeyFigures, TimelineEntry

#: The text view lists at most this many timeline entries (the newest); JSON has them all.
TIMELINE_ROWS = 200
MISSING = "[dim]—[/]"

profiles_app = typer.Typer(
    no_args_is_help=True, help="Profiles: one golden record per person, with its history."
)


class Format(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(profiles_app, name="profiles")


@profiles_app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID_OR_EMAIL",
            help="Profile id, email, phone with country code (+90...) or source:record_id.",
        ),
    ],
    output_format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
) -> None:
    """The single customer view: golden record with lineage, records side by side, timeline."""
    from kimlik.profiles.service import get_profile

    cli = state(ctx)
    with reported(cli.err):
        view = get_profile(cli.engine, ref)
    if output_format is Format.json:
        typer.echo(orjson.dumps(view.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        render_profile(cli.console, view)


def render_profile(console: Console, view: ProfileView) -> None:
    """Golden record, identities, key figures, member records side by side, timeline."""
    title = f"[bold]profile {view.id}[/]" + (f" · {escape(view.name)}" if view.name else "")
    console.rule(title)
    if view.redirected_from is not None:
        console.print(
            f"[yellow]profile {view.redirected_from} was merged into profile {view.id}[/]"
        )
    console.print(
        f"{view.record_count:,} source record(s) · created {_show(view.created_at)} "
        f"· updated {_show(view.updated_at)}"
    )
    console.print(_golden_table(view))
    identities = " · ".join(
        f"{i.kind} {escape(i.value)}" + (f" (×{i.records})" if i.records > 1 else "")
        for i in view.identities
    )
    console.print(f"[bold]identities[/]: {identities or MISSING}")
    console.print(f"[bold]key figures[/]: {_figures(view.figures)}")
    console.print(_members_table(view))
    console.print(_timeline_table(view.timeline))


def _golden_table(view: ProfileView) -> Table:
    table = Table(title="golden record", title_justify="left")
    for heading in ("attribute", "value", "from"):
        table.add_column(heading)
    for golden in view.golden:
        origin = f"{golden.source}/{golden.record_id} ({golden.rule})" if golden.source else ""
        table.add_row(golden.name, escape(_show(golden.value)), escape(origin))
    return table


def _figures(figures: KeyFigures) -> str:
    spent = ", ".join(
        f"{amount:,} {currency}".rstrip() for currency, amount in figures.total_spent.items()
    )
    nps = MISSING
    if figures.latest_nps is not None:
        when = _day(figures.latest_nps_at)
        where = ", ".join(p for p in (figures.latest_nps_survey, when) if p)
        nps = f"{figures.latest_nps}" + (f" ({escape(where)})" if where else "")
    return (
        f"first seen {_day(figures.first_seen) or MISSING} · "
        f"last seen {_day(figures.last_seen) or MISSING} · "
        f"orders {figures.orders:,} · spent {escape(spent) or '0'} · latest NPS {nps}"
    )


def _members_table(view: ProfileView) -> Table:
    """One column per member record, one row per attribute; disagreements highlighted."""
    from kimlik.profiles.rules import PERSON_ATTRIBUTES  # pydantic and YAML: not at start-up

    table = Table(
        title=f"source records ({len(view.members)}); ≠ marks values that differ",
        title_justify="left",
    )
    table.add_column("attribute")
    for member in view.members:
        table.add_column(escape(f"{member.source}/{member.record_id}"))
    differing = view.differing()
    for name in PERSON_ATTRIBUTES:
        values = [m.attributes.get(name) for m in view.members]
        if all(v is None for v in values):
            continue
        style = "bold yellow" if name in differing else ""
        cells = [_cell(v, style) for v in values]
        table.add_row(f"[{style}]{name} ≠[/]" if style else name, *cells)
    custom = sorted({key for m in view.members for key in m.custom})
    if custom:
        table.add_section()
        for key in custom:
            cells = [_cell(m.custom.get(key), "") for m in view.members]
            table.add_row(escape(key), *cells)
    table.add_section()
    table.add_row(
        "[dim]linked by[/]",
        *(
            f"[dim]{m.linked_by}" + (f" {m.weight:.1f}" if m.weight is not None else "") + "[/]"
            for m in view.members
        ),
    )
    return table


def _timeline_table(timeline: list[TimelineEntry]) -> Table:
    shown = timeline[-TIMELINE_ROWS:]
    hidden = len(timeline) - len(shown)
    entries = "1 entry" if len(timeline) == 1 else f"{len(timeline):,} entries"
    title = f"timeline ({entries}, oldest first)"
    if hidden:
        title += f"; the {hidden} oldest not shown (use --format json)"
    table = Table(title=title, title_justify="left")
    for heading in ("when", "what", "record", "details"):
        table.add_column(heading)
    for entry in shown:
        record = f"{entry.source}/{entry.record_id}" if entry.source else ""
        table.add_row(
            _show(entry.at), entry.kind, escape(record), escape(_details(entry.kind, entry.details))
        )
    return table


def _details(kind: str, d: dict[str, Any]) -> str:
    """One line per timeline entry; missing parts are left out."""
    match kind:
        case "order":
            money = " ".join(str(p) for p in (d.get("total"), d.get("currency")) if p is not None)
            parts = [f"{d.get('items', 0)} item(s)", money, d.get("status"), d.get("channel")]
        case "interaction":
            outcome = f"→ {d['outcome']}" if d.get("outcome") else None
            parts = [d.get(k) for k in ("channel", "department", "agent", "reason")] + [outcome]
        case "feedback":
            score = f"score {d['score']}" if d.get("score") is not None else None
            comment = f'"{d["comment"]}"' if d.get("comment") else None
            parts = [d.get("survey"), score, comment]
        case "consent":
            parts = [d.get("purpose"), d.get("channel"), d.get("status")]
        case "event":
            values = d.get("properties") or d.get("traits") or {}
            shown = ", ".join(f"{k}={v}" for k, v in list(values.items())[:4])
            parts = [d.get("type"), d.get("event"), shown]
        case _:
            if d.get("action") == "merge" and d.get("other_profile_id") is not None:
                what = f"merge: profile {d['other_profile_id']} into {d['profile_id']}"
            else:
                what = f"{d.get('action')}: profile {d.get('profile_id')}"
            records = f"{d['records']} record(s)" if d.get("records") else None
            parts = [what, records, f"by {d.get('actor')}"]
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def _cell(value: Any, style: str) -> str:
    if value is None:
        return MISSING
    text = escape(_show(value))
    return f"[{style}]{text}[/]" if style else text


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


def _day(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d}"
