"""Deleting an account: what goes, what stays in the commons, and under whose name.

Everything personal goes: build logs (with their entries, photos, measurements,
submissions and the reviews and grades of them), enrolments, progress, notifications,
translator and maintainer roles, the email, the password hash and the preferences. What
the person gave to the commons stays under its licence: module and assignment revisions,
proposals and their comments, translation suggestions and course events keep pointing to
the account's row, which keeps no personal data and is credited as the person chose
("a former contributor" by default). Reviews they gave stay, so that the grades of the
people they reviewed do not change, but no longer point to anyone (``reviewer_id`` is
NULL). docs/accounts.md walks every table.

Services take the acting user and flush; the view commits (one transaction: a failure
leaves the account as it was).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import aliased

from peerlearn.accounts.models import (
    CREDIT_NAME_MAX,
    FORMER_CONTRIBUTOR,
    AccountToken,
    User,
    UserSession,
)
from peerlearn.assignments.models import BuildLog, BuildLogEntry, EntryPhoto, PhotoBlob, Submission
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.circles.models import CircleMember
from peerlearn.community_i18n.models import Translator
from peerlearn.content.models import Course, CourseAuthor, CourseEvent, CourseMaintainer
from peerlearn.db import rowcount, utcnow
from peerlearn.extensions import db
from peerlearn.notifications.models import Notification
from peerlearn.recognition.models import Assertion
from peerlearn.review.models import Review, ReviewKind, ReviewQueue, ReviewState

#: The longest credit name a person may choose.
#: Reviews that never reached anyone: live or lapsed leases (drafts) and practice reviews.
_UNFINISHED = (ReviewState.LEASED.value, ReviewState.EXPIRED.value)


@dataclass(frozen=True)
class DeletionReport:
    """What the deletion did, for the confirmation message and the tests."""

    build_logs: int
    photos_deleted: int
    reviews_kept: int
    courses_left_unmaintained: list[str]


def sole_maintained_courses(user: User) -> list[Course]:
    """Courses that would have no maintainer left if ``user`` deleted their account."""
    other = aliased(CourseMaintainer)
    others = (
        select(other.id)
        .where(other.course_id == Course.id, other.user_id != user.id)
        .correlate(Course)
        .exists()
    )
    return list(
        db.session.scalars(
            select(Course)
            .join(CourseMaintainer, CourseMaintainer.course_id == Course.id)
            .where(CourseMaintainer.user_id == user.id, ~others)
            .order_by(Course.title, Course.id)
        )
    )


def delete_account(
    user: User, *, credit_name: str | None = None, now: datetime | None = None
) -> DeletionReport:
    """Delete ``user``'s account as described in the module docstring.

    ``credit_name`` is how their contributions to the commons are credited from now on;
    None or blank means "a former contributor". Courses only they maintained become
    unmaintained (the confirmation page says so and asks them to accept it first).
    """
    now = now or utcnow()
    uid = user.id
    unmaintained = [course.slug for course in sole_maintained_courses(user)]

    # Sessions and emailed links hold personal data (a browser's name, an address): gone.
    db.session.execute(delete(UserSession).where(UserSession.user_id == uid))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == uid))
    _release_leases(uid)
    # Drafts that never reached an author, and practice reviews, are the reviewer's alone.
    db.session.execute(
        delete(Review).where(
            Review.reviewer_id == uid,
            (Review.state.in_(_UNFINISHED)) | (Review.kind == ReviewKind.CALIBRATION.value),
        )
    )
    log_ids = list(db.session.scalars(select(BuildLog.id).where(BuildLog.user_id == uid)))
    # Reviews of others' logs stay for their grades; the link to the reviewer goes.
    kept = rowcount(
        db.session.execute(
            update(Review)
            .where(Review.reviewer_id == uid, Review.log_id.not_in(log_ids or [-1]))
            .values(reviewer_id=None)
        )
    )

    blob_ids = set(
        db.session.scalars(
            select(EntryPhoto.blob_id)
            .join(BuildLogEntry, BuildLogEntry.id == EntryPhoto.entry_id)
            .where(BuildLogEntry.log_id.in_(log_ids))
        )
    )
    # The database cascades to entries, photos, measurements, submissions, the review
    # queue, reviews of these logs (and their scores, feedback, flags), calibration
    # examples, grade overrides, regrade requests and requirement changes.
    if log_ids:
        db.session.execute(delete(BuildLog).where(BuildLog.id.in_(log_ids)))
    photos_deleted = _delete_orphan_photos(blob_ids)

    # Badges say who did what (and hold a hash of the email): theirs, so they go; their
    # public URLs answer 404 from now on.
    # Circle memberships say where and when they met: theirs, so they go too.
    for model in (
        Enrolment, ModuleProgress, Notification, Translator, CourseMaintainer, Assertion,
        CircleMember,
    ):  # fmt: skip
        db.session.execute(delete(model).where(model.user_id == uid))

    credit = (credit_name or "").strip()[:CREDIT_NAME_MAX] or None
    _rename_in_credits(user.username, credit)
    _strip_personal_data(user, credit, now)
    db.session.flush()
    db.session.expire_all()  # loaded objects must not show rows the bulk statements removed
    return DeletionReport(len(log_ids), photos_deleted, kept, unmaintained)


def _release_leases(uid: int) -> None:
    """Give back to the pool every build log the person holds for review (a live peer or
    staff lease), so that the log's counts stay right and someone else can take it."""
    held = db.session.execute(
        select(Review.log_id, func.count())
        .where(Review.reviewer_id == uid, Review.state == ReviewState.LEASED.value)
        .where(Review.kind.in_([ReviewKind.PEER.value, ReviewKind.STAFF.value]))
        .group_by(Review.log_id)
    ).all()
    for log_id, count in held:
        db.session.execute(
            update(ReviewQueue)
            .where(ReviewQueue.log_id == log_id)
            .values(leased=ReviewQueue.leased - count, load=ReviewQueue.load - count)
        )


def _delete_orphan_photos(blob_ids: set[int]) -> int:
    """Delete the photos no remaining entry or submission refers to.

    Photos are stored once by content, so another learner who uploaded the same bytes
    keeps them; a submitted snapshot refers to a photo by its SHA-256.
    """
    deleted = 0
    for blob in db.session.scalars(select(PhotoBlob).where(PhotoBlob.id.in_(blob_ids))):
        used = db.session.scalar(
            select(
                exists().where(EntryPhoto.blob_id == blob.id)
                | exists().where(Submission.snapshot.contains(blob.sha256))
            )
        )
        if not used:
            db.session.delete(blob)
            deleted += 1
    return deleted


def _rename_in_credits(username: str, credit: str | None) -> None:
    """Where the username was written down as text, write the chosen credit instead: the
    author list of a course created in the browser, and "added X as a maintainer" events
    (None there reads "a former contributor" in the reader's language)."""
    db.session.execute(
        update(CourseAuthor)
        .where(CourseAuthor.name == username)
        .values(name=credit or str(FORMER_CONTRIBUTOR))
    )
    events = db.session.scalars(
        select(CourseEvent).where(
            CourseEvent.kind == "maintainer_added", CourseEvent.detail.contains(username)
        )
    )
    for event in events:
        detail = json.loads(event.detail)
        if detail.get("username") == username:
            detail["username"] = credit
            event.detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)


def _strip_personal_data(user: User, credit_name: str | None, now: datetime) -> None:
    """Keep the row (the anchor of the person's contributions), not the person."""
    user.username = f"~deleted-{user.id}"  # "~" is refused at registration: never taken
    user.email = f"deleted-{user.id}@invalid"
    user.password_hash = "!"  # matches no password
    user.locale = "en"
    user.timezone = "UTC"
    user.is_admin = False
    user.activity_public = False
    user.locked_at = None
    user.deleted_at = now
    user.credit_name = credit_name
