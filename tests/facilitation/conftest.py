"""A circle of a course with one assignment: a facilitator and learners at every stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.circles.models import Circle
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.content.models import Course
from peerlearn.extensions import db
from peerlearn.review import queue, reviewing
from peerlearn.review.reviewing import ScoreInput
from tests.review.conftest import submit_log


@dataclass
class CircleScene:
    course: Course
    assignment: Assignment
    maintainer: User
    facilitator: User
    circle: Circle
    learners: list[User]


def review_once(reviewer: User, assignment: Assignment) -> None:
    """``reviewer`` asks for a log to review and submits the review."""
    review = queue.request_review(reviewer, assignment)
    reviewing.submit_review(reviewer, review, {"build": ScoreInput(2, "Sound.")}, "Good work.")
    db.session.flush()


def start(facilitator: User, course: Course, **details: Any) -> Circle:
    fields = {"name": "Biogas at the library", "language": "es", "starts_on": date(2027, 1, 4)}
    return start_circle(facilitator, course, CircleDetails(**{**fields, **details}))


@pytest.fixture
def circle_scene(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    create_assignment: Callable[..., Assignment],
) -> Callable[..., CircleScene]:
    """``circle_scene(n, submitted=0)``: ``n`` learners in a circle (capacity 600), the
    first ``submitted`` of whom submitted their build log."""

    def make(n: int = 3, submitted: int = 0, **settings: Any) -> CircleScene:
        maintainer = create_user("maintainer")
        facilitator = create_user("fatima")
        course = create_course(maintainer=maintainer)
        assignment = create_assignment(
            course, must_review=1, must_be_reviewed=1, grading="median", **settings
        )
        circle = start(facilitator, course, capacity=600)
        learners = [create_user(f"learner{i:03d}") for i in range(1, n + 1)]
        for i, learner in enumerate(learners):
            join_circle(learner, circle)
            if i < submitted:
                submit_log(learner, assignment)
        db.session.commit()
        return CircleScene(course, assignment, maintainer, facilitator, circle, learners)

    return make
