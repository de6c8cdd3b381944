"""The notices of course authoring: proposals to a course, their outcome, and upstream
changes to forks.

Who hears what:

* a new change proposal: the target course's maintainers (not its author);
* a decision: the proposal's author ("your proposal was accepted"), and the target's
  other maintainers ("a proposal to your course was accepted"), never the one who decided;
* a change to a course (an edit, a revert, a new module, an accepted proposal, a sync):
  the maintainers of the courses forked from it, except whoever made the change. One
  unread notice per fork is enough: a second edit before they looked adds nothing.

Each is a query or two, however many maintainers, and joins the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.content.models import Course, CourseMaintainer
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.notifications import Notification, notify_many, register_kind

RECEIVED = "proposal_received"
DECIDED = "proposal_decided"
OUTCOME = "proposal_outcome"
UPSTREAM = "upstream_changed"

ACCEPTED = "accepted"


def _p(params: dict[str, Any], name: str) -> str:
    return str(params.get(name, ""))


def _received(params: dict[str, Any]) -> str:
    return _(
        "A change proposal “%(proposal)s” was made to your course “%(course)s”.",
        proposal=_p(params, "proposal"),
        course=_p(params, "course"),
    )


def _decided(params: dict[str, Any]) -> str:
    if params.get("outcome") == ACCEPTED:
        return _(
            "The change proposal “%(proposal)s” to “%(course)s” was accepted.",
            proposal=_p(params, "proposal"),
            course=_p(params, "course"),
        )
    return _(
        "The change proposal “%(proposal)s” to “%(course)s” was declined.",
        proposal=_p(params, "proposal"),
        course=_p(params, "course"),
    )


def _outcome(params: dict[str, Any]) -> str:
    if params.get("outcome") == ACCEPTED:
        return _(
            "Your change proposal “%(proposal)s” to “%(course)s” was accepted.",
            proposal=_p(params, "proposal"),
            course=_p(params, "course"),
        )
    return _(
        "Your change proposal “%(proposal)s” to “%(course)s” was declined.",
        proposal=_p(params, "proposal"),
        course=_p(params, "course"),
    )


def _upstream(params: dict[str, Any]) -> str:
    return _(
        "“%(upstream)s”, which your course “%(course)s” was forked from, has changed.",
        upstream=_p(params, "upstream"),
        course=_p(params, "course"),
    )


register_kind(RECEIVED, _received)
register_kind(DECIDED, _decided)
register_kind(OUTCOME, _outcome)
register_kind(UPSTREAM, _upstream)


def _maintainer_ids(course_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(CourseMaintainer.user_id)
            .where(CourseMaintainer.course_id == course_id)
            .order_by(CourseMaintainer.user_id)
        )
    )


def proposal_made(proposal: ChangeProposal) -> None:
    target = db.session.get(Course, proposal.target_course_id)
    assert target is not None
    recipients = [i for i in _maintainer_ids(target.id) if i != proposal.author_id]
    notify_many(
        recipients,
        RECEIVED,
        url_for("proposals.show", proposal_id=proposal.id),
        proposal=proposal.title,
        course=target.title,
    )


def proposal_decided(proposal: ChangeProposal, decider: User, outcome: str) -> None:
    target = db.session.get(Course, proposal.target_course_id)
    assert target is not None
    url = url_for("proposals.show", proposal_id=proposal.id)
    params: dict[str, str | int] = {
        "proposal": proposal.title, "course": target.title, "outcome": outcome,
    }  # fmt: skip
    if proposal.author_id is not None and proposal.author_id != decider.id:
        notify_many([proposal.author_id], OUTCOME, url, **params)
    others = [i for i in _maintainer_ids(target.id) if i not in (decider.id, proposal.author_id)]
    notify_many(others, DECIDED, url, **params)


def upstream_changed(course: Course, actor: User | None) -> None:
    """Tell the maintainers of ``course``'s forks that it changed (two queries, plus
    one insert per fork with someone to tell)."""
    rows = db.session.execute(
        select(Course.id, Course.slug, Course.title, CourseMaintainer.user_id)
        .join(CourseMaintainer, CourseMaintainer.course_id == Course.id)
        .where(Course.forked_from == course.key)
        .order_by(Course.id, CourseMaintainer.user_id)
    ).all()
    if actor is not None:
        rows = [row for row in rows if row.user_id != actor.id]
    if not rows:
        return
    urls = {row.id: url_for("forks.sync", slug=row.slug) for row in rows}
    waiting = {
        (user_id, url)
        for user_id, url in db.session.execute(
            select(Notification.user_id, Notification.url).where(
                Notification.kind == UPSTREAM,
                Notification.read_at.is_(None),
                Notification.user_id.in_({row.user_id for row in rows}),
                Notification.url.in_(set(urls.values())),
            )
        )
    }
    forks: dict[int, tuple[str, list[int]]] = {}
    for row in rows:
        if (row.user_id, urls[row.id]) not in waiting:
            forks.setdefault(row.id, (row.title, []))[1].append(row.user_id)
    for fork_id, (title, users) in forks.items():
        notify_many(users, UPSTREAM, urls[fork_id], upstream=course.title, course=title)
