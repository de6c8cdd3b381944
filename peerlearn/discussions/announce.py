"""The job that tells people of a new post: those it mentions, then the thread's followers.

It runs outside the request (on the web process's job thread, or on a worker with
Redis), so the person who replied never waits for a thread's followers to be counted,
let alone notified. It reads everything again from the database: the post may have been
deleted or hidden in between.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.discussions import services
from peerlearn.discussions.models import Follower, Post, Thread
from peerlearn.discussions.notices import NoticeKind
from peerlearn.discussions.targets import resolve
from peerlearn.extensions import db
from peerlearn.notifications import notify, notify_many


def announce_post(post_id: int, names: list[str], reply: bool = True) -> int:
    """Notify the people ``names`` mentions who may read the thread, and (for a new post,
    ``reply``) its followers; returns how many were notified. Commits."""
    post = db.session.get(Post, post_id)
    if post is None or post.deleted_at is not None or post.hidden_at is not None:
        return 0
    thread = db.session.get(Thread, post.thread_id)
    assert thread is not None
    target = resolve(thread.target_kind, thread.target_id)
    if target is None or thread.hidden_at is not None:
        return 0

    def may_read(user_id: int) -> bool:
        return target.audience is None or user_id in target.audience

    url = url_for("discussions.thread", thread_id=thread.id, post=post.id)
    told: set[int] = {post.author_id} if post.author_id is not None else set()
    if names:
        for user in db.session.scalars(
            select(User).where(
                User.username.in_(names), User.deleted_at.is_(None), User.locked_at.is_(None)
            )
        ):
            if user.id in told or not may_read(user.id):
                continue
            services.follow(user.id, thread)
            notify(user.id, NoticeKind.MENTION, url, thread=thread.title)
            told.add(user.id)
    if reply:
        repliers: list[int] = []
        for user_id in db.session.scalars(
            select(Follower.user_id)
            .join(User, User.id == Follower.user_id)
            .where(
                Follower.thread_id == thread.id,
                User.deleted_at.is_(None),
                User.locked_at.is_(None),
            )
            .order_by(Follower.id)
        ):
            if user_id in told or not may_read(user_id):
                continue
            repliers.append(user_id)
            told.add(user_id)
        # However many follow the thread: two reads of their choices and one insert.
        notify_many(repliers, NoticeKind.REPLY, url, thread=thread.title)
    db.session.commit()
    return len(told) - (1 if post.author_id is not None else 0)
