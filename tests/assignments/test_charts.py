"""Build-log charts: small, safe, readable inline SVG in the reader's language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from peerlearn.assignments.charts import line_chart_svg, nice_ticks
from peerlearn.assignments.measurements import Series

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


def series_of(values, *, name="Gas production", unit="m³/day", start=date(2024, 9, 1), every=7):
    """A series with one reading every ``every`` days from ``start``."""
    points = tuple(
        (start + timedelta(days=every * index), Decimal(value))
        for index, value in enumerate(values)
    )
    return Series(name, unit, points)


def chart(series, locale="en", **labels):
    labels = {"title": series.name, "x_label": "Date", "y_label": "Gas production"} | labels
    return line_chart_svg(series, locale=locale, **labels)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def y_tick_labels(root: ET.Element) -> list[str]:
    [group] = [g for g in root.iter(f"{SVG}g") if g.get("text-anchor") == "end"]
    return ["".join(element.itertext()) for element in group]


def markers(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]


GAS = series_of(["0.5", "0.62", "0.8", "0.75", "1.1", "1.3", "1.25"])


# --- structure and accessibility -------------------------------------------------------------


def test_the_chart_is_well_formed_svg_named_and_described_for_screen_readers():
    root = parse(chart(GAS, title="Gas production at Maria's digester"))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    [title] = root.iter(f"{SVG}title")
    [desc] = root.iter(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Gas production at Maria's digester"


def test_the_description_reads_out_every_point_in_the_locale():
    [desc] = parse(chart(GAS, locale="es")).iter(f"{SVG}desc")
    assert desc.text.startswith("1 sept 2024: 0,5 m³/day; 8 sept 2024: 0,62 m³/day;")
    assert desc.text.count("m³/day") == len(GAS.points)


def test_there_is_a_line_and_one_marker_per_reading():
    root = parse(chart(GAS))
    [line] = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == len(GAS.points)
    assert len(markers(root)) == len(GAS.points)


def test_markers_rise_and_fall_with_the_values():
    positions = markers(parse(chart(GAS)))
    values = [value for _, value in GAS.points]
    assert [cx for cx, _ in positions] == sorted(cx for cx, _ in positions)
    for index in range(len(values) - 1):
        rises = values[index + 1] > values[index]
        assert (positions[index + 1][1] < positions[index][1]) == rises  # SVG y grows downwards


def test_axis_labels_carry_the_unit():
    all_text = texts(parse(chart(GAS, x_label="Fecha", y_label="Producción de gas")))
    assert "Fecha" in all_text
    assert "Producción de gas (m³/day)" in all_text


def test_a_long_axis_label_is_shortened_but_keeps_its_unit():
    series = series_of(["20", "24"], unit="°C")
    label = "Temperature of the slurry inside the main digester tank, measured at noon"
    [y_label] = [text for text in texts(parse(chart(series, y_label=label))) if "°C" in text]
    assert y_label.endswith("… (°C)")
    assert len(y_label) < len(label)


def test_a_series_without_unit_has_no_empty_brackets():
    series = series_of(["120", "240"], unit="")
    assert "Bricks laid" in texts(parse(chart(series, y_label="Bricks laid")))
    assert "()" not in chart(series)


def test_the_chart_is_self_contained():
    svg = chart(GAS)
    root = parse(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "path", "text", "polyline", "circle"}
    attributes = [name for element in root.iter() for name in element.attrib]
    assert not [name for name in attributes if "href" in name or name.startswith("on")]
    assert "url(" not in svg
    assert "<script" not in svg


# --- hostile text ----------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", [HOSTILE, '"&', "]]><x/>", "a\x00b\x1bc"])
def test_user_text_is_escaped_everywhere(hostile):
    series = series_of(["1", "2"], name=hostile, unit=hostile[:20])
    svg = chart(series, title=hostile, x_label=hostile, y_label=hostile)
    root = parse(svg)  # well-formed despite the input
    assert "<script" not in svg
    assert "<x/>" not in svg
    assert len(list(root.iter(f"{SVG}script"))) == 0
    assert len(list(root.iter(f"{SVG}x"))) == 0
    [title] = root.iter(f"{SVG}title")
    # What a reader sees is exactly what was typed, minus characters XML cannot hold.
    assert title.text == re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", hostile)


def test_the_script_tag_shows_as_text():
    svg = chart(series_of(["1", "2"], name=HOSTILE), title=HOSTILE)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_quotes_and_ampersands_in_labels():
    svg = chart(series_of(["1", "2"], unit='"&'), y_label='Gas "A" & B')
    assert 'Gas "A" &amp; B ("&amp;)' in svg
    assert 'Gas "A" & B ("&)' in texts(parse(svg))


# --- numbers and dates in the reader's language ----------------------------------------------


def test_spanish_tick_labels_use_a_decimal_comma():
    labels = y_tick_labels(parse(chart(GAS, locale="es")))
    assert "0,6" in labels
    assert not [label for label in labels if "." in label]


def test_english_tick_labels_use_a_decimal_point():
    labels = y_tick_labels(parse(chart(GAS, locale="en")))
    assert "0.6" in labels
    assert not [label for label in labels if "," in label]


def test_dates_are_written_with_spanish_month_names():
    series = series_of(["1", "2", "3"], start=date(2024, 5, 6), every=30)
    all_text = " ".join(texts(parse(chart(series, locale="es"))))
    assert "6 may 2024" in all_text
    assert "jul 2024" in all_text
    assert "May" not in all_text


def test_dates_are_written_with_french_month_names():
    all_text = " ".join(texts(parse(chart(GAS, locale="fr"))))
    assert "sept. 2024" in all_text


def test_hyphenated_locale_codes_work():
    assert "0,6" in y_tick_labels(parse(chart(GAS, locale="pt-BR")))


def test_date_labels_do_not_crowd_the_axis():
    daily = series_of([str(n) for n in range(90)], every=1)
    dates = [text for text in texts(parse(chart(daily))) if "2024" in text]
    assert 2 <= len(dates) <= 5
    assert dates[0] == "Sep 1, 2024"
    assert dates[-1] == "Nov 29, 2024"


# --- y axis ticks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ("0.5", "1.2", ["0.4", "0.6", "0.8", "1", "1.2"]),
        ("0", "1", ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        ("-3", "7", ["-5", "-2.5", "0", "2.5", "5", "7.5"]),
        ("18", "31", ["15", "20", "25", "30", "35"]),
        ("24", "24", ["20", "22", "24", "26", "28"]),
        ("0", "0", ["-1", "-0.5", "0", "0.5", "1"]),
        ("2.2", "2.2", ["1.8", "2", "2.2", "2.4", "2.6"]),  # widened by a tenth either side
        ("1.2", "0.5", ["0.4", "0.6", "0.8", "1", "1.2"]),  # the ends in either order
    ],
)
def test_nice_ticks(low, high, expected):
    assert nice_ticks(Decimal(low), Decimal(high)) == [Decimal(tick) for tick in expected]


NICE = {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (Decimal(low) / 1000, Decimal(low) / 1000 + Decimal(span) / 100)
        for low in (-123456, -7, 0, 3, 999, 40000)
        for span in (1, 3, 7, 13, 29, 61, 97, 250, 999, 4321, 100000)
    ]
    + [(Decimal("0.000001"), Decimal("0.000002")), (Decimal(-999999999999), Decimal(999999999999))],
)
def test_ticks_are_three_to_six_round_steps_covering_the_range(low, high):
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 6
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {b - a for a, b in pairwise(ticks)}
    assert len(steps) == 1
    [step] = steps
    mantissa = step.scaleb(-step.adjusted())
    assert mantissa.normalize() in NICE


# --- awkward series --------------------------------------------------------------------------


def test_a_flat_series_is_drawn_as_a_level_line_mid_axis():
    root = parse(chart(series_of(["24", "24", "24"], unit="°C")))
    heights = {cy for _, cy in markers(root)}
    assert len(heights) == 1
    assert "24" in y_tick_labels(root)
    assert 3 <= len(y_tick_labels(root)) <= 6


def test_negative_values_are_drawn_inside_the_plot():
    svg = chart(series_of(["-4.5", "-1", "2", "0.5"], unit="°C"))
    root = parse(svg)
    assert "-5" in y_tick_labels(root) or "-6" in y_tick_labels(root)
    [axis] = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#555" and "V" in p.get("d")]
    top, bottom = (float(n) for n in re.findall(r"[\d.]+", axis.get("d"))[1:3])
    assert all(top <= cy <= bottom for _, cy in markers(root))


def test_readings_on_a_single_day_share_one_date_label():
    series = series_of(["3", "4.5", "2"], every=0)
    root = parse(chart(series))
    assert len({cx for cx, _ in markers(root)}) == 1
    assert [text for text in texts(root) if "2024" in text] == ["Sep 1, 2024"]


def test_a_single_reading_is_drawn():
    root = parse(chart(series_of(["0.8"])))
    assert len(markers(root)) == 1


def test_no_readings_no_chart():
    with pytest.raises(ValueError, match="at least one point"):
        chart(Series("Gas", "m³/day", ()))


def test_too_small_to_draw():
    with pytest.raises(ValueError):
        line_chart_svg(GAS, locale="en", title="t", x_label="x", y_label="y", width=50)


def test_points_given_out_of_order_are_drawn_in_date_order():
    shuffled = Series(GAS.name, GAS.unit, tuple(reversed(GAS.points)))
    [line] = parse(chart(shuffled)).iter(f"{SVG}polyline")
    [expected] = parse(chart(GAS)).iter(f"{SVG}polyline")
    assert line.get("points") == expected.get("points")


def _chart_id(svg: str) -> str:
    return re.search(r'<title id="([\w-]+)-t"', svg).group(1)


# --- ids and size ----------------------------------------------------------------------------


def test_two_charts_on_a_page_have_different_ids():
    temperature = series_of(["22", "24"], name="Slurry temperature", unit="°C")
    assert _chart_id(chart(GAS)) != _chart_id(chart(temperature))


def test_a_chart_id_can_be_given_but_must_be_plain():
    svg = line_chart_svg(GAS, locale="en", title="t", x_label="x", y_label="y", chart_id="gas-1")
    assert 'aria-labelledby="gas-1-t gas-1-d"' in svg
    with pytest.raises(ValueError):
        line_chart_svg(GAS, locale="en", title="t", x_label="x", y_label="y", chart_id='x" onload')


def test_coordinates_are_rounded_to_one_decimal():
    svg = chart(series_of([str(Decimal(n) / 7) for n in range(1, 20)], every=3))
    numbers = re.findall(r'\b(?:cx|cy|x|y|points|d)="([^"]*)"', svg)
    assert numbers
    assert not [n for n in numbers if re.search(r"\.\d\d", n)]


def test_thirty_points_stay_under_four_kilobytes():
    values = [f"{0.4 + n * 0.037:.2f}" for n in range(30)]
    series = series_of(values, name=HOSTILE, every=2)
    svg = line_chart_svg(
        series,
        locale="es",
        title=HOSTILE,
        x_label="Fecha",
        y_label="Producción de gas",
    )
    parse(svg)
    assert len(markers(parse(svg))) == 30
    assert len(svg.encode()) < 4096
