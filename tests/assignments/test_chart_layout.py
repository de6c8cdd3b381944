"""Where things land on a build-log chart: plot area, markers, grid, zero line, labels (pure).

``test_charts.py`` covers content, escaping and locales; these pin the geometry a reader
sees: every reading inside the plot, the first and last at its edges, a grid line per tick
label, a zero line only when zero lies inside the axis, labels beside the axis.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest

from peerlearn.assignments.charts import _CHAR_WIDTH as CHAR_WIDTH
from peerlearn.assignments.charts import _num, _shorten, line_chart_svg
from peerlearn.assignments.measurements import Series

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

SVG = "{http://www.w3.org/2000/svg}"
START = date(2024, 9, 1)


def series_of(values, *, unit="m³/day", days=None, start=START):
    days = days if days is not None else [7 * i for i in range(len(values))]
    points = tuple(
        (start + timedelta(days=d), Decimal(v)) for d, v in zip(days, values, strict=True)
    )
    return Series("Gas", unit, points)


def draw(series, **kw) -> ET.Element:
    svg = line_chart_svg(series, locale="en", title="T", x_label="Date", y_label="Gas", **kw)
    return ET.fromstring(svg)


def plot_area(root: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, bottom, right) from the axes path "M left top V bottom H right"."""
    [axes] = [p for p in root.iter(f"{SVG}path") if p.get("d", "").count("V") == 1]
    left, top, bottom, right = map(float, re.fullmatch(
        r"M(-?[\d.]+) (-?[\d.]+)V(-?[\d.]+)H(-?[\d.]+)", axes.get("d")).groups())  # fmt: skip
    return left, top, bottom, right


def markers(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]


def grid_lines(root: ET.Element) -> list[tuple[float, float, float]]:
    """(x from, y, x to) of each horizontal grid line."""
    [grid] = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#ddd"]
    found = re.findall(r"M(-?[\d.]+) (-?[\d.]+)H(-?[\d.]+)", grid.get("d"))
    assert "".join(f"M{a} {b}H{c}" for a, b, c in found) == grid.get("d")
    return [(float(a), float(b), float(c)) for a, b, c in found]


def tick_labels(root: ET.Element) -> list[ET.Element]:
    [group] = [g for g in root.iter(f"{SVG}g") if g.get("text-anchor") == "end"]
    assert not (group.text or "").strip() and all(not (t.tail or "").strip() for t in group)
    return list(group)


def zero_lines(root: ET.Element) -> list[float]:
    return [
        float(re.fullmatch(r"M[\d.]+ (-?[\d.]+)H[\d.]+", p.get("d")).group(1))
        for p in root.iter(f"{SVG}path")
        if p.get("stroke") == "#555" and "V" not in p.get("d")
    ]


def test_the_chart_is_480_by_240_unless_told_and_everything_drawn_is_inside_it():
    root = draw(series_of(["0.5", "0.62", "0.4", "0.9"]))
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "480", "240", "0 0 480 240")  # fmt: skip
    left, top, bottom, right = plot_area(root)
    assert 0 < left < right < 480 and 0 < top < bottom < 240
    assert right == 480 - 40 and bottom == 240 - 44  # room for the last date and the axis label
    for text in root.iter(f"{SVG}text"):
        if text.get("transform") is None:
            assert 0 <= float(text.get("x")) <= 480 and 0 <= float(text.get("y")) <= 240


def test_readings_span_the_plot_from_the_first_date_to_the_last():
    root = draw(series_of(["1", "3", "2"], days=[0, 1, 10]))
    left, top, bottom, right = plot_area(root)
    xs = [x for x, _ in markers(root)]
    assert xs[0] == left and xs[-1] == right
    assert xs[1] == pytest.approx(left + (right - left) / 10, abs=0.1)
    assert all(top <= y <= bottom for _, y in markers(root))


def test_readings_of_a_single_day_stand_in_the_middle_in_the_order_given():
    root = draw(series_of(["5", "3"], days=[0, 0]))
    left, _, _, right = plot_area(root)
    (x1, y1), (x2, y2) = markers(root)
    assert x1 == x2 == pytest.approx((left + right) / 2, abs=0.1)
    assert y1 < y2  # 5 first, then 3, as given


def test_a_grid_line_crosses_the_plot_at_each_tick_label():
    root = draw(series_of(["12", "27", "19"]))
    left, top, bottom, right = plot_area(root)
    lines = grid_lines(root)
    labels = tick_labels(root)
    assert len(lines) == len(labels) >= 3
    for (x_from, y, x_to), label in zip(lines, labels, strict=True):
        assert (x_from, x_to) == (left, right) and top <= y <= bottom
        assert float(label.get("y")) == y and float(label.get("x")) < left  # beside the axis
    assert lines[0][1] == bottom and lines[-1][1] == top  # the ticks cover the plot


def test_the_widest_tick_label_moves_the_axis_right():
    narrow = plot_area(draw(series_of(["1", "2"])))[0]
    wide = plot_area(draw(series_of(["1000000", "2000000"])))[0]
    assert narrow == 48 and wide > narrow + 6.2 * 4


@pytest.mark.parametrize(
    ("values", "zero_line"),
    [
        (["-5", "5"], True),
        (["-0.5", "0.5"], True),
        (["-1", "10"], True),
        (["-9", "1"], True),
        (["0", "10"], False),  # zero is the bottom of the axis already
        (["-10", "0"], False),
        (["2", "9"], False),
    ],
)
def test_a_zero_line_is_drawn_only_where_zero_lies_inside_the_axis(values, zero_line):
    root = draw(series_of(values))
    found = zero_lines(root)
    assert bool(found) == zero_line
    if zero_line:
        [label] = [t for t in tick_labels(root) if t.text == "0"]
        assert found == [float(label.get("y"))]


def test_date_labels_stay_between_the_first_and_last_date_and_one_fits_a_narrow_chart():
    series = series_of(["1", "2", "3"], days=[0, 3, 30])
    root = draw(series)
    dates = [t.text for t in root.iter(f"{SVG}text") if t.text and "2024" in t.text]
    assert dates[0] == "Sep 1, 2024" and dates[-1] == "Oct 1, 2024" and len(dates) >= 3
    _, _, bottom, _ = plot_area(root)
    label_heights = {float(t.get("y")) for t in root.iter(f"{SVG}text") if "2024" in (t.text or "")}
    assert len(label_heights) == 1 and bottom < label_heights.pop() < 240  # under the axis
    narrow = draw(series, width=200)
    assert [t.text for t in narrow.iter(f"{SVG}text") if t.text and "2024" in t.text] == [
        "Sep 1, 2024"
    ]


def test_the_description_of_a_count_has_no_unit_and_no_stray_space():
    root = draw(series_of(["3", "4"], unit=""))
    [desc] = root.iter(f"{SVG}desc")
    assert desc.text == "Sep 1, 2024: 3; Sep 8, 2024: 4."


def test_the_smallest_chart_is_drawn_and_errors_say_what_is_wrong():
    assert draw(series_of(["1", "2"]), width=200, height=120).get("viewBox") == "0 0 200 120"
    with pytest.raises(ValueError, match=r"^a chart needs at least one point$"):
        draw(Series("Gas", "", ()))
    with pytest.raises(ValueError, match=r"^a chart needs at least 200 by 120 pixels$"):
        draw(series_of(["1"]), width=199)
    with pytest.raises(ValueError, match=r"^chart_id must be a letter followed by letters"):
        draw(series_of(["1"]), chart_id="1st")


def test_a_default_chart_id_is_chart_and_ten_hex_digits():
    root = draw(series_of(["1", "2"]))
    assert re.fullmatch(r"chart-[0-9a-f]{10}-t chart-[0-9a-f]{10}-d", root.get("aria-labelledby"))


def test_coordinates_have_one_decimal_at_most_and_never_a_minus_zero():
    assert [_num(v) for v in (12.0, 12.34, 12.35, 1.0, 0.0, -0.04, 0.04, -3.26)] == [
        "12", "12.3", "12.3", "1", "0", "0", "0", "-3.3"]  # fmt: skip


def test_a_shortened_label_ends_in_an_ellipsis_within_its_room():
    assert _shorten("digester", 8) == "digester"
    assert _shorten("digester", 7) == "digest…"
    assert _shorten("gas made", 5) == "gas…"  # no space before the ellipsis
    assert _shorten("digester", 1) == "d…"


def test_no_stray_text_between_the_elements_and_points_are_x_comma_y_pairs():
    root = draw(series_of(["1", "3", "2"], days=[0, 1, 10]))
    for element in root.iter():
        if element.tag not in {f"{SVG}text", f"{SVG}title", f"{SVG}desc"}:
            assert not (element.text or "").strip(), element.tag
        assert not (element.tail or "").strip(), element.tag
    [line] = root.iter(f"{SVG}polyline")
    assert re.fullmatch(r"-?[\d.]+,-?[\d.]+( -?[\d.]+,-?[\d.]+){2}", line.get("points"))


def test_the_axis_labels_are_centred_on_the_plot_and_fit_along_it() -> None:
    """The x label sits under the middle of the dates, the rotated y label beside the
    middle of the values; a long y label with its unit fits the plot's height."""
    label = "Temperature of the slurry inside the main digester tank, measured at noon"
    svg = line_chart_svg(
        series_of(["20", "24", "23"], unit="°C"), locale="en", title="T", x_label="Date",
        y_label=label,
    )  # fmt: skip
    root = ET.fromstring(svg)
    left, top, bottom, right = plot_area(root)
    [x_label] = [t for t in root.iter(f"{SVG}text") if t.text == "Date"]
    [y_label] = [t for t in root.iter(f"{SVG}text") if t.get("transform") == "rotate(-90)"]
    assert float(x_label.get("x")) == pytest.approx((left + right) / 2, abs=0.05)
    # Rotated by -90°, the label's x runs up the page: -x is its height on the chart.
    assert -float(y_label.get("x")) == pytest.approx((top + bottom) / 2, abs=0.05)
    assert y_label.text.endswith("… (°C)")
    assert len(y_label.text) * CHAR_WIDTH <= bottom - top
