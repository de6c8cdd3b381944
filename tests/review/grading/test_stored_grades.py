"""Grades that are kept, not recomputed (issue #15): pages read stored grades, a job
refreshes them when a review is submitted, and a maintainer's override shows at once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from peerlearn.assignments.models import Assignment
from peerlearn.extensions import db
from peerlearn.jobs import run_jobs, take_ready
from peerlearn.review.grading import grades, stored_grades
from peerlearn.review.grading.overrides import override_grade
from peerlearn.review.models import StoredGrade, StoredGradeSet
from tests.fixtures import review as review_fixtures
from tests.fixtures.review import ReviewClass, seed_review, small_class_beside, submit_log
from tests.review.gradebook.test_gradebook import _base, _reviewed

Login = Callable[..., Any]


def _jobs_ran() -> None:
    """What a worker (or the web process, after the response) does with committed jobs."""
    assert run_jobs(take_ready(db.session)) == 0
    db.session.expire_all()


def _shown(klass: ReviewClass, learner_index: int = 0, page: str = "{} / 10") -> str:
    """The final grade of a learner's log as the pages write it, computed now."""
    grade = grades.grade_of(klass.logs[klass.learners[learner_index].id])
    assert grade is not None and grade.final is not None
    return page.format(f"{grade.final.normalize():f}")


def test_a_submitted_review_reaches_the_gradebook_through_the_job(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(4, grading="mean")
    a, b, c, _d = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    db.session.commit()
    _jobs_ran()
    login(klass.maintainer)
    page = f"{_base(klass)}/gradebook"
    before = _shown(klass)
    assert before in client.get(page).get_data(as_text=True)

    seed_review(klass.logs[a.id], c, {"build": 2, "docs": 1})
    db.session.commit()
    after = _shown(klass)
    assert after != before
    # Until the job has run the page shows the grade it keeps: it never refits.
    assert before in client.get(page).get_data(as_text=True)
    _jobs_ran()
    html = client.get(page).get_data(as_text=True)
    assert after in html and before not in html
    row = next(
        line for line in client.get(f"{page}.csv").get_data(as_text=True).splitlines()
        if line.startswith("learner1")
    )  # fmt: skip
    assert after.split(" /")[0] in row.replace(".00", "")


def test_the_learner_s_grade_page_reads_the_stored_grade(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[b.id], a, {"build": 3, "docs": 3})
    seed_review(klass.logs[c.id], a, {"build": 3, "docs": 3})  # a sees grades after two
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    db.session.commit()
    _jobs_ran()
    assert db.session.get(StoredGradeSet, klass.assignment.id) is not None
    login(a)
    page = f"{_base(klass)}/feedback"
    points = "{} of 10 points"
    first = _shown(klass, page=points)
    assert first in client.get(page).get_data(as_text=True)
    seed_review(klass.logs[a.id], c, {"build": 0, "docs": 0})
    db.session.commit()
    _jobs_ran()
    assert _shown(klass, page=points) != first
    assert _shown(klass, page=points) in client.get(page).get_data(as_text=True)


def test_the_learner_told_their_grade_is_ready_sees_it_before_the_job_has_run(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    """The notice is written by the request that submits the last review; the refresh
    job may still be running when the learner opens the page."""
    klass = graded_class(3, grading="median")
    a, b, c = klass.learners
    seed_review(klass.logs[b.id], a, {"build": 3, "docs": 3})
    seed_review(klass.logs[c.id], a, {"build": 3, "docs": 3})
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    db.session.commit()
    _jobs_ran()
    login(a)
    page = f"{_base(klass)}/feedback"
    points = "{} of 10 points"
    first = _shown(klass, page=points)
    seed_review(klass.logs[a.id], c, {"build": 0, "docs": 0})
    db.session.commit()
    take_ready(db.session)  # the refresh job has not run yet
    db.session.expire_all()
    html = client.get(page).get_data(as_text=True)
    assert _shown(klass, page=points) != first
    assert _shown(klass, page=points) in html and first not in html


def test_an_override_shows_at_once_and_the_stored_peer_grade_stays(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, grading="mean")
    a, b, _c = klass.learners
    seed_review(klass.logs[a.id], b, {"build": 4, "docs": 3})
    db.session.commit()
    _jobs_ran()
    override_grade(klass.maintainer, klass.logs[a.id], Decimal("8.5"), "Checked in person.")
    db.session.commit()
    grade = stored_grades.grade_of(klass.logs[a.id])
    assert grade is not None
    assert grade.final == Decimal("8.5") and grade.peer_total == Decimal(10)
    assert grade == grades.grade_of(klass.logs[a.id])


def test_stored_grades_equal_the_computed_ones(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(6, grading="model")
    _reviewed(klass)
    db.session.commit()
    _jobs_ran()
    assert db.session.scalar(select(func.count(StoredGrade.id))) == 6
    stored = stored_grades.assignment_grades(klass.assignment)
    computed = grades.assignment_grades(klass.assignment)
    assert dict(stored.logs) == dict(computed.logs)
    assert list(stored.logs) == list(computed.logs)
    assert (stored.method, stored.max_total, stored.scales, stored.reviewers) == (
        computed.method, computed.max_total, computed.scales, computed.reviewers
    )  # fmt: skip
    assert stored.author_of() == computed.author_of()
    assert stored.uncertain() == computed.uncertain()


def test_a_new_rubric_revision_is_never_read_from_old_stored_grades(
    graded_class: Callable[..., ReviewClass],
) -> None:
    klass = graded_class(4, grading="mean")
    _reviewed(klass)
    db.session.commit()
    _jobs_ran()
    review_fixtures.use_rubric(klass.assignment, "median")
    db.session.commit()
    assert stored_grades.assignment_grades(klass.assignment).method == "median"


def test_stored_gradebook_query_count_does_not_grow_with_the_class(
    graded_class: Callable[..., ReviewClass],
    create_assignment: Callable[..., Assignment],
    client: Any,
    login: Login,
    count_queries: Callable[[], Any],
) -> None:
    klass = graded_class(12, grading="model")
    small_class = small_class_beside(klass, create_assignment, "model")
    login(klass.maintainer)

    def queries(which: ReviewClass) -> tuple[int, int]:
        _reviewed(which)
        override_grade(which.maintainer, which.logs[which.learners[1].id], Decimal(9), "Ok.")
        db.session.commit()
        with count_queries() as first:
            assert client.get(f"{_base(which)}/gradebook").status_code == 200
        with count_queries() as again:  # stored by the first view
            response = client.get(f"{_base(which)}/gradebook")
        html = response.get_data(as_text=True)
        assert all(learner.username in html for learner in which.learners)
        return first.count, again.count

    small, large = queries(small_class), queries(klass)
    assert small == large
    assert small[1] < small[0]


def test_a_newly_submitted_log_joins_the_stored_gradebook(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    klass = graded_class(3, submitted=2, grading="mean")
    db.session.commit()
    _jobs_ran()
    login(klass.maintainer)
    page = f"{_base(klass)}/gradebook"
    assert "learner3" not in client.get(page).get_data(as_text=True)
    submit_log(klass.learners[2], klass.assignment)
    db.session.commit()
    _jobs_ran()
    assert "learner3" in client.get(page).get_data(as_text=True)


def test_only_a_plain_page_view_stores_the_grades_it_had_to_compute(
    graded_class: Callable[..., ReviewClass], client: Any, login: Login
) -> None:
    """The views say when computed grades may be stored (``store=True``): a page view, not
    a form sent back with its errors, and not a service called without it."""
    klass = graded_class(3, grading="mean")
    _reviewed(klass)
    db.session.commit()  # the refresh job is queued, and not run: nothing is stored

    def stored() -> int:
        return db.session.scalar(select(func.count()).select_from(StoredGradeSet)) or 0

    stored_grades.assignment_grades(klass.assignment)
    assert stored() == 0
    login(klass.maintainer)
    log_page = f"{_base(klass)}/gradebook/{klass.logs[klass.learners[0].id].id}"
    sent_back = client.submit(
        f"{log_page}/override", {"override-points": "seven", "override-reason": "Words."}
    )
    assert sent_back.status_code == 422
    assert stored() == 0
    assert client.get(log_page).status_code == 200
    assert stored() == 1
