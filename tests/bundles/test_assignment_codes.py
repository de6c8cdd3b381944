"""Each refusal of an assignment file carries the code and the values its sentence needs in
the maintainer's language (``assignment_messages``): the English message alone is for the command
line. Pure: the reader only; the sentences themselves are tested with the app.
"""

from __future__ import annotations

from typing import Any

import pytest

from peerlearn.bundles.assignment_messages import MESSAGES
from peerlearn.bundles.assignment_reader import parse_assignment
from tests.bundles.test_assignment_spec import FILE, RULES, TOP_FIELDS, minimal, refused, with_data

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

EXAMPLE = {"example": "2027-03-01T18:00:00-04:00"}

#: Rule (by its id in test_assignment_spec.RULES) -> the code and params of its refusal.
CODES: dict[str, tuple[str, dict[str, Any]]] = {
    "missing-id": ("required", {}),
    "missing-title": ("required", {}),
    "missing-module": ("required", {}),
    "missing-prompt": ("required", {}),
    "missing-rubric": ("required", {}),
    "missing-criterion-description": ("required", {}),
    "missing-levels": ("required", {}),
    "missing-level-title": ("required", {}),
    "unknown-field": ("unknown_field", {"allowed": TOP_FIELDS}),
    "slug-is-the-file-name": ("unknown_field", {"allowed": TOP_FIELDS}),
    "unknown-criterion-field": (
        "unknown_field",
        {"allowed": "id, title, weight, description, levels"},
    ),
    "unknown-level-field": ("unknown_field", {"allowed": "points, title, description"}),
    "bad-id": ("identifier", {}),
    "number-id": ("identifier", {}),
    "bad-module": ("identifier", {}),
    "long-crit-id": ("identifier", {}),
    "long-title": ("too_long", {"max": 200}),
    "blank-title": ("empty_text", {}),
    "title-read-as-bool": ("text_needs_quotes", {}),
    "title-read-as-int": ("text_needs_quotes", {}),
    "title-read-as-float": ("text_needs_quotes", {}),
    "empty-prompt": ("empty_text", {}),
    "null-prompt": ("empty_text", {}),
    "blank-criterion-title": ("empty_text", {}),
    "long-criterion-description": ("too_long", {"max": 2000}),
    "long-level-title": ("too_long", {"max": 200}),
    "blank-level-description": ("empty_text", {}),
    "no-criteria": ("no_criteria", {}),
    "rubric-not-a-list": ("no_criteria", {}),
    "too-many-criteria": ("too_many_criteria", {"max": 20}),
    "criterion-not-a-mapping": ("criterion_mapping", {}),
    "duplicate-criterion-id": ("criterion_id_taken", {"id": "safety", "number": 3}),
    "one-level": ("too_few_levels", {"min": 2}),
    "no-levels": ("too_few_levels", {"min": 2}),
    "too-many-levels": ("too_many_levels", {"max": 10}),
    "level-not-a-mapping": ("level_mapping", {}),
    "same-points-twice": ("points_taken", {"points": 1, "number": 2}),
    "descending": ("points_order", {"points": 1, "previous": 2}),
    "reversed": ("points_order", {"points": 1, "previous": 2}),
    "negative-points": ("whole_number", {"low": 0, "high": 100}),
    "too-many-points": ("whole_number", {"low": 0, "high": 100}),
    "fractional-points": ("whole_number", {"low": 0, "high": 100}),
    "points-as-words": ("whole_number", {"low": 0, "high": 100}),
    "zero-weight": ("weight_range", {"max": 100}),
    "negative-weight": ("weight_range", {"max": 100}),
    "huge-weight": ("weight_range", {"max": 100}),
    "weight-too-precise": ("weight_decimals", {"places": 2}),
    "weight-as-words": ("weight_number", {}),
    "weight-true": ("weight_number", {}),
    "weight-infinite": ("weight_number", {}),
    "must-review-below-must-be-reviewed": ("fewer_than_must_be_reviewed", {"minimum": 3}),
    "must-be-reviewed-zero": ("whole_number", {"low": 1, "high": 20}),
    "must-review-too-many": ("whole_number", {"low": 1, "high": 20}),
    "must-review-words": ("whole_number", {"low": 1, "high": 20}),
    "must-be-reviewed-true": ("whole_number", {"low": 1, "high": 20}),
    "too-many-calibration-examples": ("whole_number", {"low": 0, "high": 10}),
    "negative-calibration-examples": ("whole_number", {"low": 0, "high": 10}),
    "self-assessment-words": ("true_or_false", {}),
    "self-assessment-number": ("true_or_false", {}),
    "unknown-anonymity": ("one_of", {"allowed": "double-blind, single-blind, open"}),
    "review-before-submission": (
        "not_after_submission_deadline",
        {"submission_deadline": "2027-03-01T18:00:00-04:00"},
    ),
    "review-at-the-same-moment": (
        "not_after_submission_deadline",
        {"submission_deadline": "2027-03-01T18:00:00-04:00"},
    ),
}


@pytest.mark.parametrize(
    ("change", "code", "params"),
    [pytest.param(rule.values[0], *CODES[rule.id], id=rule.id) for rule in RULES],  # type: ignore[attr-defined]
)
def test_every_rule_carries_its_code_and_params(
    change: Any, code: str, params: dict[str, Any]
) -> None:
    error = refused(with_data(change))

    assert (error.code, error.params) == (code, params)
    assert code in MESSAGES


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("'2027-03-01T18:00:00'", "deadline_without_offset"),
        ("2027-03-01 18:00:00", "deadline_without_offset"),
        ("2027-03-01", "deadline_without_time"),
        ("next monday", "deadline_format"),
        ("20270301", "deadline_format"),
    ],
)
def test_a_refused_deadline_carries_an_example(value: str, code: str) -> None:
    error = refused(minimal(submission_deadline=value))

    assert (error.code, error.params) == (code, EXAMPLE)
    assert code in MESSAGES


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        (
            "id: a\ntitle: [unclosed\n",
            "yaml_at_line",
            {"line": 3, "problem": "expected ',' or ']', but got '<stream end>'"},
        ),
        ("- just\n- a list\n", "not_a_mapping", {}),
        ("", "not_a_mapping", {}),
        (minimal() + "title: Another title\n", "written_twice", {"line": 16}),
    ],
)
def test_a_text_that_is_not_an_assignment_carries_its_code(
    text: str, code: str, params: dict[str, Any]
) -> None:
    error = refused(text)

    assert (error.code, error.params) == (code, params)
    assert code in MESSAGES


def test_a_bad_file_name_carries_the_longest_slug() -> None:
    error = refused(minimal(), slug="Gas_Test")

    assert (error.code, error.params) == ("file_name", {"max": 80})


@pytest.mark.parametrize(("value", "days"), [("null", None), ("1", 1), ("3", 3), ("60", 60)])
def test_flexible_after_days_is_a_number_of_days_or_none(value: str, days: int | None) -> None:
    assert (
        parse_assignment(minimal(flexible_after_days=value), FILE, "gas-test").flexible_after_days
        == days
    )
    assert parse_assignment(minimal(), FILE, "gas-test").flexible_after_days is None


@pytest.mark.parametrize("value", ["0", "61", "-1", "two", "yes", "1.5"])
def test_flexible_after_days_outside_one_to_sixty_is_refused(value: str) -> None:
    error = refused(minimal(flexible_after_days=value))

    assert (error.file, error.field, error.message) == (
        FILE,
        "flexible_after_days",
        "must be a whole number from 1 to 60",
    )
    assert (error.code, error.params) == ("whole_number", {"low": 1, "high": 60})


def test_a_title_of_exactly_the_longest_length_is_accepted() -> None:
    spec = parse_assignment(minimal(title="T" * 200), FILE, "gas-test")

    assert spec.title == "T" * 200
    assert refused(minimal(title="T" * 201)).params == {"max": 200}
