"""Regrade requests: an author asks a maintainer to look at their grade again.

An author may ask once they have a grade, and only one request at a time is open. The
maintainer answers in words, and may give a new grade with it: that is an ordinary
override whose reason is the answer, so the gradebook's history tells the whole story.
The author is notified of the answer. A request is answered once; asking again makes a
new request (house rule 3: nothing anyone wrote is rewritten).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import BuildLog
from peerlearn.assignments.revisions import spec_of
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import notify
from peerlearn.review.allocation import queue_counts
from peerlearn.review.grading.overrides import MAX_REASON, override_grade
from peerlearn.review.grading.stored_grades import grade_of
from peerlearn.review.models import RegradeRequest
from peerlearn.review.notifications import NoticeKind


class RegradeRefused(Exception):
    """A request or an answer that cannot be made now.

    ``code``: not_author (only the author asks), no_grade (nothing to regrade yet),
    give_first (the author has not given the reviews that let them see their grade),
    already_open (one request at a time), answered (a request is answered once),
    no_reason / no_answer (the words are required).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def requests_of(log: BuildLog) -> list[RegradeRequest]:
    """Every request about the log, newest first."""
    return list(
        db.session.scalars(
            select(RegradeRequest)
            .where(RegradeRequest.log_id == log.id)
            .order_by(RegradeRequest.id.desc())
        )
    )


def latest_request(log: BuildLog) -> RegradeRequest | None:
    """The open request, or else the last answered one (what the author's page shows)."""
    return db.session.scalar(
        select(RegradeRequest)
        .where(RegradeRequest.log_id == log.id)
        .order_by(RegradeRequest.answered_at.is_not(None), RegradeRequest.id.desc())
        .limit(1)
    )


def open_requests(log_ids: Iterable[int]) -> dict[int, RegradeRequest]:
    """The open request of each of these logs that has one (one query)."""
    ids = list(log_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(RegradeRequest)
        .where(RegradeRequest.log_id.in_(ids), RegradeRequest.answered_at.is_(None))
        .order_by(RegradeRequest.id)
    )
    return {request.log_id: request for request in rows}


def _lock(log: BuildLog) -> None:
    """Serialize requests and answers on one log (a no-op on SQLite, which has one writer).

    There is no unique index for "one open request", so two clicks at once must queue.
    """
    db.session.execute(select(BuildLog.id).where(BuildLog.id == log.id).with_for_update())


def refusal(actor: User, log: BuildLog, *, store: bool = False) -> str | None:
    """Why ``actor`` may not ask for a regrade of ``log`` now (a RegradeRefused code), or
    None if they may. The author must see a grade first: there is one, and they gave the
    reviews that show it (give to get, as on their page of reviews received). ``store``:
    the caller is a page view that may store the grades it computes
    (:func:`~peerlearn.review.grading.stored_grades.assignment_grades`)."""
    if log.user_id != actor.id:
        return "not_author"
    if open_requests([log.id]):
        return "already_open"
    grade = grade_of(log, store=store)
    if grade is None or grade.final is None:
        return "no_grade"
    if queue_counts.completed_by(actor, log.assignment) < spec_of(log.assignment).must_review:
        return "give_first"
    return None


def request_regrade(actor: User, log: BuildLog, reason: str) -> RegradeRequest:
    """Open a regrade request by the log's author (see :func:`refusal` for when not)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise RegradeRefused("no_reason")
    _lock(log)
    code = refusal(actor, log)
    if code is not None:
        raise RegradeRefused(code)
    request = RegradeRequest(log_id=log.id, requested_by_id=actor.id, reason=reason)
    db.session.add(request)
    db.session.flush()
    return request


def answer_regrade(
    actor: User,
    request: RegradeRequest,
    log: BuildLog,
    answer: str,
    points: Decimal | None,
    url: str,
) -> RegradeRequest:
    """Answer an open request; with ``points``, the answer becomes an override's reason.

    ``url`` is where the author reads the answer; they are notified with it.
    """
    answer = answer.strip()
    if not answer or len(answer) > MAX_REASON:
        raise RegradeRefused("no_answer")
    _lock(log)
    db.session.refresh(request)
    if request.answered_at is not None:
        raise RegradeRefused("answered")
    if points is not None:
        request.override_id = override_grade(actor, log, points, answer).id
    request.answer = answer
    request.answered_at = utcnow()
    request.answered_by_id = actor.id
    db.session.flush()
    notify(
        log.user_id,
        NoticeKind.REGRADE_ANSWERED,
        url,
        assignment=spec_of(log.assignment).title,
    )
    return request
