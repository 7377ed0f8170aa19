"""Charts drawn on the server as SVG: no chart library, no script, nothing from another site.

Why SVG text: it prints, zooms and works without JavaScript. Every chart names itself
(``role="img"`` with ``<title>`` and ``<desc>``) and writes each value as text beside its
bar, and the pages show the same numbers in a table, so neither a screen reader nor a
colour-blind reader depends on the bars. Labels are user data (source names, reason codes)
and are escaped here, whatever the caller passes. Colours reach WCAG AA against white:
ink 16:1, bars 6.7:1 (blue) and 8.6:1 (red) as graphics need 3:1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

INK = "#1b1f24"
MUTED = "#57606a"
TRACK = "#eaeef2"
TONES = {"": "#1d4ed8", "bad": "#a40e26", "good": "#116329"}
#: Average glyph width of the 13 px system font, used to size the label column.
CHAR_WIDTH = 7.2
FONT_SIZE = 13


def _ratio(value: float) -> float:
    """``value`` clamped to 0..1; anything that is not a number counts as 0."""
    if not _finite(value):
        return 0.0
    return min(max(float(value), 0.0), 1.0)


def _tone(tone: str) -> str:
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}; use one of {sorted(TONES)}")
    return tone


def _ident(ident: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", ident).strip("-")
    if not cleaned:
        raise ValueError("a chart needs an id made of letters, digits, - or _")
    return "chart-" + cleaned


def meter(ratio: float, *, width: int = 64, height: int = 8, tone: str = "") -> Markup:
    """A small bar for a table cell, showing a share of 0..1.

    Hidden from assistive technology on purpose: the cell writes the same number as text
    next to it, and reading it twice would be noise.
    """
    share = _ratio(ratio)
    filled = round(width * share, 1)
    css = f"bar {_tone(tone)}".strip()
    return Markup(
        f'<svg class="meter" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect class="track" width="{width}" height="{height}" rx="2" fill="{TRACK}"/>'
        f'<rect class="{css}" width="{filled}" height="{height}" rx="2" '
        f'fill="{TONES[tone]}"/></svg>'
    )


def _fit(label: str, chars: int) -> str:
    """``label`` cut to ``chars`` characters with an ellipsis (the full one is in <title>)."""
    return label if len(label) <= chars else label[: max(chars - 1, 1)] + "…"


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    ident: str,
    title: str,
    description: str,
    tone: str = "",
    value_text: Callable[[float], str] = lambda value: f"{value:,.0f}",
    width: int = 360,
    row_height: int = 26,
) -> Markup:
    """Horizontal bars, one per (label, value), longest scale first as given.

    The label sits left of its bar and the value, as text, right of it. Labels longer than
    the label column are shortened on screen; each row's ``<title>`` keeps the whole one.
    Negative and non-finite values draw as zero; all zeros draw empty bars with their values.
    """
    element = _ident(ident)
    color = TONES[_tone(tone)]
    css = f"bar {tone}".strip()
    heading = (
        f'<title id="{element}-title">{escape(title)}</title>'
        f'<desc id="{element}-desc">{escape(description)}</desc>'
    )
    opening = (
        f'<svg class="chart" id="{element}" role="img" '
        f'aria-labelledby="{element}-title {element}-desc" xmlns="http://www.w3.org/2000/svg" '
    )
    if not bars:
        height = row_height + 8
        return Markup(
            f'{opening}viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'{heading}<text x="0" y="{row_height - 8}" fill="{MUTED}" '
            f'font-size="{FONT_SIZE}">Nothing to show</text></svg>'
        )
    values = [max(float(value), 0.0) if _finite(value) else 0.0 for _, value in bars]
    texts = [value_text(value) for value in values]
    longest_label = max(len(label) for label, _ in bars)
    label_width = min(longest_label * CHAR_WIDTH + 12, width * 0.42)
    label_chars = max(int((label_width - 12) / CHAR_WIDTH), 4)
    value_width = max(len(text) for text in texts) * CHAR_WIDTH + 10
    track = max(width - label_width - value_width, 40)
    scale = max(values) or 1.0
    height = len(bars) * row_height + 4
    rows = []
    for index, ((label, _), value, text) in enumerate(zip(bars, values, texts, strict=True)):
        top = index * row_height + 2
        middle = top + row_height / 2 + FONT_SIZE * 0.35
        length = round(track * value / scale, 1)
        rows.append(
            f'<g class="row"><title>{escape(label)}: {escape(text)}</title>'
            f'<text class="label" x="{label_width - 8:.1f}" y="{middle:.1f}" text-anchor="end" '
            f'fill="{INK}" font-size="{FONT_SIZE}">{escape(_fit(label, label_chars))}</text>'
            f'<rect class="{css}" x="{label_width:.1f}" y="{top + 4}" width="{length}" '
            f'height="{row_height - 8}" rx="2" fill="{color}"/>'
            f'<text class="value" x="{label_width + length + 6:.1f}" y="{middle:.1f}" '
            f'fill="{INK}" font-size="{FONT_SIZE}">{escape(text)}</text></g>'
        )
    axis = (
        f'<line x1="{label_width:.1f}" y1="0" x2="{label_width:.1f}" y2="{height}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    return Markup(
        f'{opening}viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"{heading}{axis}{''.join(rows)}</svg>"
    )


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
