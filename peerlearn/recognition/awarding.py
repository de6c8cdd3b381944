"""Who has earned which badge, and issuing it: idempotent, so every signal, the backfill
command and a double click all come to the same rows.

- A course badge: every live module of the course marked done, and every live assignment
  passed — the learner's submitted build log has a final grade (the maintainer's override,
  else the peers') of at least the badge class's ``pass_share`` of the points (default half:
  assignments have no pass mark of their own).
- "Helpful reviewer": ``BADGE_HELPFUL_REVIEWS`` (default 5) submitted reviews whose authors
  rated them 4 or 5 out of 5.
- "Contributor": ``BADGE_CONTRIBUTIONS`` (default 1) contributions accepted upstream — a
  proposal the person made that was accepted, or a revision of theirs an accepted proposal
  carried upstream (they may not be the proposer), whichever count is higher.

A revoked badge is never issued again by these checks: revoking is a maintainer's
decision, and an automatic award must not quietly undo it.

Services flush and never commit (house rule 1).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment, BuildLog
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.authoring.proposals import ACCEPTED
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.content.models import Course, Module, ModuleRevision
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.recognition.models import Assertion, BadgeClass, BadgeKind
from peerlearn.review.grading.grades import assignment_grades
from peerlearn.review.models import Review, ReviewFeedback, ReviewState

#: A rating at least this high (out of 5) makes a review "helpful".
HELPFUL_RATING = 4
DEFAULT_HELPFUL_REVIEWS = 5
DEFAULT_CONTRIBUTIONS = 1
MAX_REASON = 2000


class RevokeRefused(ValueError):
    """``code``: no_reason (empty or too long) or already_revoked."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- badge classes ------------------------------------------------------------------------


def _threshold(kind: BadgeKind) -> int:
    if kind == BadgeKind.HELPFUL_REVIEWER:
        return int(current_app.config.get("BADGE_HELPFUL_REVIEWS", DEFAULT_HELPFUL_REVIEWS))
    if kind == BadgeKind.CONTRIBUTOR:
        return int(current_app.config.get("BADGE_CONTRIBUTIONS", DEFAULT_CONTRIBUTIONS))
    return 1


def _get_or_create(key: str, **fields: object) -> BadgeClass:
    found = db.session.scalar(select(BadgeClass).where(BadgeClass.key == key))
    if found is not None:
        return found
    badge = BadgeClass(key=key, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(badge)
    except IntegrityError:  # created by a concurrent request
        found = db.session.scalar(select(BadgeClass).where(BadgeClass.key == key))
        assert found is not None
        return found
    return badge


def course_badge(course: Course) -> BadgeClass:
    """The course's badge class, created the first time it is needed."""
    return _get_or_create(f"course-{course.id}", kind=BadgeKind.COURSE.value, course_id=course.id)


def site_badge(kind: BadgeKind) -> BadgeClass:
    """A site-wide badge class (helpful reviewer, contributor), created when first needed;
    its threshold is the configured one at that moment."""
    return _get_or_create(kind.value, kind=kind.value, threshold=_threshold(kind))


# --- issuing ------------------------------------------------------------------------------


def identity_hash(email: str, salt: str) -> str:
    """The Open Badges 2.0 hashed identity: ``sha256$`` + hex SHA-256 of email then salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def issue(user: User, badge: BadgeClass) -> Assertion | None:
    """Issue ``badge`` to ``user`` unless they have it (or had it and it was revoked);
    return the new assertion, or None."""
    exists = db.session.scalar(
        select(Assertion.id).where(
            Assertion.badge_class_id == badge.id, Assertion.user_id == user.id
        )
    )
    if exists is not None:
        return None
    salt = secrets.token_hex(16)
    assertion = Assertion(
        public_id=secrets.token_urlsafe(18),
        badge_class_id=badge.id,
        user_id=user.id,
        salt=salt,
        identity_hash=identity_hash(user.email, salt),
        issued_at=utcnow().replace(microsecond=0),
    )
    try:
        with db.session.begin_nested():
            db.session.add(assertion)
    except IntegrityError:  # issued by a concurrent request: the outcome is the same
        return None
    return assertion


def revoke(actor: User, assertion: Assertion, reason: str) -> None:
    """Take a badge back, saying why; the assertion then answers 410 with the reason."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise RevokeRefused("no_reason")
    if assertion.revoked_at is not None:
        raise RevokeRefused("already_revoked")
    assertion.revoked_at = utcnow()
    assertion.revoked_by_id = actor.id
    assertion.revocation_reason = reason
    db.session.flush()


# --- criteria -----------------------------------------------------------------------------


def _active(user: User) -> bool:
    return user.deleted_at is None


def has_completed(user: User, course: Course, badge: BadgeClass) -> bool:
    """Every live module done and every live assignment passed (see the module doc)."""
    module_ids = list(
        db.session.scalars(
            select(Module.id).where(Module.course_id == course.id, Module.removed_at.is_(None))
        )
    )
    if not module_ids:
        return False
    done = db.session.scalar(
        select(func.count(ModuleProgress.id)).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_(module_ids)
        )
    )
    if done != len(module_ids):
        return False
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.course_id == course.id, Assignment.removed_at.is_(None))
    )
    for assignment in assignments:
        log_id = db.session.scalar(
            select(BuildLog.id).where(
                BuildLog.assignment_id == assignment.id, BuildLog.user_id == user.id
            )
        )
        if log_id is None:
            return False
        grade = assignment_grades(assignment).get(log_id)
        if grade is None or grade.final is None:
            return False
        if grade.final < Decimal(badge.pass_share) * grade.max_total:
            return False
    return True


def helpful_reviews(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Review.id))
            .join(ReviewFeedback, ReviewFeedback.review_id == Review.id)
            .where(
                Review.reviewer_id == user.id,
                Review.state == ReviewState.SUBMITTED.value,
                ReviewFeedback.rating >= HELPFUL_RATING,
            )
        )
        or 0
    )


def contributions(user: User) -> int:
    proposed = (
        db.session.scalar(
            select(func.count(ChangeProposal.id)).where(
                ChangeProposal.author_id == user.id, ChangeProposal.status == ACCEPTED
            )
        )
        or 0
    )
    credited = (
        db.session.scalar(
            select(func.count(ModuleRevision.id)).where(
                ModuleRevision.author_id == user.id, ModuleRevision.kind == "proposal"
            )
        )
        or 0
    )
    return max(proposed, credited)


def check_course(user: User, course: Course) -> Assertion | None:
    """Issue the course badge if ``user`` has earned it; None otherwise or if they have it."""
    if not _active(user):
        return None
    badge = course_badge(course)
    if _held(user, badge) or not has_completed(user, course, badge):
        return None
    return issue(user, badge)


def check_reviewer(user: User) -> Assertion | None:
    if not _active(user):
        return None
    badge = site_badge(BadgeKind.HELPFUL_REVIEWER)
    if _held(user, badge) or helpful_reviews(user) < badge.threshold:
        return None
    return issue(user, badge)


def check_contributor(user: User) -> Assertion | None:
    if not _active(user):
        return None
    badge = site_badge(BadgeKind.CONTRIBUTOR)
    if _held(user, badge) or contributions(user) < badge.threshold:
        return None
    return issue(user, badge)


def _held(user: User, badge: BadgeClass) -> bool:
    """Issued already, revoked or not (cheaper than the criteria, so asked first)."""
    return (
        db.session.scalar(
            select(Assertion.id).where(
                Assertion.badge_class_id == badge.id, Assertion.user_id == user.id
            )
        )
        is not None
    )


def award_earned(user: User) -> list[Assertion]:
    """Every badge ``user`` has earned and not yet been issued (the backfill's unit)."""
    courses = db.session.scalars(
        select(Course)
        .where(
            Course.id.in_(select(Enrolment.course_id).where(Enrolment.user_id == user.id))
            | Course.id.in_(
                select(Module.course_id)
                .join(ModuleProgress, ModuleProgress.module_id == Module.id)
                .where(ModuleProgress.user_id == user.id)
            )
        )
        .order_by(Course.id)
    )
    found = [check_course(user, course) for course in courses]
    found += [check_reviewer(user), check_contributor(user)]
    return [assertion for assertion in found if assertion is not None]


def award_all(users: Iterable[User]) -> int:
    """Backfill: check everyone; return how many badges were issued."""
    return sum(len(award_earned(user)) for user in users)


def profile_badges(user: User) -> list[Assertion]:
    """The badges a profile lists: standing ones, newest first (two queries)."""
    return list(
        db.session.scalars(
            select(Assertion)
            .where(Assertion.user_id == user.id, Assertion.revoked_at.is_(None))
            .options(selectinload(Assertion.badge_class).selectinload(BadgeClass.course))
            .order_by(Assertion.issued_at.desc(), Assertion.id.desc())
        )
    )
