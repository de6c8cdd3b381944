"""Measurements typed with a locale's own symbols, and the edges of what is accepted (pure).

``test_measurements.py`` covers the platform's languages; these cover the symbols other
locales write (a decimal sign other than "." or ",", signs with a left-to-right mark) and
the exact limits, so that each rule of :func:`parse_value` is pinned by some input.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from peerlearn.assignments.measurements import (
    Measurement,
    MeasurementError,
    format_value,
    normalize_unit,
    parse_value,
    series_from_entries,
)

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

D = Decimal


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("\u200e-1.5", "ar", "-1.5"),  # Arabic's minus and plus carry a left-to-right mark
        ("\u200e+2", "ar", "2"),
        ("\u200e\u22121.5", "fa", "-1.5"),  # Persian's: the mark and U+2212
        ("\u200e+1.5", "fa", "1.5"),
        ("1\u066b5", "bgn", "1.5"),  # an Arabic decimal separator, Latin digits
        ("-1\u066b5", "bgn", "-1.5"),
        ("\u22121,5", "sv", "-1.5"),  # Swedish writes U+2212 as its minus
        ("1'234.5", "de_CH", "1234.5"),  # Swiss German groups with an apostrophe
    ],
)
def test_a_locales_own_signs_and_decimal_separator_are_understood(text, locale, expected):
    assert parse_value(text, locale) == D(expected)


def test_forty_characters_are_read_and_forty_one_are_too_long():
    assert parse_value("0" * 39 + "1", "en") == 1
    with pytest.raises(MeasurementError) as error:
        parse_value("0" * 40 + "1", "en")
    assert error.value.code == "out_of_range"


def test_a_value_that_is_not_finite_is_refused_with_its_code():
    for value in (D("NaN"), D("Infinity"), D("-Infinity")):
        with pytest.raises(MeasurementError) as error:
            Measurement("gas", value, "m³")
        assert (error.value.code, error.value.field) == ("not_a_number", "value")


def test_formatted_values_keep_every_decimal():
    assert format_value(D("0.0025"), "es") == "0,0025"
    assert format_value(D("1234.56789"), "en") == "1,234.56789"


def test_a_series_shows_its_unit_as_typed_with_inner_spaces_collapsed():
    unit = normalize_unit("  m³  /  day ")
    [series] = series_from_entries([(date(2024, 5, 1), [Measurement("Gas", D(1), unit)])])
    assert series.unit == "m³ / day"
