"""A small class for badges: a two-module course with one peer-reviewed assignment
(median of one review, 0 or 2 points, so 2 passes and 0 fails), its maintainer, a
learner and a classmate who reviews, both with a submitted build log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments import buildlogs
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from peerlearn.recognition.models import Assertion, BadgeClass
from peerlearn.review import queue, reviewing
from peerlearn.review.reviewing import ScoreInput


@dataclass
class Class:
    maintainer: User
    learner: User
    classmate: User
    course: Course
    modules: list[Module]
    assignment: Assignment
    log: BuildLog
    other_log: BuildLog


def submitted_log(user: User, assignment: Assignment) -> BuildLog:
    log = buildlogs.start_log(user, assignment)
    buildlogs.save_log(user, log, f"Digester of {user.username}", "What I built.")
    buildlogs.add_entry(user, log, date(2026, 5, 1), "Dug the trench.")
    db.session.refresh(log)
    assert buildlogs.submit(user, log) is not None
    db.session.flush()
    return log


def review(reviewer: User, assignment: Assignment, points: int) -> None:
    """``reviewer`` asks for a log and submits a review of it, as the form does."""
    leased = queue.request_review(reviewer, assignment)
    reviewing.submit_review(
        reviewer,
        leased,
        {"build": ScoreInput(points, "Fine.")},
        "Clear steps, good photos and honest measurements.",
    )
    db.session.commit()


def badges_of(user: User) -> list[Assertion]:
    return list(
        db.session.scalars(
            select(Assertion).where(Assertion.user_id == user.id).order_by(Assertion.id)
        )
    )


def badge_keys(user: User) -> list[str]:
    return [
        db.session.get(BadgeClass, assertion.badge_class_id).key  # type: ignore[union-attr]
        for assertion in badges_of(user)
    ]


@pytest.fixture
def klass(
    create_user: Callable[..., User],
    create_course: Callable[..., Course],
    create_assignment: Callable[..., Any],
) -> Class:
    maintainer = create_user("teacher")
    learner = create_user("amina")
    classmate = create_user("baraka")
    course = create_course("digester", modules=2, maintainer=maintainer, title="Tube digester")
    assignment = create_assignment(
        course, slug="gas-test", must_review=1, must_be_reviewed=1, grading="median"
    )
    for user in (learner, classmate):
        db.session.add(Enrolment(user_id=user.id, course_id=course.id))
    db.session.flush()
    log = submitted_log(learner, assignment)
    other_log = submitted_log(classmate, assignment)
    db.session.commit()
    modules = list(
        db.session.scalars(
            select(Module).where(Module.course_id == course.id).order_by(Module.position)
        )
    )
    return Class(maintainer, learner, classmate, course, modules, assignment, log, other_log)
