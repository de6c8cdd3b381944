"""Calibration, the learners' side: which examples they are offered, starting a practice
review, and its result next to the reference.

The offer is stable (see :mod:`peerlearn.review.calibration.calibration`): the examples a learner
finished, then the ones they started, then fresh ones, oldest example first, never their
own log. Examples are numbered 1, 2, 3 and never named.

Services take the acting user, flush and never commit (house rule 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.calibration.calibration import (
    CALIBRATION,
    SUBMITTED,
    CalibrationRefused,
    create_review,
)
from peerlearn.review.calibration.calibration_comparison import Comparison, compare
from peerlearn.review.models import CalibrationExample, Review

# --- The offer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeItem:
    """One example offered to a learner, numbered 1, 2, 3 (never named)."""

    number: int
    example_id: int
    review_id: int | None
    review_state: str | None

    @property
    def done(self) -> bool:
        return self.review_state == SUBMITTED

    @property
    def started(self) -> bool:
        return self.review_state is not None and not self.done


@dataclass(frozen=True)
class _Known:
    example_id: int
    log_id: int
    live: bool
    ready: bool
    own: bool


def _offer(user: User, assignment: Assignment) -> tuple[list[PracticeItem], dict[int, _Known]]:
    """The learner's offer, and every example of the assignment as the rules see it
    (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return [], {}
    limit = spec_of(assignment).calibration_examples
    reference = aliased(Review)
    known = {
        example_id: _Known(
            example_id, log_id, removed_at is None, state == SUBMITTED, author_id == user.id
        )
        for example_id, log_id, removed_at, state, author_id in db.session.execute(
            select(
                CalibrationExample.id,
                CalibrationExample.log_id,
                CalibrationExample.removed_at,
                reference.state,
                BuildLog.user_id,
            )
            .join(BuildLog, BuildLog.id == CalibrationExample.log_id)
            .outerjoin(reference, reference.id == CalibrationExample.reference_review_id)
            .where(CalibrationExample.assignment_id == assignment.id)
            .order_by(CalibrationExample.id)
        )
    }
    if limit <= 0 or not known:
        return [], known
    mine = {
        log_id: (review_id, state)
        for log_id, review_id, state in db.session.execute(
            select(Review.log_id, Review.id, Review.state).where(
                Review.assignment_id == assignment.id,
                Review.reviewer_id == user.id,
                Review.kind == CALIBRATION,
            )
        )
    }
    ranked: list[tuple[int, int]] = []
    for example in known.values():
        if example.own:
            continue
        review_id, state = mine.get(example.log_id, (None, None))
        if state == SUBMITTED:
            ranked.append((0, example.example_id))
        elif example.live and example.ready:
            ranked.append((1 if review_id is not None else 2, example.example_id))
    chosen = sorted(example_id for _rank, example_id in sorted(ranked)[:limit])
    items = []
    for number, example_id in enumerate(chosen, start=1):
        review_id, state = mine.get(known[example_id].log_id, (None, None))
        items.append(PracticeItem(number, example_id, review_id, state))
    return items, known


def practice_offer(user: User, assignment: Assignment) -> list[PracticeItem]:
    """The examples offered to ``user``: at most ``spec.calibration_examples``, ready,
    never their own log (two queries)."""
    return _offer(user, assignment)[0]


def practice_status(user: User, assignment: Assignment) -> tuple[int, int]:
    """(done, offered) practice reviews, for "2 of 3 practice reviews done"; (0, 0) when
    the assignment offers none, no example is ready yet, or nobody is signed in."""
    items = practice_offer(user, assignment)
    return sum(1 for item in items if item.done), len(items)


def start_practice(
    user: User, assignment: Assignment, example_id: int, *, now: datetime | None = None
) -> Review:
    """The learner's practice review of the example: created, or the one they have.

    Raises CalibrationRefused: ``unavailable`` (no such live, ready example),
    ``own_example``, ``limit`` (they already have their share of other examples).
    """
    items, known = _offer(user, assignment)
    item = next((item for item in items if item.example_id == example_id), None)
    if item is None:
        seen = known.get(example_id)
        if seen is None or not (seen.live and seen.ready):
            raise CalibrationRefused("unavailable")
        raise CalibrationRefused("own_example" if seen.own else "limit")
    if item.review_id is not None:
        review = db.session.get(Review, item.review_id)
        assert review is not None
        return review
    example = db.session.get(CalibrationExample, example_id)
    assert example is not None
    return create_review(user, assignment, example, CALIBRATION, now or utcnow())


# --- Results ------------------------------------------------------------------------------


def practice_review(review_id: int) -> Review | None:
    """A practice review with its scores, assignment and course (the result page)."""
    return db.session.scalar(
        select(Review)
        .where(Review.id == review_id, Review.kind == CALIBRATION)
        .options(
            selectinload(Review.scores),
            selectinload(Review.assignment).selectinload(Assignment.course),
        )
    )


@dataclass(frozen=True)
class PracticeResult:
    comparison: Comparison
    #: The reference's overall comment (Markdown).
    reference_overall: str


def result_of(review: Review) -> PracticeResult | None:
    """The practice review compared with its example's submitted reference (None when
    there is no submitted reference to compare with). Two queries."""
    reference = db.session.scalar(
        select(Review)
        .join(CalibrationExample, CalibrationExample.reference_review_id == Review.id)
        .where(
            CalibrationExample.assignment_id == review.assignment_id,
            CalibrationExample.log_id == review.log_id,
            Review.state == SUBMITTED,
        )
        .options(selectinload(Review.scores))
    )
    if reference is None:
        return None
    comparison = compare(
        spec_of(review.assignment),
        {s.criterion: (s.points, s.comment) for s in review.scores},
        {s.criterion: (s.points, s.comment) for s in reference.scores},
    )
    return PracticeResult(comparison, reference.overall_comment)
