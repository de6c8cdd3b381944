"""Notifications for peer review: what happened, for whom, and where to look.

``notify`` only records a notice (add + flush); it never commits and never sends, so it
joins the caller's transaction like every other service, and a notice exists only if the
change it announces was committed with it.

The text of a notice is not stored: ``message`` builds it when shown, from ``kind`` and
``params``, in the language of whoever reads it (the page's language in the app, the
recipient's saved language in an email). Notices never carry a reviewer's or an author's
name, because peer review is double-blind; they say what happened and link to it.

Delivery by email (or, without SMTP, to the log) is ``peerlearn.review.mail``. To send
the notices of a request once and only once they are committed, ``notify`` remembers the
new ids in the session, a commit moves them to the "committed" list, a rollback forgets
them, and the request's last step hands the committed ones to the mailer (see
``take_committed``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import url_for
from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from peerlearn.accounts.models import User
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.review.models import Notification, Review, ReviewKind, ReviewState

PER_PAGE = 20

#: How long before a peer review lease runs out its reviewer is reminded.
LEASE_WARNING = timedelta(hours=1)

_PENDING = "peerlearn.notices.pending"
_COMMITTED = "peerlearn.notices.committed"


class NoticeKind(StrEnum):
    #: A learner was given a build log to review (params: assignment).
    REVIEW_ASSIGNED = "review_assigned"
    #: A review lease runs out soon (params: assignment, hours, review); made by the CLI.
    LEASE_EXPIRING = "lease_expiring"
    #: An author's build log received a review (params: assignment).
    REVIEW_RECEIVED = "review_received"
    #: An author's grade can be seen (params: assignment).
    GRADE_READY = "grade_ready"
    #: A maintainer answered an author's regrade request (params: assignment).
    REGRADE_ANSWERED = "regrade_answered"


def notify(user_id: int, kind: NoticeKind, url: str, **params: str | int) -> Notification:
    """Record a notice for ``user_id`` linking to the local path ``url``.

    ``params`` are what the message needs (see ``NoticeKind``): stored as JSON, turned
    into text when shown. Never pass a reviewer's or an author's name.
    """
    notice = Notification(
        user_id=user_id,
        kind=NoticeKind(kind).value,
        params=json.dumps(params, ensure_ascii=False, sort_keys=True),
        url=url,
    )
    db.session.add(notice)
    db.session.flush()
    db.session.info.setdefault(_PENDING, set()).add(notice.id)
    return notice


# --- Text -------------------------------------------------------------------------------


def params_of(notice: Notification) -> dict[str, Any]:
    try:
        params = json.loads(notice.params or "{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def message(notice: Notification) -> str:
    """The notice as one sentence in the current language."""
    params = params_of(notice)
    assignment = str(params.get("assignment", ""))
    try:
        match notice.kind:
            case NoticeKind.REVIEW_ASSIGNED:
                return _(
                    "You have a build log to review for “%(assignment)s”.", assignment=assignment
                )
            case NoticeKind.LEASE_EXPIRING:
                hours = int(params.get("hours", 1))
                return ngettext(
                    "Your review for “%(assignment)s” expires in %(hours)s hour. Submit it "
                    "before then, or the build log goes to another reviewer.",
                    "Your review for “%(assignment)s” expires in %(hours)s hours. Submit it "
                    "before then, or the build log goes to another reviewer.",
                    hours,
                    assignment=assignment,
                    hours=hours,
                )
            case NoticeKind.REVIEW_RECEIVED:
                return _(
                    "Your build log for “%(assignment)s” received a new review.",
                    assignment=assignment,
                )
            case NoticeKind.GRADE_READY:
                return _("Your grade for “%(assignment)s” is ready.", assignment=assignment)
            case NoticeKind.REGRADE_ANSWERED:
                return _(
                    "Your regrade request for “%(assignment)s” has been answered.",
                    assignment=assignment,
                )
    except (KeyError, TypeError, ValueError):
        pass  # a broken translation or stored value: say something rather than fail a page
    return _("You have a new notification.")


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticePage:
    """One page of a user's notices, newest first, with the counts the page shows."""

    items: list[Notification]
    page: int
    per_page: int
    total: int
    unread: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notices_page(user: User, page: int, per_page: int = PER_PAGE) -> NoticePage | None:
    """A page of ``user``'s notices in two queries; None when the page does not exist."""
    total, unread = db.session.execute(
        select(
            func.count(Notification.id),
            func.coalesce(func.sum(case((Notification.read_at.is_(None), 1), else_=0)), 0),
        ).where(Notification.user_id == user.id)
    ).one()
    result = NoticePage([], page, per_page, int(total or 0), int(unread or 0))
    if page < 1 or page > result.pages:
        return None
    items = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return NoticePage(items, page, per_page, result.total, result.unread)


# --- Marking read -----------------------------------------------------------------------


def mark_all_read(user: User) -> int:
    """Mark every unread notice of ``user`` read; returns how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def open_notice(user: User, notice_id: int) -> Notification | None:
    """``user``'s notice ``notice_id``, marked read; None when it is not theirs."""
    notice = db.session.get(Notification, notice_id)
    if notice is None or notice.user_id != user.id:
        return None
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice


# --- Lease reminders (run by ``flask peerlearn notify``) --------------------------------


def notify_expiring_leases(now: datetime | None = None) -> list[Notification]:
    """Remind reviewers whose peer review lease runs out within ``LEASE_WARNING``.

    Each lease is reminded once: a LEASE_EXPIRING notice naming the review's id in its
    params means it was done. Needs a request context for ``url_for`` (the CLI makes one).
    A fixed number of queries, however many leases expire.
    """
    now = now or utcnow()
    leases = list(
        db.session.scalars(
            select(Review)
            .where(
                Review.kind == ReviewKind.PEER.value,
                Review.state == ReviewState.LEASED.value,
                Review.lease_expires_at > now,
                Review.lease_expires_at <= now + LEASE_WARNING,
            )
            .options(selectinload(Review.assignment).selectinload(Assignment.current))
            .order_by(Review.id)
        )
    )
    if not leases:
        return []
    # A reminder for a lease is younger than the lease, which bounds what is read here
    # (and a review handed out again gets a reminder for its new lease).
    reminded: dict[tuple[int, Any], datetime] = {}
    for notice in db.session.scalars(
        select(Notification).where(
            Notification.kind == NoticeKind.LEASE_EXPIRING.value,
            Notification.user_id.in_({lease.reviewer_id for lease in leases}),
            Notification.created_at >= min(lease.leased_at for lease in leases),
        )
    ):
        key = (notice.user_id, params_of(notice).get("review"))
        reminded[key] = max(notice.created_at, reminded.get(key, notice.created_at))
    created = []
    for lease in leases:
        # Deleting an account releases its leases, so a leased review has its reviewer.
        assert lease.reviewer_id is not None
        last = reminded.get((lease.reviewer_id, lease.id))
        if last is not None and last >= lease.leased_at:
            continue
        assert lease.lease_expires_at is not None  # the query asked for it
        hours = max(1, math.ceil((lease.lease_expires_at - now) / timedelta(hours=1)))
        created.append(
            notify(
                lease.reviewer_id,
                NoticeKind.LEASE_EXPIRING,
                url_for("review.write", review_id=lease.id),  # where the draft is
                assignment=spec_of(lease.assignment).title,
                hours=hours,
                review=lease.id,
            )
        )
    return created


# --- Which notices a transaction committed ----------------------------------------------


def take_committed(session: Session | Any) -> set[int]:
    """The ids of notices committed by ``session`` since the last call (and forget them)."""
    ids: set[int] = session.info.pop(_COMMITTED, set())
    return ids


@event.listens_for(db.session, "after_commit")
def _notices_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, set()).update(pending)


@event.listens_for(db.session, "after_soft_rollback")
def _notices_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint's rollback keeps the ids: those of notices made inside it are simply
    # not found when the committed ones are read back.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
