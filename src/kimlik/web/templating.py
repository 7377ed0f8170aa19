"""Rendering: one Jinja2 environment, autoescaped, loading templates from the package."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from kimlik import __version__

#: Headers every page carries: no framing by other sites, no sniffing, no referrer
#: leaking a profile id to another host, and scripts and styles from this server only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kimlik.web", "templates"),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["moment"] = moment
    env.filters["day"] = day
    env.filters["number"] = number
    env.filters["percent"] = percent
    return env


def render(template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The page ``template`` filled with ``context``, with the security headers."""
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def moment(value: Any) -> str:
    """An ISO moment as people read it (UTC, to the minute); anything else as it is."""
    parsed = _parsed(value)
    if parsed is None:
        return "" if value is None else str(value)
    return parsed.strftime("%Y-%m-%d %H:%M") + " UTC"


def day(value: Any) -> str:
    parsed = _parsed(value)
    if parsed is None:
        return "" if value is None else str(value)
    return parsed.strftime("%Y-%m-%d")


def number(value: Any) -> str:
    """Thousands grouped with a thin space, so 1,000,000 reads in any locale."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", "\u202f")
    try:
        return f"{int(value):,}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return str(value)


def percent(value: Any) -> str:
    """A ratio in 0..1 as a percentage with one decimal."""
    if value is None:
        return ""
    return f"{float(value) * 100:.1f}%"


def _parsed(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed
    return None
