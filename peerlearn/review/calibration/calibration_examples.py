"""Calibration, the maintainers' side: choosing examples and writing their reference.

A maintainer picks a submitted build log; :func:`add_example` makes it an example and
hands back the reference review to write. The example is offered to learners once that
review is submitted (see :mod:`peerlearn.review.calibration.calibration`). Removing an example only
stops offering it: practice reviews of it, and their results, stay.

Services take the acting user, flush and never commit (house rule 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog, Submission
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.calibration.calibration import (
    CALIBRATION,
    REFERENCE,
    SUBMITTED,
    CalibrationRefused,
    create_review,
    own_review,
)
from peerlearn.review.models import CalibrationExample, Review


@dataclass(frozen=True)
class ExampleRow:
    """A live example as the maintainers' list shows it."""

    example: CalibrationExample
    author: str
    version: int
    reference_id: int | None
    reference_state: str | None
    reference_by_id: int | None
    reference_by: str | None
    #: Learners who submitted a practice review of it.
    practised: int

    @property
    def ready(self) -> bool:
        return self.reference_state == SUBMITTED


@dataclass(frozen=True)
class Candidate:
    """A submitted build log that could become an example (its latest version)."""

    log_id: int
    username: str
    version: int
    submitted_at: datetime


def examples(assignment: Assignment) -> list[ExampleRow]:
    """The assignment's live examples, oldest first (two queries)."""
    author = aliased(User)
    grader = aliased(User)
    reference = aliased(Review)
    rows = db.session.execute(
        select(
            CalibrationExample,
            author.username,
            Submission.version,
            reference.id,
            reference.state,
            reference.reviewer_id,
            grader.username,
        )
        .join(BuildLog, BuildLog.id == CalibrationExample.log_id)
        .join(author, author.id == BuildLog.user_id)
        .join(Submission, Submission.id == CalibrationExample.submission_id)
        .outerjoin(reference, reference.id == CalibrationExample.reference_review_id)
        .outerjoin(grader, grader.id == reference.reviewer_id)
        .where(
            CalibrationExample.assignment_id == assignment.id,
            CalibrationExample.removed_at.is_(None),
        )
        .order_by(CalibrationExample.id)
    ).all()
    practised = dict(
        db.session.execute(
            select(Review.log_id, func.count(Review.id))
            .where(
                Review.assignment_id == assignment.id,
                Review.kind == CALIBRATION,
                Review.state == SUBMITTED,
            )
            .group_by(Review.log_id)
        ).all()
    )
    return [
        ExampleRow(
            example=example,
            author=username,
            version=version,
            reference_id=reference_id,
            reference_state=state,
            reference_by_id=by_id,
            reference_by=by_name,
            practised=practised.get(example.log_id, 0),
        )
        for example, username, version, reference_id, state, by_id, by_name in rows
    ]


def candidates(assignment: Assignment) -> list[Candidate]:
    """Submitted logs that are not live examples, by username, latest version (one query)."""
    latest = (
        select(Submission.log_id, func.max(Submission.version).label("version"))
        .group_by(Submission.log_id)
        .subquery()
    )
    live = select(CalibrationExample.log_id).where(
        CalibrationExample.assignment_id == assignment.id,
        CalibrationExample.removed_at.is_(None),
    )
    rows = db.session.execute(
        select(BuildLog.id, User.username, Submission.version, Submission.created_at)
        .join(User, User.id == BuildLog.user_id)
        .join(latest, latest.c.log_id == BuildLog.id)
        .join(
            Submission,
            (Submission.log_id == BuildLog.id) & (Submission.version == latest.c.version),
        )
        .where(BuildLog.assignment_id == assignment.id, BuildLog.id.not_in(live))
        .order_by(User.username, BuildLog.id)
    )
    return [Candidate(*row) for row in rows]


def example_in(assignment: Assignment, example_id: int) -> CalibrationExample | None:
    """The example ``example_id`` if it belongs to ``assignment`` (removed ones too)."""
    return db.session.scalar(
        select(CalibrationExample).where(
            CalibrationExample.id == example_id,
            CalibrationExample.assignment_id == assignment.id,
        )
    )


def add_example(
    maintainer: User, assignment: Assignment, log_id: int, *, now: datetime | None = None
) -> tuple[CalibrationExample, Review]:
    """Make the log an example (or bring a removed one back) and return the reference
    review to write: the maintainer's own, created if needed.

    On an example that is not ready yet (another maintainer started its reference and
    did not finish), the acting maintainer's reference review becomes the example's
    reference. A removed example whose reference was submitted comes back ready, and
    that submitted review is returned. Raises CalibrationRefused: ``no_submission`` for a
    log of another assignment or never submitted, ``already_example`` for a live, ready
    example.
    """
    now = now or utcnow()
    submission_id = db.session.scalar(
        select(Submission.id)
        .join(BuildLog, BuildLog.id == Submission.log_id)
        .where(BuildLog.id == log_id, BuildLog.assignment_id == assignment.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    if submission_id is None:
        raise CalibrationRefused("no_submission")
    example = _example_of_log(assignment, log_id)
    if example is None:
        example = _create_example(maintainer, assignment, log_id, submission_id)
    reference = example.reference_review
    if reference is not None and reference.state == SUBMITTED:
        if example.removed_at is None:
            raise CalibrationRefused("already_example")
        example.removed_at = None
        db.session.flush()
        return example, reference
    example.removed_at = None
    mine = own_review(maintainer, log_id, REFERENCE) or create_review(
        maintainer, assignment, example, REFERENCE, now
    )
    example.reference_review_id = mine.id
    db.session.flush()
    db.session.expire(example, ["reference_review"])
    return example, mine


def _example_of_log(assignment: Assignment, log_id: int) -> CalibrationExample | None:
    return db.session.scalar(
        select(CalibrationExample)
        .where(
            CalibrationExample.assignment_id == assignment.id, CalibrationExample.log_id == log_id
        )
        .options(selectinload(CalibrationExample.reference_review))
    )


def _create_example(
    maintainer: User, assignment: Assignment, log_id: int, submission_id: int
) -> CalibrationExample:
    """A new example; if another maintainer created it at the same moment, theirs."""
    try:
        with db.session.begin_nested():
            example = CalibrationExample(
                assignment_id=assignment.id,
                log_id=log_id,
                submission_id=submission_id,
                created_by_id=maintainer.id,
            )
            db.session.add(example)
            db.session.flush()
    except IntegrityError:
        found = _example_of_log(assignment, log_id)
        assert found is not None
        return found
    return example


def remove_example(
    maintainer: User, example: CalibrationExample, *, now: datetime | None = None
) -> None:
    """Stop offering the example. Practice reviews of it stay (and keep their results)."""
    if example.removed_at is None:
        example.removed_at = now or utcnow()
        db.session.flush()
