"""Where a learner stands in peer review, for the assignment page's "next step".

The assignment page (:mod:`peerlearn.review.reviewing.assignment_page`, on the assignments
blueprint) makes this one call into peer review, so it learns the review phase without
knowing the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from peerlearn.accounts.models import User
from peerlearn.assignments.deadlines import deadlines_of
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.review.allocation import invitations, queue_counts
from peerlearn.review.reviewing import reviewing


class ReviewStep(StrEnum):
    #: Give reviews: fewer than must_review given and reviews are still open.
    REVIEW = "review"
    #: Enough reviews given; the learner's own log still waits for its reviews.
    WAIT = "wait"
    #: Enough given and received: the grade can be seen.
    GRADE = "grade"
    #: The review deadline passed before the learner gave enough reviews.
    CLOSED = "closed"


@dataclass(frozen=True)
class ReviewProgress:
    step: ReviewStep
    given: int
    must_review: int
    received: int
    required: int
    #: The review the learner holds and has not submitted (continue it), if any.
    lease_id: int | None
    reviews_open: bool
    #: Quota met, and a classmate's log the learner may review still waits after its
    #: author gave their reviews: the page invites one more review.
    invited: bool = False


def grade_visible(given: int, must_review: int, received: int, required: int) -> bool:
    """Whether the author sees their grade: enough reviews given and received (the rule
    the assignment page and the facilitator's view both follow)."""
    return given >= must_review and received >= required


def review_progress(
    user: User, assignment: Assignment, log: BuildLog, now: datetime | None = None
) -> ReviewProgress:
    """The learner's review step once their log is submitted (a few small queries)."""
    now = now or utcnow()
    spec = spec_of(assignment)
    given = queue_counts.completed_by(user, assignment)
    received, _leased, required = queue_counts.counts_of(log)
    lease = reviewing.live_lease(user, assignment, now)
    review_by = deadlines_of(user.id, assignment).review_by
    reviews_open = review_by is None or now < review_by
    if given < spec.must_review:
        step = ReviewStep.REVIEW if reviews_open else ReviewStep.CLOSED
    elif grade_visible(given, spec.must_review, received, required):
        step = ReviewStep.GRADE
    else:
        step = ReviewStep.WAIT
    invited = (
        step in (ReviewStep.WAIT, ReviewStep.GRADE)
        and reviews_open
        and lease is None
        and invitations.waiting_for(user, assignment, now=now)
    )
    return ReviewProgress(
        step=step,
        given=given,
        must_review=spec.must_review,
        received=received,
        required=required,
        lease_id=lease.id if lease else None,
        reviews_open=reviews_open,
        invited=invited,
    )
