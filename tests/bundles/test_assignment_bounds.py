"""A rubric at each documented limit is accepted: the limits are "at most", not "less
than" (docs/course-format.md). One past each limit is refused in ``test_assignment_spec.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml

from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import MAX_CRITERIA, MAX_LEVELS, MAX_POINTS, MAX_WEIGHT

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py


def criterion(number: int, points: list[int], weight: Any = 1) -> dict[str, Any]:
    return {
        "id": f"c{number}",
        "title": f"Criterion {number}",
        "weight": weight,
        "description": "Is it done?",
        "levels": [
            {"points": p, "title": f"Level {p}", "description": f"{p} points."} for p in points
        ],
    }


def parse(rubric: list[dict[str, Any]]) -> Any:
    data = {"id": "a1", "title": "Gas test", "module": "m1", "prompt": "Measure.", "rubric": rubric}
    return parse_assignment(yaml.safe_dump(data, sort_keys=False), "assignments/a.yml", "a")


def test_the_most_criteria_a_rubric_may_have() -> None:
    spec = parse([criterion(n, [0, 1]) for n in range(MAX_CRITERIA)])
    assert len(spec.rubric) == MAX_CRITERIA


def test_the_most_levels_a_criterion_may_have() -> None:
    spec = parse([criterion(1, list(range(MAX_LEVELS)))])
    assert [level.points for level in spec.rubric[0].levels] == list(range(MAX_LEVELS))


def test_the_most_points_a_level_may_give() -> None:
    spec = parse([criterion(1, [0, MAX_POINTS])])
    assert spec.rubric[0].levels[-1].points == MAX_POINTS


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (MAX_WEIGHT, MAX_WEIGHT),
        (0.01, Decimal("0.01")),
        (1.01, Decimal("1.01")),
        (2.5, Decimal("2.5")),
    ],
)
def test_weights_up_to_the_limit_with_two_decimals(weight: float, expected: Decimal) -> None:
    spec = parse([criterion(1, [0, 1], weight=weight)])
    assert spec.rubric[0].weight == expected
