"""Grades from reviews: which reviews count, the assignment's method, calibration evidence,
self-assessment beside the grade, and maintainers' overrides winning."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.extensions import db
from peerlearn.review.grading import grading
from peerlearn.review.grading.grades import (
    assignment_grades,
    grade_of,
    override_history,
    self_assessment_of,
)
from peerlearn.review.grading.overrides import OverrideRefused, override_grade
from peerlearn.review.models import (
    CalibrationExample,
    ReviewKind,
    ReviewState,
)
from tests.fixtures.review import (
    ReviewClass,
    seed_review,
    submit_log,
    three_reviews,
    use_rubric,
)


def test_median_grade_from_submitted_reviews(graded_class: Callable[..., ReviewClass]) -> None:
    klass = graded_class(4, grading="median")
    log = three_reviews(klass)

    grade = assignment_grades(klass.assignment).get(log.id)

    assert grade is not None
    assert grade.method == "median"
    assert grade.by_criterion == {"build": Decimal(2), "docs": Decimal(2)}
    assert grade.peer_total == Decimal("6.00")  # 2 + 2 * 2
    assert grade.final == grade.peer_total
    assert grade.reviews == 3
    assert grade.max_total == Decimal(10)
    assert grade.override is None


def test_mean_grade_follows_the_assignment_setting(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="mean")
    log = three_reviews(klass)

    grade = grade_of(log)

    assert grade is not None and grade.method == "mean"
    assert grade.by_criterion["docs"] == Decimal(2)
    assert grade.peer_total == Decimal("6.67")  # 8/3 + 2 * 2


def test_model_grade_uses_the_model_with_every_review_of_the_assignment(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="model")
    a, b, c, d = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    seed_review(klass.logs[a.id], c, {"build": 2, "docs": 2})
    seed_review(klass.logs[b.id], c, {"build": 2, "docs": 1})
    seed_review(klass.logs[b.id], d, {"build": 0, "docs": 1})
    seed_review(klass.logs[c.id], d, {"build": 2, "docs": 2})

    grades = assignment_grades(klass.assignment)

    scores = [
        grading.Score(str(klass.logs[author.id].id), str(reviewer.id), criterion, Decimal(p))
        for author, reviewer, chosen in (
            (a, b, {"build": 4, "docs": 3}),
            (a, c, {"build": 2, "docs": 2}),
            (b, c, {"build": 2, "docs": 1}),
            (b, d, {"build": 0, "docs": 1}),
            (c, d, {"build": 2, "docs": 2}),
        )
        for criterion, p in chosen.items()
    ]
    # The platform grades `grading: model` with `bounded` (the model, with unanimous ends
    # at the end, issue #17): the same fit and reviewer estimates.
    expected = grading.grade(scores, "bounded", grading.scales_from_spec(spec_of(klass.assignment)))
    assert grades.method == "bounded"
    for learner in (a, b, c):
        log_id = klass.logs[learner.id].id
        assert grades.logs[log_id].peer_total == expected.results[str(log_id)].total
    assert grades.logs[klass.logs[d.id].id].peer_total is None
    assert set(grades.reviewers) == {b.id, c.id, d.id}
    assert all(0 <= one.reliability <= 1 for one in grades.reviewers.values())


def test_calibration_practice_is_evidence_for_the_model_but_never_a_grade(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="model")
    a, b, c, _d = klass.learners
    example_log = klass.logs[c.id]
    reference = seed_review(
        example_log, klass.maintainer, {"build": 2, "docs": 1}, kind=ReviewKind.REFERENCE.value
    )
    db.session.add(
        CalibrationExample(
            assignment_id=klass.assignment.id,
            log_id=example_log.id,
            submission_id=reference.submission_id,
            reference_review_id=reference.id,
        )
    )
    db.session.commit()
    seed_review(example_log, b, {"build": 4, "docs": 3}, kind=ReviewKind.CALIBRATION.value)
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})

    grades = assignment_grades(klass.assignment)

    spec = spec_of(klass.assignment)
    log_a = str(klass.logs[a.id].id)
    scores = [
        grading.Score(log_a, str(b.id), "build", Decimal(4)),
        grading.Score(log_a, str(b.id), "docs", Decimal(3)),
    ]
    calibration = [
        grading.CalibrationResult(str(b.id), "build", Decimal(4), Decimal(2)),
        grading.CalibrationResult(str(b.id), "docs", Decimal(3), Decimal(1)),
    ]
    expected = grading.grade(scores, "model", grading.scales_from_spec(spec), calibration)
    without = grading.grade(scores, "model", grading.scales_from_spec(spec))
    assert grades.logs[klass.logs[a.id].id].peer_total == expected.results[log_a].total
    assert expected.results[log_a].total != without.results[log_a].total
    # Neither the reference nor the practice review grades the example's author.
    assert grades.logs[example_log.id].peer_total is None


def test_only_submitted_peer_and_staff_reviews_count(
    graded_class: Callable[..., ReviewClass], create_user: Callable[..., User]
) -> None:
    klass = graded_class(4, grading="median")
    log = three_reviews(klass)
    author, _b, _c, _d = klass.learners
    zero = {"build": 0, "docs": 0}
    seed_review(log, klass.maintainer, zero, state=ReviewState.DISCARDED.value)
    seed_review(log, klass.maintainer, zero, kind=ReviewKind.REFERENCE.value)
    seed_review(log, author, zero, kind=ReviewKind.SELF.value)
    draft, late = create_user("drafter"), create_user("lately")
    seed_review(log, draft, {"build": 0, "docs": None}, state=ReviewState.LEASED.value)
    seed_review(log, late, zero, state=ReviewState.EXPIRED.value)

    grade = grade_of(log)

    assert grade is not None
    assert grade.reviews == 3
    assert grade.peer_total == Decimal("6.00")


def test_staff_and_extra_reviews_count(graded_class: Callable[..., ReviewClass]) -> None:
    klass = graded_class(3, grading="mean")
    author, b, _c = klass.learners
    log = klass.logs[author.id]
    seed_review(log, b, {"build": 4, "docs": 3}, extra=True)
    seed_review(log, klass.maintainer, {"build": 2, "docs": 1}, kind=ReviewKind.STAFF.value)

    grade = grade_of(log)

    assert grade is not None and grade.reviews == 2
    assert grade.peer_total == Decimal("7.00")  # 3 + 2 * 2


def test_self_assessment_is_shown_beside_never_mixed_in(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="median")
    log = three_reviews(klass)
    author = klass.learners[0]
    assert self_assessment_of(log) is None

    seed_review(log, author, {"build": 4, "docs": 3}, kind=ReviewKind.SELF.value)

    assert self_assessment_of(log) == {"build": 4, "docs": 3}
    grade = grade_of(log)
    assert grade is not None and grade.peer_total == Decimal("6.00") and grade.reviews == 3


def test_a_log_without_reviews_is_not_graded_and_a_draft_has_no_grade(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(3, submitted=2)
    first, _second, drafter = klass.learners

    grade = grade_of(klass.logs[first.id])

    assert grade is not None
    assert grade.peer_total is None and grade.final is None and grade.reviews == 0
    assert drafter.id not in klass.logs
    assert len(assignment_grades(klass.assignment).logs) == 2


def test_override_wins_and_every_override_is_kept(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="median")
    log = three_reviews(klass)

    override_grade(klass.maintainer, log, Decimal("7.5"), "The photos show a sound build.")
    db.session.commit()
    first = grade_of(log)
    override_grade(klass.maintainer, log, Decimal("8"), "Measurements checked again.")
    db.session.commit()
    second = grade_of(log)

    assert first is not None and first.final == Decimal("7.5")
    assert second is not None and second.final == Decimal("8")
    assert second.peer_total == Decimal("6.00")
    assert second.override is not None
    assert second.override.reason == "Measurements checked again."
    assert second.override.by == "maintainer"
    history = override_history(log)
    assert [one.points for one in history] == [Decimal("8"), Decimal("7.5")]
    assert history[1].reason == "The photos show a sound build."


def test_an_override_gives_a_grade_to_a_log_nobody_reviewed(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(2)
    log = klass.logs[klass.learners[0].id]
    override_grade(klass.maintainer, log, Decimal(5), "Reviewed in person at the workshop.")
    db.session.commit()

    grade = grade_of(log)

    assert grade is not None and grade.peer_total is None and grade.final == Decimal(5)


@pytest.mark.parametrize(
    ("points", "reason", "code"),
    [
        (Decimal("10.01"), "Too much.", "out_of_range"),
        (Decimal("-1"), "Negative.", "out_of_range"),
        (Decimal("5.555"), "Too fine.", "too_precise"),
        (Decimal("5"), "   ", "no_reason"),
    ],
)
def test_override_service_refuses_what_the_form_would(
    graded_class: Callable[..., ReviewClass], points: Decimal, reason: str, code: str
) -> None:
    klass = graded_class(2)
    log = klass.logs[klass.learners[0].id]

    with pytest.raises(OverrideRefused) as refused:
        override_grade(klass.maintainer, log, points, reason)

    assert refused.value.code == code
    db.session.rollback()
    assert override_history(log) == []


def test_a_score_for_a_removed_criterion_does_not_break_grading(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(3, grading="median")
    author, b, _c = klass.learners
    seed_review(klass.logs[author.id], b, {"build": 4, "docs": 3, "gone": 5})

    grade = grade_of(klass.logs[author.id])

    assert grade is not None and grade.by_criterion == {"build": 4, "docs": 3}


def test_grading_an_assignment_takes_the_same_queries_for_any_class_size(
    graded_class: Callable[..., ReviewClass],
    create_assignment: Callable[..., Assignment],
    count_queries: Callable[[], Any],
) -> None:
    klass = graded_class(12, grading="model")
    small = create_assignment(klass.course)
    use_rubric(small, "model")
    small_logs = {one.id: submit_log(one, small) for one in klass.learners[:3]}
    db.session.commit()

    def queries(assignment: Assignment, logs: dict[int, BuildLog]) -> int:
        learners = [one for one in klass.learners if one.id in logs]
        n = len(learners)
        for i, author in enumerate(learners):
            for step in (1, 2):
                reviewer = learners[(i + step) % n]
                seed_review(logs[author.id], reviewer, {"build": 2, "docs": step})
        override_grade(klass.maintainer, logs[learners[0].id], Decimal(9), "Checked.")
        db.session.commit()
        db.session.expire_all()
        fresh = db.session.get(Assignment, assignment.id)
        assert fresh is not None
        with count_queries() as counter:
            grades = assignment_grades(fresh)
        assert len(grades.logs) == n
        return counter.count

    assert queries(small, small_logs) == queries(klass.assignment, klass.logs)
