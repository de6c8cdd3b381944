"""A class of learners who have each submitted a build log, ready to review each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from peerlearn.accounts.models import User
from peerlearn.assignments import buildlogs
from peerlearn.assignments.models import Assignment, BuildLog, BuildLogEntry
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course
from peerlearn.extensions import db


@dataclass
class ReviewClass:
    course: Course
    assignment: Assignment
    maintainer: User
    learners: list[User]
    logs: dict[int, BuildLog]  # by learner id


def submit_log(user: User, assignment: Assignment, title: str | None = None) -> BuildLog:
    """Start, fill and submit ``user``'s build log through the learner's service."""
    log = buildlogs.log_of(user, assignment) or buildlogs.start_log(user, assignment)
    log.title = title or f"Digester built by {user.username}"
    log.summary = "What I built."
    if not log.entries:
        db.session.add(BuildLogEntry(log_id=log.id, entry_date=date(2025, 3, 1), text="Dug."))
        db.session.flush()
        db.session.expire(log, ["entries"])
    buildlogs.submit(user, log)
    return log


@pytest.fixture
def review_class(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    create_assignment: Callable[..., Assignment],
) -> Callable[..., ReviewClass]:
    """``review_class(n, submitted=n, **assignment_settings)``: a course, an assignment,
    a maintainer and ``n`` enrolled learners, the first ``submitted`` of whom submitted."""

    def make(n: int = 4, submitted: int | None = None, **settings: Any) -> ReviewClass:
        maintainer = create_user("maintainer")
        course = create_course(maintainer=maintainer)
        assignment = create_assignment(course, **settings)
        learners = [create_user(f"learner{i}") for i in range(1, n + 1)]
        logs: dict[int, BuildLog] = {}
        for i, learner in enumerate(learners):
            db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
            db.session.flush()
            if i < (n if submitted is None else submitted):
                logs[learner.id] = submit_log(learner, assignment)
        db.session.commit()
        return ReviewClass(course, assignment, maintainer, learners, logs)

    return make
