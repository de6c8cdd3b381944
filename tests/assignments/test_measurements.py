"""Measurements in build logs: numbers typed the local way, readings lined up over time."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest

from peerlearn.assignments.measurements import (
    MAX_NAME_LENGTH,
    MAX_UNIT_LENGTH,
    Measurement,
    MeasurementError,
    Series,
    chartable,
    format_value,
    normalize_name,
    normalize_unit,
    parse_measurement,
    parse_value,
    series_from_entries,
)

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

# --- parse_value -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("0.8", "en", "0.8"),
        ("1,234.5", "en", "1234.5"),
        ("-12", "en", "-12"),
        ("0,8", "es", "0.8"),
        ("1.234,5", "es", "1234.5"),
        ("-3,5", "es", "-3.5"),
        ("1 234,5", "fr", "1234.5"),  # typed with an ordinary space
        ("1\u00a0234,5", "fr", "1234.5"),  # no-break space
        ("1\u202f234,5", "fr", "1234.5"),  # what Babel itself writes
        ("24", "fr", "24"),
        ("  0,8  ", "es", "0.8"),
        ("\u22123,5", "es", "-3.5"),  # typographic minus
        ("0,8", "pt-BR", "0.8"),  # a hyphenated locale code
    ],
)
def test_values_are_read_the_way_the_locale_writes_them(text, locale, expected):
    assert parse_value(text, locale) == Decimal(expected)


def test_the_precision_typed_is_kept():
    assert str(parse_value("0,80", "es")) == "0.80"


def test_negative_zero_is_plain_zero():
    value = parse_value("-0,0", "es")
    assert value == 0
    assert not value.is_signed()


@pytest.mark.parametrize("locale", ["es", "fr", "de", "rw"])
def test_a_plain_dot_decimal_is_understood_in_any_locale(locale):
    assert parse_value("0.8", locale) == Decimal("0.8")
    assert parse_value("-12.75", locale) == Decimal("-12.75")


def test_the_locale_reading_wins_over_the_dot_fallback():
    # "1.234" is a valid Spanish grouping, so it stays one thousand two hundred and thirty-four;
    # "1.2345" cannot be Spanish grouping, so it is the decimal it looks like.
    assert parse_value("1.234", "es") == Decimal("1234")
    assert parse_value("1.2345", "es") == Decimal("1.2345")


def test_a_decimal_comma_is_not_guessed_in_english():
    with pytest.raises(MeasurementError) as error:
        parse_value("0,8", "en")
    assert error.value.code == "not_a_number"


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_nothing_typed_is_empty(text):
    with pytest.raises(MeasurementError) as error:
        parse_value(text, "en")
    assert (error.value.code, error.value.field) == ("empty", "value")


@pytest.mark.parametrize(
    "text",
    ["abc", "NaN", "nan", "inf", "-Infinity", "1e5", "0x10", "12 cm", "1.2.3", "--1", "½", "$5"],
)
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(MeasurementError) as error:
        parse_value(text, "en")
    assert error.value.code == "not_a_number"


def test_misplaced_grouping_is_refused_rather_than_guessed():
    with pytest.raises(MeasurementError) as error:
        parse_value("12 34", "fr")
    assert error.value.code == "not_a_number"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("1000000000000", "en"),
        ("-1.000.000.000.000", "es"),
        ("0.0000001", "en"),
        ("9" * 50, "en"),
    ],
)
def test_absurd_values_are_out_of_range(text, locale):
    with pytest.raises(MeasurementError) as error:
        parse_value(text, locale)
    assert error.value.code == "out_of_range"


def test_the_largest_and_finest_values_allowed():
    assert parse_value("999999999999", "en") == Decimal("999999999999")
    assert parse_value("0,000001", "es") == Decimal("0.000001")
    # Trailing zeros are not extra precision.
    assert parse_value("0.1000000", "en") == Decimal("0.1")


def test_measurement_error_is_a_value_error():
    with pytest.raises(ValueError, match="value: not_a_number"):
        parse_value("abc", "en")


# --- format_value ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        ("0.8", "en", "0.8"),
        ("0.8", "es", "0,8"),
        ("0.8", "fr", "0,8"),
        ("1234.5", "en", "1,234.5"),
        ("1234.5", "es", "1.234,5"),
        ("1234.5", "fr", "1\u202f234,5"),
        ("0.0025", "es", "0,0025"),  # not rounded to three decimals
        ("-3.5", "en", "-3.5"),
    ],
)
def test_values_are_written_the_way_the_locale_writes_them(value, locale, expected):
    assert format_value(Decimal(value), locale) == expected


@pytest.mark.parametrize("locale", ["en", "es", "fr", "de", "sw", "rw"])
@pytest.mark.parametrize("value", ["0.8", "1234.5", "-0.25", "24", "999999.000001"])
def test_a_formatted_value_reads_back_the_same(locale, value):
    assert parse_value(format_value(Decimal(value), locale), locale) == Decimal(value)


# --- names and units -------------------------------------------------------------------------


def test_names_are_trimmed_and_collapsed_with_case_kept():
    assert normalize_name("  Gas \t  production\n") == "Gas production"
    assert normalize_name("Gas\u00a0\u2028production") == "Gas production"


def test_name_length_limit():
    assert normalize_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH
    with pytest.raises(MeasurementError) as error:
        normalize_name("x" * (MAX_NAME_LENGTH + 1))
    assert (error.value.code, error.value.field) == ("too_long", "name")


def test_a_name_is_required():
    with pytest.raises(MeasurementError) as error:
        normalize_name(" \n ")
    assert (error.value.code, error.value.field) == ("empty", "name")


@pytest.mark.parametrize("name", ["gas\x00", "gas\u200bproduction", "\x1b[31mgas"])
def test_invisible_characters_in_a_name_are_refused(name):
    with pytest.raises(MeasurementError) as error:
        normalize_name(name)
    assert (error.value.code, error.value.field) == ("invalid_character", "name")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("m³/day", "m³/day"),
        (" °C ", "°C"),
        ("%", "%"),
        ("kWh / m²", "kWh / m²"),
        ("mW", "mW"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_units_keep_their_symbols_and_case(unit, expected):
    assert normalize_unit(unit) == expected


def test_unit_length_limit():
    assert normalize_unit("u" * MAX_UNIT_LENGTH) == "u" * MAX_UNIT_LENGTH
    with pytest.raises(MeasurementError) as error:
        normalize_unit("u" * (MAX_UNIT_LENGTH + 1))
    assert (error.value.code, error.value.field) == ("too_long", "unit")


def test_parse_measurement_normalizes_all_three_fields():
    assert parse_measurement(" Slurry  temperature ", "24,5", " °C", "es") == Measurement(
        "Slurry temperature", Decimal("24.5"), "°C"
    )


@pytest.mark.parametrize(
    ("name", "value", "unit", "field"),
    [("", "1", "m", "name"), ("gas", "abc", "m", "value"), ("gas", "1", "u" * 30, "unit")],
)
def test_parse_measurement_says_which_field_to_fix(name, value, unit, field):
    with pytest.raises(MeasurementError) as error:
        parse_measurement(name, value, unit, "en")
    assert error.value.field == field


def test_measurements_are_immutable_and_finite():
    reading = Measurement("gas", Decimal("0.8"), "m³/day")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.value = Decimal(1)  # type: ignore[misc]
    with pytest.raises(MeasurementError):
        Measurement("gas", Decimal("NaN"), "m³/day")


# --- series ----------------------------------------------------------------------------------

MAY_1, MAY_8, MAY_15 = date(2024, 5, 1), date(2024, 5, 8), date(2024, 5, 15)


def gas(value: str, name: str = "Gas production", unit: str = "m³/day") -> Measurement:
    return Measurement(name, Decimal(value), unit)


def temperature(value: str) -> Measurement:
    return Measurement("Slurry temperature", Decimal(value), "°C")


def test_repeated_measurements_become_series_sorted_by_date():
    entries = [
        (MAY_15, [gas("1.1"), temperature("26")]),
        (MAY_1, [gas("0.5"), temperature("22")]),
        (MAY_8, [temperature("24"), gas("0.8")]),
    ]
    series = series_from_entries(entries)
    assert series == [
        Series(
            "Gas production",
            "m³/day",
            ((MAY_1, Decimal("0.5")), (MAY_8, Decimal("0.8")), (MAY_15, Decimal("1.1"))),
        ),
        Series(
            "Slurry temperature",
            "°C",
            ((MAY_1, Decimal(22)), (MAY_8, Decimal(24)), (MAY_15, Decimal(26))),
        ),
    ]


def test_names_match_ignoring_case_and_spacing_and_the_latest_spelling_is_shown():
    entries = [
        (MAY_1, [gas("0.5", name="gas production")]),
        (MAY_8, [gas("0.8", name="GAS  PRODUCTION")]),
        (MAY_15, [gas("1.1", name="Gas production")]),
    ]
    [series] = series_from_entries(entries)
    assert series.name == "Gas production"
    assert [value for _, value in series.points] == [Decimal("0.5"), Decimal("0.8"), Decimal("1.1")]


def test_the_same_name_in_different_units_is_two_series():
    entries = [
        (MAY_1, [gas("0.5"), gas("500", unit="L/day")]),
        (MAY_8, [gas("0.8"), gas("800", unit="L/day")]),
    ]
    series = series_from_entries(entries)
    assert [(one.name, one.unit, len(one.points)) for one in series] == [
        ("Gas production", "m³/day", 2),
        ("Gas production", "L/day", 2),
    ]


def test_units_are_case_sensitive():
    entries = [(MAY_1, [gas("1", unit="mW")]), (MAY_8, [gas("1", unit="MW")])]
    assert len(series_from_entries(entries)) == 2


def test_readings_on_the_same_day_are_all_kept_in_the_order_given():
    entries = [(MAY_1, [gas("0.5")]), (MAY_1, [gas("0.6")]), (date(2024, 4, 30), [gas("0.4")])]
    [series] = series_from_entries(entries)
    assert series.points == (
        (date(2024, 4, 30), Decimal("0.4")),
        (MAY_1, Decimal("0.5")),
        (MAY_1, Decimal("0.6")),
    )


def test_datetimes_count_as_their_date():
    entries = [(datetime(2024, 5, 8, 9, 30), [gas("0.8")]), (MAY_1, [gas("0.5")])]
    [series] = series_from_entries(entries)
    assert series.points == ((MAY_1, Decimal("0.5")), (MAY_8, Decimal("0.8")))


def test_series_are_listed_in_order_of_their_first_reading():
    entries = [
        (MAY_8, [temperature("24"), gas("0.8")]),
        (MAY_1, [Measurement("pH", Decimal("7.1"), "")]),
    ]
    assert [one.name for one in series_from_entries(entries)] == [
        "pH",
        "Slurry temperature",
        "Gas production",
    ]


def test_only_series_with_two_points_or_more_are_chartable():
    entries = [
        (MAY_1, [gas("0.5"), Measurement("Bricks laid", Decimal(120), "")]),
        (MAY_8, [gas("0.8")]),
    ]
    series = series_from_entries(entries)
    assert [one.name for one in series] == ["Gas production", "Bricks laid"]
    assert [one.is_chartable for one in series] == [True, False]
    assert [one.name for one in chartable(series)] == ["Gas production"]


def test_no_entries_no_series():
    assert series_from_entries([]) == []
    assert series_from_entries([(MAY_1, [])]) == []
    assert chartable([]) == []
