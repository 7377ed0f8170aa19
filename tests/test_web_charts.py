"""Server-rendered SVG charts: sizes, escaping, and the awkward inputs (none, zero, 100%)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from kimlik.web.charts import TONES, bar_chart, meter

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: Markup) -> ET.Element:
    """The chart as XML: it must be well-formed whatever the labels were."""
    return ET.fromstring(str(markup))


def widths(svg: ET.Element, css: str = "bar") -> list[float]:
    return [float(r.get("width", "0")) for r in svg.iter() if r.get("class", "").startswith(css)]


def chart(bars: list[tuple[str, float]], **options: object) -> ET.Element:
    values = {"ident": "test", "title": "Rows", "description": "Rows by reason", **options}
    return parse(bar_chart(bars, **values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ratio", "filled"),
    [
        ("empty", 0.0),
        ("half", 32.0),
        ("full", 64.0),
        ("over 100% is clamped", 64.0),
        ("negative is clamped", 0.0),
        ("not a number", 0.0),
    ],
)
def test_meter_fills_its_share_of_the_width(ratio: str, filled: float) -> None:
    value = {"empty": 0, "half": 0.5, "full": 1.0, "over 100% is clamped": 1.7,
             "negative is clamped": -0.2, "not a number": float("nan")}[ratio]  # fmt: skip
    svg = parse(meter(value))
    assert svg.get("width") == "64" and svg.get("height") == "8"
    assert widths(svg, "bar") == [filled]


def test_a_meter_is_hidden_from_screen_readers_because_its_cell_says_the_number() -> None:
    svg = parse(meter(0.3))
    assert svg.get("aria-hidden") == "true"
    assert svg.get("focusable") == "false"


def test_tones_are_known() -> None:
    assert parse(meter(1, tone="bad")).find("rect[@class='bar bad']") is not None
    with pytest.raises(ValueError, match="unknown tone"):
        meter(1, tone="pink")


def test_a_bar_chart_names_itself_and_writes_every_value() -> None:
    svg = chart([("record_id.missing", 12), ("row.no_identity", 3)])
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-test-title chart-test-desc"
    assert svg.find(f"{SVG}title").text == "Rows"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Rows by reason"  # type: ignore[union-attr]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["record_id.missing", "12", "row.no_identity", "3"]
    rows = [t.text for t in svg.iter(f"{SVG}title")][1:]
    assert rows == ["record_id.missing: 12", "row.no_identity: 3"]


def test_the_largest_value_fills_the_track_and_the_others_scale() -> None:
    svg = chart([("a", 10), ("b", 5), ("c", 0)])
    full, half, none = widths(svg)
    assert full > 0 and half == pytest.approx(full / 2, abs=0.1) and none == 0


def test_the_chart_grows_one_row_per_bar() -> None:
    one = chart([("a", 1)], row_height=20)
    three = chart([("a", 1), ("b", 2), ("c", 3)], row_height=20)
    assert int(three.get("height", "0")) - int(one.get("height", "0")) == 40
    assert three.get("viewBox") == f"0 0 360 {three.get('height')}"


def test_labels_are_escaped_as_user_data() -> None:
    label = '<script>alert("x")</script> & "quotes"'
    markup = bar_chart([(label, 1)], ident="x", title="<b>T</b>", description="a & b")
    assert "<script>" not in markup and "<b>" not in markup
    svg = parse(markup)
    assert svg.find(f"{SVG}title").text == "<b>T</b>"  # type: ignore[union-attr]
    row_title = [t.text for t in svg.iter(f"{SVG}title")][1]
    assert row_title == f"{label}: 1"


def test_long_labels_are_shortened_on_screen_and_kept_whole_in_the_row_title() -> None:
    label = "source-" + "x" * 200
    svg = chart([(label, 1)])
    shown = next(t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "label")
    assert shown is not None and shown.endswith("…") and len(shown) < 60
    assert [t.text for t in svg.iter(f"{SVG}title")][1] == f"{label}: 1"


def test_all_zero_values_draw_empty_bars_with_their_numbers() -> None:
    svg = chart([("a", 0), ("b", 0)])
    assert widths(svg) == [0.0, 0.0]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"] == ["0", "0"]


def test_no_bars_says_there_is_nothing_to_show() -> None:
    svg = chart([])
    assert svg.get("role") == "img"
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["Nothing to show"]


def test_values_are_formatted_by_the_caller() -> None:
    svg = chart([("email", 1.0), ("phone", 0.25)], value_text=lambda v: f"{v:.0%}")
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["100%", "25%"]
    full, quarter = widths(svg)
    assert quarter == pytest.approx(full / 4, abs=0.1)


def test_ids_are_made_safe_and_required() -> None:
    svg = chart([("a", 1)], ident='rej"ected <x>')
    assert re.fullmatch(r"chart-[A-Za-z0-9_-]+", svg.get("id", ""))
    with pytest.raises(ValueError, match="id"):
        bar_chart([("a", 1)], ident="<>", title="t", description="d")


def test_colours_reach_aa_contrast_against_white() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in TONES.values():
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour
