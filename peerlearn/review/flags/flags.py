"""Flags: the author of a build log reports a review they received as inappropriate, and a
maintainer decides whether it keeps counting.

A review can be reported once, by the author of the log it reviews, and only a submitted
peer or staff review (the kinds an author reads). The maintainer either keeps it or
discards it (``queue.discard``: the text stays, it stops counting and the log goes back
to the pool for another review); either way the flag row records the decision, who made
it, when and the note the author reads.

Services take the acting user, flush and never commit (house rule 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, Update, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.allocation import queue
from peerlearn.review.models import Review, ReviewFlag, ReviewKind, ReviewState

#: The kinds of review an author receives, hence the only ones they can report.
FLAGGABLE_KINDS = (ReviewKind.PEER.value, ReviewKind.STAFF.value)
#: Resolved flags shown under the open ones, newest first.
RECENT_RESOLVED = 20


class Resolution(StrEnum):
    #: The review stopped counting; the log needs another one.
    DISCARDED = "discarded"
    #: The review still counts.
    KEPT = "kept"


class FlagRefused(Exception):
    """``code``: not_author, already_flagged, already_resolved (``staff.forms.REFUSALS``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_flaggable(review: Review) -> bool:
    """Whether the review is one an author receives and may report."""
    return review.kind in FLAGGABLE_KINDS and review.state == ReviewState.SUBMITTED.value


def flag_of(review: Review) -> ReviewFlag | None:
    return db.session.scalar(
        select(ReviewFlag).where(ReviewFlag.review_id == review.id).order_by(ReviewFlag.id)
    )


def flags_by_review(review_ids: Iterable[int]) -> dict[int, ReviewFlag]:
    """The flag of each review that has one, in one query: what the "reviews received"
    page passes to ``review/_flag.html`` as ``flag``."""
    ids = list(review_ids)
    if not ids:
        return {}
    found: dict[int, ReviewFlag] = {}
    for flag in db.session.scalars(
        select(ReviewFlag).where(ReviewFlag.review_id.in_(ids)).order_by(ReviewFlag.id.desc())
    ):
        found[flag.review_id] = flag  # the oldest wins: it is the one that counts
    return found


def flag_review(author: User, review: Review, reason: str) -> ReviewFlag:
    """Report ``review`` as inappropriate, with the author's reason (already checked by
    the form: not empty, not too long).

    The review row is locked first, so two reports sent at the same moment
    are one report and one refusal. Raises FlagRefused: ``not_author``,
    ``already_flagged``; ValueError for a review that is not flaggable (the view 404s).
    """
    if not is_flaggable(review):
        raise ValueError("only submitted peer and staff reviews can be flagged")
    if review.log.user_id != author.id:
        raise FlagRefused("not_author")
    _lock(update(Review).where(Review.id == review.id).values(state=Review.state))
    if flag_of(review) is not None:
        raise FlagRefused("already_flagged")
    flag = ReviewFlag(review_id=review.id, flagged_by_id=author.id, reason=reason)
    db.session.add(flag)
    db.session.flush()
    return flag


def _lock(statement: Update) -> None:
    """Run a no-op UPDATE: it locks the row on PostgreSQL and takes the database write
    lock on SQLite, so the check that follows cannot race with another request's."""
    db.session.execute(statement.execution_options(synchronize_session=False))


def _with_review(scores: bool = True) -> LoaderOption:
    names = (selectinload(Review.reviewer), selectinload(Review.log).selectinload(BuildLog.user))
    extra = (selectinload(Review.scores),) if scores else ()
    return selectinload(ReviewFlag.review).options(*names, *extra)


def _of_authors(statement: Select[Any], learners: frozenset[int] | None) -> Select[Any]:
    """Only flags on reviews of ``learners``' logs (a circle's), when given."""
    if learners is None:
        return statement
    return statement.join(BuildLog, BuildLog.id == Review.log_id).where(
        BuildLog.user_id.in_(learners)
    )


def open_flags(assignment: Assignment, learners: frozenset[int] | None = None) -> list[ReviewFlag]:
    """Unresolved flags of the assignment, oldest first, each with its review, the
    review's scores, the reviewer and the log's author (five queries in all); only those
    about ``learners``' logs when given."""
    statement = (
        select(ReviewFlag)
        .join(Review, Review.id == ReviewFlag.review_id)
        .where(Review.assignment_id == assignment.id, ReviewFlag.resolved_at.is_(None))
        .order_by(ReviewFlag.created_at, ReviewFlag.id)
        .options(_with_review())
    )
    return list(db.session.scalars(_of_authors(statement, learners)))


def recently_resolved(
    assignment: Assignment,
    limit: int = RECENT_RESOLVED,
    learners: frozenset[int] | None = None,
) -> list[ReviewFlag]:
    """The latest resolved flags, newest first, with reviewer and author (not scores)."""
    statement = (
        select(ReviewFlag)
        .join(Review, Review.id == ReviewFlag.review_id)
        .where(Review.assignment_id == assignment.id, ReviewFlag.resolved_at.is_not(None))
        .order_by(ReviewFlag.resolved_at.desc(), ReviewFlag.id.desc())
        .limit(limit)
        .options(_with_review(scores=False))
    )
    return list(db.session.scalars(_of_authors(statement, learners)))


def usernames(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames by id, in one query (who resolved the flags on a page)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


def flag_in(assignment: Assignment, flag_id: int) -> ReviewFlag | None:
    """The flag ``flag_id`` if it is about a review of ``assignment`` (else None)."""
    return db.session.scalar(
        select(ReviewFlag)
        .join(Review, Review.id == ReviewFlag.review_id)
        .where(ReviewFlag.id == flag_id, Review.assignment_id == assignment.id)
        .options(selectinload(ReviewFlag.review))
    )


def resolve_flag(
    maintainer: User,
    flag: ReviewFlag,
    decision: Resolution,
    note: str,
    *,
    now: datetime | None = None,
) -> None:
    """Record the maintainer's decision on ``flag``; discarding also discards the review
    (``queue.discard``, with ``note`` as the reason).

    The flag row is locked and re-read first, so two maintainers deciding at once give
    one decision and one ``FlagRefused("already_resolved")``.
    """
    now = now or utcnow()
    _lock(
        update(ReviewFlag).where(ReviewFlag.id == flag.id).values(resolution=ReviewFlag.resolution)
    )
    db.session.refresh(flag, ["resolved_at"])
    if flag.resolved_at is not None:
        raise FlagRefused("already_resolved")
    if decision is Resolution.DISCARDED:
        queue.discard(flag.review, by=maintainer, reason=note, now=now)
    flag.resolved_at = now
    flag.resolved_by_id = maintainer.id
    flag.resolution = decision.value
    flag.resolution_note = note
    db.session.flush()
