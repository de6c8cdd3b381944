"""A practice review next to the reference, criterion by criterion (pure).

The database side (practice reviews, references) is in ``test_calibration.py``; here what
"close to the reference" means, on rubrics whose lowest level is not always 0.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from peerlearn.bundles.assignment_spec import AssignmentSpec, Criterion, Level
from peerlearn.review.calibration.calibration_comparison import compare

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

D = Decimal


def levels(*points: int) -> tuple[Level, ...]:
    return tuple(Level(p, f"L{p}", f"what {p} looks like") for p in points)


def spec(*criteria: Criterion) -> AssignmentSpec:
    return AssignmentSpec(id="a", slug="a", title="A", module="m", prompt="p", rubric=criteria)


SAFETY = Criterion(id="safety", title="Safety", description=".", weight=2, levels=levels(1, 3, 5))
DATA = Criterion(id="data", title="Data", description=".", weight=1, levels=levels(2, 6, 10))
RUBRIC = spec(SAFETY, DATA)


def test_each_criterion_shows_both_levels_and_which_way_the_learner_differs():
    comparison = compare(
        RUBRIC, {"safety": (5, "Solid."), "data": (2, "")}, {"safety": (3, "Ok."), "data": (6, "")}
    )
    safety, data = comparison.rows
    assert safety.criterion == SAFETY and data.criterion == DATA
    assert (safety.points, safety.reference_points) == (5, 3)
    assert (safety.comment, safety.reference_comment) == ("Solid.", "Ok.")
    assert safety.level == SAFETY.levels[2] and safety.reference_level == SAFETY.levels[1]
    assert safety.difference == 2 and not safety.same  # more generous
    assert data.difference == -4 and not data.same  # stricter
    assert (comparison.compared, comparison.matched) == (2, 0)


def test_closeness_is_the_weighted_distance_over_the_rubrics_own_range():
    # Safety 1-5 (weight 2) and data 2-10 (weight 1): 8 + 8 = 16 weighted points of range.
    mine, reference = {"safety": (5, ""), "data": (6, "")}, {"safety": (3, ""), "data": (6, "")}
    comparison = compare(RUBRIC, mine, reference)
    assert comparison.closeness == D("0.75")  # 2 points off, weight 2: 4 of 16
    assert (comparison.compared, comparison.matched) == (2, 1)
    assert comparison.rows[1].same
    assert (comparison.total, comparison.reference_total) == (D(16), D(12))


def test_closeness_rounds_half_up_to_two_decimals():
    rubric = spec(Criterion(id="c", title="C", description=".", levels=levels(0, 3, 8)))
    assert compare(rubric, {"c": (3, "")}, {"c": (0, "")}).closeness == D("0.63")  # 0.625
    rubric = spec(Criterion(id="c", title="C", description=".", levels=levels(0, 1, 3)))
    assert compare(rubric, {"c": (1, "")}, {"c": (0, "")}).closeness == D("0.67")


def test_the_opposite_ends_are_nowhere_close_and_points_off_the_rubric_no_worse():
    bottom = {"safety": (1, ""), "data": (2, "")}
    top = {"safety": (5, ""), "data": (10, "")}
    assert compare(RUBRIC, bottom, top).closeness == 0
    assert compare(RUBRIC, top, top).closeness == 1
    stale = {"safety": (50, ""), "data": (10, "")}  # a level the rubric no longer has
    comparison = compare(RUBRIC, stale, bottom)
    assert comparison.closeness == 0 and comparison.rows[0].level is None
    assert comparison.total is None  # not a total of this rubric


def test_an_open_criterion_is_shown_but_not_compared():
    comparison = compare(RUBRIC, {"safety": (3, "")}, {"safety": (3, ""), "data": (2, "Thin.")})
    assert (comparison.compared, comparison.matched) == (1, 1)
    assert comparison.closeness == 1
    data = comparison.rows[1]
    assert data.points is None and data.difference is None and data.level is None
    assert data.reference_level == DATA.levels[0] and data.reference_comment == "Thin."
    assert not data.same and data.comment == ""
    reversed_ = compare(RUBRIC, {"data": (6, "")}, {"safety": (1, "Unsafe."), "data": (10, "")})
    assert (reversed_.compared, reversed_.closeness) == (1, D("0.50"))
    assert reversed_.rows[0].comment == "" and reversed_.rows[0].reference_comment == "Unsafe."
    assert comparison.total is None and comparison.reference_total == D(8)  # 3 x 2 + 2
    nothing = compare(RUBRIC, {}, {"safety": (3, "")})
    assert nothing.compared == 0 and nothing.closeness is None and nothing.reference_total is None
    assert nothing.rows[1].reference_comment == "" and nothing.rows[1].reference_points is None


def test_a_criterion_that_cannot_differ_weighs_nothing():
    flat = Criterion(id="flat", title="F", description=".", weight=5, levels=levels(4))
    rubric = spec(flat, SAFETY)
    mine, reference = {"flat": (4, ""), "safety": (1, "")}, {"flat": (4, ""), "safety": (5, "")}
    comparison = compare(rubric, mine, reference)
    assert comparison.closeness == 0 and comparison.matched == 1
    only_flat = compare(spec(flat), {"flat": (4, "")}, {"flat": (4, "")})
    assert only_flat.closeness == 1 and only_flat.compared == 1


def test_weights_may_be_fractional():
    light = Criterion(id="c", title="C", description=".", weight=D("0.5"), levels=levels(0, 4))
    heavy = Criterion(id="d", title="D", description=".", weight=D("1.5"), levels=levels(0, 4))
    mine, reference = {"c": (0, ""), "d": (4, "")}, {"c": (4, ""), "d": (4, "")}
    comparison = compare(spec(light, heavy), mine, reference)
    assert comparison.closeness == D("0.75")  # 2 of 8 weighted points
    assert comparison.total == D(6)
