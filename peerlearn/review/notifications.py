"""The notices of peer review: their kinds and texts, and the lease reminders.

Notices themselves (storing, listing, emailing) are ``peerlearn.notifications``; this
module registers the text of each kind of peer review's, so that the shared service
knows none of them. Notices never carry a reviewer's or an author's name, because peer
review is double-blind; they say what happened and link to it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.notifications import Notification, notify, params_of, register_kind
from peerlearn.review.models import Review, ReviewKind, ReviewState

#: How long before a peer review lease runs out its reviewer is reminded.
LEASE_WARNING = timedelta(hours=1)


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
    #: A learner who gave all their reviews is asked for one more: a classmate's log still
    #: waits after its author gave theirs (params: assignment).
    REVIEW_INVITED = "review_invited"
    #: A log an earlier reviewer reviewed has a new version after feedback, which they
    #: are asked to review first (params: assignment; never the author: double-blind).
    RESUBMISSION_WAITING = "resubmission_waiting"


# --- Text -------------------------------------------------------------------------------


def _assignment(params: dict[str, Any]) -> str:
    return str(params.get("assignment", ""))


def _review_assigned(params: dict[str, Any]) -> str:
    return _("You have a build log to review for “%(assignment)s”.", assignment=_assignment(params))


def _lease_expiring(params: dict[str, Any]) -> str:
    hours = int(params.get("hours", 1))
    return ngettext(
        "Your review for “%(assignment)s” expires in %(hours)s hour. Submit it "
        "before then, or the build log goes to another reviewer.",
        "Your review for “%(assignment)s” expires in %(hours)s hours. Submit it "
        "before then, or the build log goes to another reviewer.",
        hours,
        assignment=_assignment(params),
        hours=hours,
    )


def _review_received(params: dict[str, Any]) -> str:
    return _(
        "Your build log for “%(assignment)s” received a new review.",
        assignment=_assignment(params),
    )


def _grade_ready(params: dict[str, Any]) -> str:
    return _("Your grade for “%(assignment)s” is ready.", assignment=_assignment(params))


def _regrade_answered(params: dict[str, Any]) -> str:
    return _(
        "Your regrade request for “%(assignment)s” has been answered.",
        assignment=_assignment(params),
    )


def _review_invited(params: dict[str, Any]) -> str:
    return _(
        "One more review helps a classmate: a build log for “%(assignment)s” is still "
        "waiting for reviews. Your extra review counts for you.",
        assignment=_assignment(params),
    )


def _resubmission_waiting(params: dict[str, Any]) -> str:
    return _(
        "A build log you reviewed for “%(assignment)s” has a new version waiting for your review.",
        assignment=_assignment(params),
    )


register_kind(NoticeKind.REVIEW_ASSIGNED, _review_assigned)
register_kind(NoticeKind.LEASE_EXPIRING, _lease_expiring)
register_kind(NoticeKind.REVIEW_RECEIVED, _review_received)
register_kind(NoticeKind.GRADE_READY, _grade_ready)
register_kind(NoticeKind.REGRADE_ANSWERED, _regrade_answered)
register_kind(NoticeKind.REVIEW_INVITED, _review_invited)
register_kind(NoticeKind.RESUBMISSION_WAITING, _resubmission_waiting)


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
        reminder = notify(
            lease.reviewer_id,
            NoticeKind.LEASE_EXPIRING,
            url_for("review.reviewing.write", review_id=lease.id),  # where the draft is
            assignment=spec_of(lease.assignment).title,
            hours=hours,
            review=lease.id,
        )
        if reminder is not None:  # None: the reviewer turned these reminders off
            created.append(reminder)
    return created
