"""Measurements in build logs: reading what learners type, and lining readings up over time.

A build-log entry may carry measurements such as "gas production 0.8 m³/day" or "slurry
temperature 24 °C". Learners type the number the way their language writes it ("0,8" in
Spanish, "1 234,5" in French), so values are read with Babel in the user's locale and kept as
:class:`~decimal.Decimal` — never float — so that what was typed is what is stored and shown.

When the same measurement is repeated across entries it becomes a :class:`Series`, which the
build-log page can chart (see :mod:`peerlearn.assignments.charts`) to show a digester warming
up or a panel's output dropping.

Pure: no Flask, no database. Errors carry a short ``code`` the form layer turns into a
translated message; this module has no gettext.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

__all__ = [
    "MAX_ABS_VALUE",
    "MAX_FRACTION_DIGITS",
    "MAX_NAME_LENGTH",
    "MAX_UNIT_LENGTH",
    "Measurement",
    "MeasurementError",
    "Series",
    "chartable",
    "format_value",
    "normalize_name",
    "normalize_unit",
    "parse_measurement",
    "parse_value",
    "series_from_entries",
]

#: Longest measurement name, in characters after whitespace is collapsed.
MAX_NAME_LENGTH = 60
#: Longest unit, in characters after whitespace is collapsed ("kWh/m²/day" fits easily).
MAX_UNIT_LENGTH = 20
#: Values must be strictly smaller than this in magnitude. Nothing a learner measures on a
#: digester, a solar system or a stove comes near it; anything bigger is a typo or a paste.
MAX_ABS_VALUE = Decimal("1e12")
#: More decimal places than this is not a measurement anyone took by hand, and would not fit
#: the column the value is stored in.
MAX_FRACTION_DIGITS = 6
#: Input longer than this is refused before Babel sees it.
_MAX_INPUT_LENGTH = 40

ErrorCode = Literal["empty", "not_a_number", "out_of_range", "too_long", "invalid_character"]
Field = Literal["name", "value", "unit"]


class MeasurementError(ValueError):
    """Input a person has to fix; ``code`` says what is wrong, ``field`` where.

    Codes: ``empty`` (nothing typed), ``not_a_number`` (not a number in the user's locale,
    including NaN and infinity), ``out_of_range`` (too big, too many decimal places, or far
    too long), ``too_long`` (name or unit over its length limit), ``invalid_character``
    (control characters in a name or unit).
    """

    def __init__(self, code: ErrorCode, field: Field = "value") -> None:
        super().__init__(f"{field}: {code}")
        self.code: ErrorCode = code
        self.field: Field = field


# The group separator of Swiss German and others; people type a plain "'" for it.
_APOSTROPHE = "\u2019"
# Spaces people type for digit grouping: plain, no-break, thin and narrow no-break.
_SPACES = " \u00a0\u2009\u202f"
# Apart from digits and the locale's own symbols, the only characters a number may contain.
# Anything else (letters, "e" exponents, "NaN", "inf", currency signs) is not a measurement.
_NUMBER_CHARS = frozenset("0123456789+-.,'" + _APOSTROPHE + _SPACES)
# The unambiguous "computer" form accepted in every locale as a fallback: digits, one dot,
# digits, with an optional leading sign and no grouping.
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+\.[0-9]+")
# C0/C1 controls and separators that have no place in a one-line label.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def _babel_locale(locale: str) -> Locale:
    """Babel's locale for an app locale code, accepting both "pt_BR" and "pt-BR"."""
    return Locale.parse(locale.replace("-", "_"))


def parse_value(text: str, locale: str) -> Decimal:
    """Read a measured value typed in ``locale``, the way people write numbers there.

    The rule, in order:

    1. Surrounding whitespace is ignored; nothing left is ``empty``.
    2. Only digits, signs, "." "," apostrophes and spaces are allowed, plus the locale's own
       symbols; so "abc", "NaN", "inf" and "1e5" are ``not_a_number``. A typographic minus
       (U+2212) counts as "-". In locales that group digits with a space (French), any kind of
       space works as the group separator, so "1 234,5" reads like Babel's "1\u202f234,5".
    3. The text is parsed strictly in the locale (Babel ``parse_decimal(strict=True)``):
       "0,8" in es, "0.8" in en, "1.234,5" in es, "1,234.5" in en. Misplaced group separators
       are refused rather than guessed at.
    4. If that fails and the text is a plain dot decimal ("0.8", "-12.75": digits, one dot,
       digits, no grouping), it is read as such in any locale. This is only reached when the
       locale cannot read the text, so it never changes a value the locale understands: in
       Spanish "1.234" is still one thousand two hundred and thirty-four, while "0.8" and
       "1.2345", which are not valid Spanish groupings, are read as decimals.
    5. The value must be smaller than :data:`MAX_ABS_VALUE` in magnitude and have at most
       :data:`MAX_FRACTION_DIGITS` significant decimal places, else ``out_of_range``.

    The returned Decimal keeps the precision typed ("0,80" gives ``Decimal("0.80")``); a
    negative zero is returned as zero.
    """
    stripped = text.strip()
    if not stripped:
        raise MeasurementError("empty")
    if len(stripped) > _MAX_INPUT_LENGTH:
        raise MeasurementError("out_of_range")
    babel_locale = _babel_locale(locale)
    symbols = babel_locale.number_symbols.get("latn", {})
    group = symbols.get("group", ",")
    decimal_sign = symbols.get("decimal", ".")
    minus = symbols.get("minusSign", "-")
    plus = symbols.get("plusSign", "+")

    # The locale's own signs first: Persian's minus is a left-to-right mark and U+2212, which
    # the plain U+2212 replacement below would split, leaving the mark behind.
    cleaned = stripped
    if minus != "-":
        cleaned = cleaned.replace(minus, "-")
    if plus != "+":
        cleaned = cleaned.replace(plus, "+")
    cleaned = cleaned.replace("\u2212", "-")
    if not set(cleaned) <= _NUMBER_CHARS | {group, decimal_sign}:
        raise MeasurementError("not_a_number")
    if group in _SPACES:
        cleaned = re.sub(f"[{_SPACES}]", group, cleaned)
    elif group == _APOSTROPHE:
        cleaned = cleaned.replace("'", _APOSTROPHE)

    value = _parse_in_locale(cleaned, babel_locale)
    if value is None and _PLAIN_DECIMAL.fullmatch(cleaned):
        value = Decimal(cleaned)
    if value is None or not value.is_finite():
        raise MeasurementError("not_a_number")
    if abs(value) >= MAX_ABS_VALUE:
        raise MeasurementError("out_of_range")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_FRACTION_DIGITS:
        raise MeasurementError("out_of_range")
    return abs(value) if value.is_zero() else value


def _parse_in_locale(text: str, locale: Locale) -> Decimal | None:
    """Babel's strict reading of ``text``, or None where Babel refuses it."""
    try:
        return parse_decimal(text, locale, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        return None


def format_value(value: Decimal, locale: str) -> str:
    """``value`` written the way ``locale`` writes numbers, with every decimal kept.

    Babel's default pattern rounds to three decimals; a measurement is shown as typed, so
    quantization is off ("0,0025" stays "0,0025").
    """
    return format_decimal(value, locale=_babel_locale(locale), decimal_quantization=False)


def _normalize_label(text: str, *, limit: int, field: Field) -> str:
    """One-line label: NFC, trimmed, inner whitespace collapsed to single spaces."""
    collapsed = " ".join(unicodedata.normalize("NFC", text).split())
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in collapsed):
        raise MeasurementError("invalid_character", field)
    if len(collapsed) > limit:
        raise MeasurementError("too_long", field)
    return collapsed


def normalize_name(name: str) -> str:
    """A measurement name as stored and shown: trimmed, whitespace collapsed, ≤ 60 characters.

    Case is kept as typed (grouping into series ignores it instead). Control characters are
    refused rather than stripped, so nothing invisible hides in a name.
    """
    normalized = _normalize_label(name, limit=MAX_NAME_LENGTH, field="name")
    if not normalized:
        raise MeasurementError("empty", "name")
    return normalized


def normalize_unit(unit: str) -> str:
    """A unit as stored and shown: trimmed, whitespace collapsed, ≤ 20 characters.

    Any printable character is allowed ("°C", "m³/day", "%", "kWh/m²") and case is kept,
    since it matters in units (mW is not MW). Unicode is NFC-normalized but not NFKC, which
    would turn "m³" into "m3". An empty unit is allowed and means a plain count ("bricks").
    """
    return _normalize_label(unit, limit=MAX_UNIT_LENGTH, field="unit")


@dataclass(frozen=True)
class Measurement:
    """One reading in a build-log entry, e.g. ``Measurement("gas production", 0.8, "m³/day")``.

    Build it from form input with :func:`parse_measurement`; the constructor only refuses
    values that are not finite, since those cannot be stored, compared or charted.
    """

    name: str
    value: Decimal
    unit: str = ""

    def __post_init__(self) -> None:
        if not self.value.is_finite():
            raise MeasurementError("not_a_number")


def parse_measurement(name: str, value: str, unit: str, locale: str) -> Measurement:
    """A :class:`Measurement` from the three form fields, each normalized and checked.

    Raises :class:`MeasurementError` whose ``field`` says which input to point the user at.
    """
    return Measurement(normalize_name(name), parse_value(value, locale), normalize_unit(unit))


@dataclass(frozen=True)
class Series:
    """One measurement over time: its name, unit and (date, value) points sorted by date."""

    name: str
    unit: str
    points: tuple[tuple[date, Decimal], ...]

    @property
    def is_chartable(self) -> bool:
        """True when there are at least two points, the least that shows a change."""
        return len(self.points) >= 2


def _series_key(measurement: Measurement) -> tuple[str, str]:
    """What makes two readings the same series: the name ignoring case and spacing, the unit."""
    return (
        " ".join(measurement.name.split()).casefold(),
        " ".join(measurement.unit.split()),
    )


def _as_date(day: date) -> date:
    """The calendar date of ``day``; a datetime and a date cannot be sorted together."""
    return day.date() if isinstance(day, datetime) else day


def series_from_entries(entries: Sequence[tuple[date, Sequence[Measurement]]]) -> list[Series]:
    """Line up the measurements of build-log entries into one :class:`Series` per quantity.

    Readings belong to the same series when their names match ignoring case and spacing and
    their units match exactly: "Gas production" in m³/day and "gas production" in L/day are
    two series, since a chart cannot mix units. Points are sorted by date; readings on the
    same date (two entries in a day) all stay, in the order given. Entries may come in any
    order; a ``datetime`` counts as its date.

    A series is named as in its latest reading, so a learner who fixes a name's spelling sees
    the fix. Series are listed in order of their first reading. Series of a single point are
    included; use :func:`chartable` to keep the ones worth a chart.
    """
    dated = sorted(
        ((_as_date(day), measurements) for day, measurements in entries),
        key=lambda entry: entry[0],
    )
    names: dict[tuple[str, str], str] = {}
    units: dict[tuple[str, str], str] = {}
    points: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
    for day, measurements in dated:
        for measurement in measurements:
            key = _series_key(measurement)
            names[key] = measurement.name
            units.setdefault(key, key[1])
            points.setdefault(key, []).append((day, measurement.value))
    return [Series(names[key], units[key], tuple(points[key])) for key in points]


def chartable(series: Iterable[Series]) -> list[Series]:
    """The series with at least two points, in the order given."""
    return [one for one in series if one.is_chartable]
