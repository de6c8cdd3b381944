"""Small inline SVG line charts of a build-log measurement over time.

The build-log page shows, say, gas production rising over the weeks a digester warms up.
The chart is plain SVG markup written into the page: no JavaScript and nothing fetched, so it
costs nothing extra on a slow mobile connection and works where scripts do not. Coordinates
are rounded to one decimal to keep it small (about 3 KB for 30 points).

Numbers and dates on the axes are written with Babel in the reader's locale. Everything
textual (series name, unit, the translated labels passed in) is XML-escaped: series names and
units are typed by learners and are hostile. The chart is an ``img`` for assistive technology,
named by its ``<title>`` and described by a ``<desc>`` that reads out every point.

Pure: no Flask and no gettext. The caller passes labels already translated, and shows any
visible heading itself (a ``<figcaption>`` or heading), since ``<title>`` is not drawn.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from xml.sax.saxutils import escape

from babel.dates import format_date

from peerlearn.assignments.measurements import Series, format_value

__all__ = ["line_chart_svg", "nice_ticks"]

#: Multipliers of a power of ten that make axis steps people read at a glance.
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
_MAX_TICKS = 6
_FONT_SIZE = 11
#: Rough width of one character at the font size, to lay out labels without measuring text.
_CHAR_WIDTH = 6.2
#: Room each date label on the x axis needs, e.g. "10 sept 2024" or "Sep 10, 2024".
_DATE_LABEL_SPACING = 90
_MARGIN_TOP = 12
_MARGIN_RIGHT = 40
_MARGIN_BOTTOM = 44
_MIN_WIDTH = 200
_MIN_HEIGHT = 120
_TEXT = "#333"
_AXIS = "#555"
_GRID = "#ddd"
_LINE = "#1f6f8b"
# Characters XML 1.0 cannot hold even escaped; they are dropped from any text shown.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _text(value: str) -> str:
    """``value`` safe as XML character data: invalid characters dropped, markup escaped."""
    return escape(_NOT_XML.sub("", value))


def _num(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0" or a "-0"."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0"
    return f"{rounded:.1f}".removesuffix(".0")


def _shorten(label: str, max_chars: int) -> str:
    """``label`` cut to ``max_chars`` with an ellipsis, so an axis label stays on the chart."""
    if len(label) <= max_chars:
        return label
    return label[: max(1, max_chars - 1)].rstrip() + "…"


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent, so "2.50" and "1E+2" label as 2.5, 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def nice_ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    """3 to 6 evenly spaced round values covering ``low``..``high``, for a y axis.

    The step is 1, 2, 2.5 or 5 times a power of ten: the smallest such step that covers the
    range in at most six ticks. A flat range (``low == high``) is widened around the value by
    a tenth of it (or by 1 around zero), so a steady 24 °C still gets a readable axis.
    Decimal arithmetic keeps labels exact (0.3, never 0.30000000000000004).
    """
    if low > high:
        low, high = high, low
    if low == high:
        spread = abs(low) / 10 if low else Decimal(1)
        low, high = low - spread, high + spread
    # Start where a step gives more than ten ticks and walk up to the first that gives at
    # most six. Each step is at most twice the one before, so the first step that fits still
    # gives at least three ticks: the one before needed seven or more.
    exponent = math.floor(math.log10(float(high - low))) - 1
    while True:
        power = Decimal(10) ** exponent
        for multiplier in _NICE_STEPS:
            step = multiplier * power
            first = (low / step).to_integral_value(ROUND_FLOOR) * step
            last = (high / step).to_integral_value(ROUND_CEILING) * step
            count = int((last - first) / step) + 1
            if count <= _MAX_TICKS:
                return [_plain(first + step * index) for index in range(count)]
        exponent += 1


def _date_ticks(first: date, last: date, max_labels: int) -> list[date]:
    """Up to ``max_labels`` evenly spread dates from ``first`` to ``last``, both included."""
    span = (last - first).days
    count = min(max(1, max_labels), span + 1)
    if count == 1:
        return [first]
    days = sorted({round(index * span / (count - 1)) for index in range(count)})
    return [first + timedelta(days=day) for day in days]


def line_chart_svg(
    series: Series,
    *,
    locale: str,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 480,
    height: int = 240,
    chart_id: str | None = None,
) -> str:
    """An inline SVG line chart of ``series`` over time, for a build-log page.

    ``title``, ``x_label`` and ``y_label`` come translated from the caller; the series' unit
    is added to the y label ("Gas production (m³/day)"). Values and dates are formatted for
    ``locale``. ``chart_id`` prefixes the ids that ``aria-labelledby`` points at; by default
    it is derived from the chart's content, so two different charts on a page never clash.

    A series of one point, a flat series and a series within a single day are drawn (the
    x axis then shows that one date in the middle). Raises ValueError for a series with no
    points, a size too small to draw in, or a ``chart_id`` that is not a plain identifier.
    """
    points = sorted(series.points, key=lambda point: point[0])
    if not points:
        raise ValueError("a chart needs at least one point")
    if width < _MIN_WIDTH or height < _MIN_HEIGHT:
        raise ValueError(f"a chart needs at least {_MIN_WIDTH} by {_MIN_HEIGHT} pixels")
    if chart_id is None:
        digest = hashlib.sha1(
            repr((series, title, x_label, y_label, locale)).encode(), usedforsecurity=False
        )
        chart_id = "chart-" + digest.hexdigest()[:10]
    elif not _CHART_ID.fullmatch(chart_id):
        raise ValueError("chart_id must be a letter followed by letters, digits, - or _")

    locale = locale.replace("-", "_")  # Babel spells "pt-BR" as "pt_BR"
    values = [value for _, value in points]
    ticks = nice_ticks(min(values), max(values))
    tick_labels = [format_value(tick, locale) for tick in ticks]
    low, high = float(ticks[0]), float(ticks[-1])

    # Left margin: room for the widest tick label plus the rotated y-axis label, and at least
    # half of the first date label, which is centred on the y axis.
    left = max(48, 22 + _CHAR_WIDTH * max(len(label) for label in tick_labels))
    top = _MARGIN_TOP
    plot_width = width - left - _MARGIN_RIGHT
    plot_height = height - top - _MARGIN_BOTTOM
    bottom = top + plot_height
    right = left + plot_width

    first_day, last_day = points[0][0], points[-1][0]
    span_days = (last_day - first_day).days

    def x_of(day: date) -> float:
        if span_days == 0:
            return left + plot_width / 2
        return left + plot_width * (day - first_day).days / span_days

    def y_of(value: Decimal | float) -> float:
        return bottom - plot_height * (float(value) - low) / (high - low)

    unit = series.unit
    title_id, desc_id = f"{chart_id}-t", f"{chart_id}-d"
    description = "; ".join(
        f"{format_date(day, 'medium', locale=locale)}: {format_value(value, locale)}"
        + (f" {unit}" if unit else "")
        for day, value in points
    )

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}"'
        f' font-family="sans-serif" font-size="{_FONT_SIZE}" fill="{_TEXT}">',
        f'<title id="{title_id}">{_text(title)}</title>',
        f'<desc id="{desc_id}">{_text(description)}.</desc>',
    ]

    # Horizontal grid lines with their value labels; a darker line marks zero.
    grid: list[str] = []
    labels: list[str] = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = _num(y_of(tick))
        grid.append(f"M{_num(left)} {y}H{_num(right)}")
        labels.append(f'<text x="{_num(left - 6)}" y="{y}" dy="0.32em">{_text(label)}</text>')
    parts.append(f'<path d="{"".join(grid)}" stroke="{_GRID}" fill="none"/>')
    if ticks[0] < 0 < ticks[-1]:
        zero = _num(y_of(0))
        parts.append(f'<path d="M{_num(left)} {zero}H{_num(right)}" stroke="{_AXIS}"/>')
    parts.append(f'<g text-anchor="end">{"".join(labels)}</g>')

    # Axes: the y axis on the left, the x axis along the bottom of the plot.
    parts.append(
        f'<path d="M{_num(left)} {top}V{_num(bottom)}H{_num(right)}" stroke="{_AXIS}" fill="none"/>'
    )

    # Date labels under the x axis.
    max_labels = int(plot_width // _DATE_LABEL_SPACING)
    date_labels = [
        f'<text x="{_num(x_of(day))}" y="{_num(bottom + 16)}">'
        f"{_text(format_date(day, 'medium', locale=locale))}</text>"
        for day in _date_ticks(first_day, last_day, max_labels)
    ]
    parts.append(f'<g text-anchor="middle">{"".join(date_labels)}')

    # Axis labels: x centred under the dates, y rotated along the left edge.
    # A long label is shortened, never the unit: the unit is what makes the axis readable.
    x_chars = int(plot_width // _CHAR_WIDTH)
    unit_suffix = f" ({unit})" if unit else ""
    y_chars = int(plot_height // _CHAR_WIDTH) - len(unit_suffix)
    full_y_label = _shorten(y_label, y_chars) + unit_suffix
    parts.append(
        f'<text x="{_num(left + plot_width / 2)}" y="{height - 6}">'
        f"{_text(_shorten(x_label, x_chars))}</text>"
    )
    parts.append(
        f'<text transform="rotate(-90)" x="{_num(-(top + plot_height / 2))}" y="12">'
        f"{_text(full_y_label)}</text></g>"
    )

    # The line, then a marker on every reading so single points and steps stay visible.
    coordinates = [(_num(x_of(day)), _num(y_of(value))) for day, value in points]
    parts.append(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in coordinates)}"'
        f' fill="none" stroke="{_LINE}" stroke-width="2"/>'
    )
    markers = "".join(f'<circle cx="{x}" cy="{y}" r="3"/>' for x, y in coordinates)
    parts.append(f'<g fill="{_LINE}">{markers}</g>')
    parts.append("</svg>")
    return "".join(parts)
