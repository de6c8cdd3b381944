"""The NumPy fit gives the numbers the pure-Python fit gave.

Issue #15 vectorised :func:`peerlearn.review.grading.grading_model.fit`; grades must not move by
it. The pure-Python fit is kept in ``reference_grading_model.py`` (only for this test)
and both are run on seeded synthetic courses of different shapes: every fitted value
agrees to 1e-9 of a criterion's range (the fits differ only in the rounding of sums),
they stop after the same iteration, and every grade of every method, as the offline
``flask peerlearn grade`` CLI prints them, is identical.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from peerlearn.review.grading import grading, grading_model
from peerlearn.review.grading.grading import CalibrationResult, CriterionScale, Score
from tests.review.grading import reference_grading_model

pytestmark = pytest.mark.pure

TIGHT = 1e-9


def synthetic(
    seed: int,
    logs: int,
    reviews: int,
    criteria: int,
    *,
    partial: bool = False,
    staff: bool = False,
    calibrated: float = 0.3,
    levels: int = 5,
) -> tuple[list[Score], dict[str, CriterionScale], list[CalibrationResult]]:
    """A course: true scores, reviewers with a bias and a noise, rounded to rubric levels;
    ``partial`` lets reviewers skip criteria, ``staff`` adds one reviewer of many logs,
    and some reviewers only practised (calibration, no peer review)."""
    rng = random.Random(seed)
    top = levels - 1
    scales = {f"c{c}": CriterionScale(Decimal(0), Decimal(top), Decimal(1 + c % 2))
              for c in range(criteria)}  # fmt: skip
    bias = {v: rng.gauss(0, 0.1) for v in range(logs + 3)}
    noise = {v: rng.uniform(0.03, 0.3) for v in range(logs + 3)}
    scores = []
    for u in range(logs):
        truth = [rng.random() for _ in range(criteria)]
        reviewers = rng.sample([v for v in range(logs) if v != u], min(reviews, logs - 1))
        if staff and u % 3 == 0:
            reviewers.append(logs + 2)
        for v in reviewers:
            for c in range(criteria):
                if partial and rng.random() < 0.15:
                    continue
                y = min(1.0, max(0.0, truth[c] + bias[v] + rng.gauss(0, noise[v])))
                scores.append(Score(f"log{u}", f"r{v}", f"c{c}", Decimal(round(y * top))))
    calibration = [
        CalibrationResult(f"r{v}", f"c{c}", Decimal(rng.randrange(levels)),
                          Decimal(rng.randrange(levels)))
        for v in range(logs + 2) if rng.random() < calibrated
        for c in range(criteria)
    ]  # fmt: skip
    return scores, scales, calibration


SHAPES = [
    dict(seed=1, logs=40, reviews=3, criteria=2),
    dict(seed=2, logs=120, reviews=4, criteria=4),
    dict(seed=3, logs=60, reviews=4, criteria=3, partial=True, staff=True),
    dict(seed=4, logs=8, reviews=2, criteria=1, calibrated=0.8),
    dict(seed=5, logs=300, reviews=4, criteria=4, levels=11, calibrated=0.1),
    dict(seed=6, logs=25, reviews=5, criteria=2, partial=True, calibrated=0.0),
]


def observations_of(scores, scales, calibration):
    observations = [
        (s.submission, s.reviewer, s.criterion,
         float((s.points - scales[s.criterion].min_points) / scales[s.criterion].span))
        for s in scores
    ]  # fmt: skip
    errors = [
        (c.reviewer, float((c.points - c.reference_points) / scales[c.criterion].span))
        for c in calibration
    ]
    return observations, errors


def close(new: dict, old: dict) -> None:
    assert new.keys() == old.keys()
    for key, value in old.items():
        assert new[key] == pytest.approx(value, rel=TIGHT, abs=TIGHT), key


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: f"seed{shape['seed']}")
def test_the_fit_agrees_with_the_pure_python_fit(shape):
    observations, errors = observations_of(*synthetic(**shape))
    new = grading_model.fit(observations, errors)
    old = reference_grading_model.fit(observations, errors)
    assert new.iterations == old.iterations
    for name in ("true_scores", "bias", "precision", "reliability", "variance",
                 "bias_variance", "class_mean", "prior_precision"):  # fmt: skip
        close(getattr(new, name), getattr(old, name))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: f"seed{shape['seed']}")
@pytest.mark.parametrize("method", sorted(grading.METHODS))
def test_every_method_grades_as_before(shape, method, monkeypatch):
    scores, scales, calibration = synthetic(**shape)
    now = grading.grade(scores, method, scales, calibration)
    monkeypatch.setattr(grading_model, "fit", reference_grading_model.fit)
    before = grading.grade(scores, method, scales, calibration)
    assert now.results == before.results
    assert now.reviewers == before.reviewers


def test_an_empty_course_fits_to_nothing():
    fitted = grading_model.fit([], [("r1", 0.25)])
    assert fitted.true_scores == {} and set(fitted.bias) == {"r1"}
    assert reference_grading_model.fit([], [("r1", 0.25)]).bias == pytest.approx(fitted.bias)
