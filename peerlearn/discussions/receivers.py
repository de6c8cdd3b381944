"""Discussions react to authoring: a change proposal accepted upstream tells the followers
of every thread it was linked to ("this fixes what was reported here") that the fix is in.

Connected at app setup (``peerlearn.register_signal_receivers``), so authoring, below,
never imports discussions.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from peerlearn import jobs
from peerlearn.accounts.models import User
from peerlearn.authoring.proposal_decisions import proposal_accepted
from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.discussions.models import Follower, Thread
from peerlearn.discussions.notices import NoticeKind
from peerlearn.extensions import db
from peerlearn.notifications import notify

#: The job that tells a linked thread's followers (one job per accepted proposal).
ANNOUNCE_FIX = "peerlearn.discussions.receivers:announce_fix"


def _on_proposal_accepted(proposal: ChangeProposal, **_extra: Any) -> None:
    if db.session.scalar(select(Thread.id).where(Thread.proposal_id == proposal.id)):
        jobs.enqueue(ANNOUNCE_FIX, proposal.id)


def announce_fix(proposal_id: int) -> int:
    """The job: notify the followers of the threads linked to ``proposal_id``; commits."""
    told = 0
    for thread in db.session.scalars(
        select(Thread).where(Thread.proposal_id == proposal_id, Thread.hidden_at.is_(None))
    ):
        url = url_for("discussions.thread", thread_id=thread.id)
        for user_id in db.session.scalars(
            select(Follower.user_id)
            .join(User, User.id == Follower.user_id)
            .where(
                Follower.thread_id == thread.id,
                User.deleted_at.is_(None),
                User.locked_at.is_(None),
            )
        ):
            notify(user_id, NoticeKind.FIXED, url, thread=thread.title)
            told += 1
    db.session.commit()
    return told


def connect() -> None:
    proposal_accepted.connect(_on_proposal_accepted)
