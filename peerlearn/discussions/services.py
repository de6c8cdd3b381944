"""Threads and posts: starting, replying, editing, deleting, moderating, reporting.

Services take the acting user and flush; the view commits once. Telling followers and
mentioned people about a post is a job (``announce``), so a reply in a thread that a
thousand people follow returns as fast as one in a thread nobody follows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from peerlearn import jobs
from peerlearn.accounts.models import User
from peerlearn.db import utcnow
from peerlearn.discussions.models import (
    BODY_MAX,
    TITLE_MAX,
    Follower,
    Post,
    PostEdit,
    Report,
    ReportKind,
    TargetKind,
    Thread,
)
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.notifications import notify

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 20
#: At most this many people are told of one post's mentions (a list of names pasted into a
#: post cannot page the whole site).
MAX_MENTIONS = 10

#: The job that tells followers and mentioned people of a new post.
ANNOUNCE = "peerlearn.discussions.announce:announce_post"

#: An account is new for this many days: its posts and links are limited. Fallbacks of the
#: settings ``DISCUSSION_NEW_ACCOUNT_…`` (peerlearn.config; ``PEERLEARN_DISCUSSION_…``).
NEW_ACCOUNT_DAYS = 3
NEW_ACCOUNT_POSTS_PER_HOUR = 3
NEW_ACCOUNT_LINKS_PER_DAY = 2

_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_.-]{1,40})")
_LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)


class DiscussionError(Exception):
    """A refusal to show the person, already in their language."""


# --- Pure helpers -----------------------------------------------------------------------


def mentioned_names(body: str) -> list[str]:
    """The usernames ``@mentioned`` in ``body``, lowercased, first mention first, at most
    ``MAX_MENTIONS``. Code spans, addresses (``a@b``) and quoted lines (``> …``: the
    quoted post told its people already) are not mentions."""
    unquoted = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))
    without_code = re.sub(r"`[^`]*`", "", unquoted)
    names: list[str] = []
    for match in _MENTION.finditer(without_code):
        name = match.group(1).rstrip(".-").lower()
        if name and name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def count_links(body: str) -> int:
    return len(_LINK.findall(body))


def quote(body: str, name: str) -> str:
    """``body`` as a Markdown block quote headed by who wrote it, to start a reply with."""
    lines = body.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return _("%(name)s wrote:", name=name) + "\n" + quoted + "\n\n"


def _clean(text: str, limit: int) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()[:limit]


# --- Limits for new accounts ------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(f"DISCUSSION_{name}", default))


def check_newcomer(user: User, links: int, new_post: bool = True) -> None:
    """Refuse a post (``new_post``) from a new account beyond its hourly posts, or
    ``links`` more links beyond its daily links.

    Counted from the posts themselves, so every app host agrees without Redis; the
    per-minute limit of every posting route (``rate_limits.post_limit``) comes on top.
    """
    now = utcnow()
    if user.created_at is None or now - user.created_at >= timedelta(
        days=_setting("NEW_ACCOUNT_DAYS", NEW_ACCOUNT_DAYS)
    ):
        return
    hourly = _setting("NEW_ACCOUNT_POSTS_PER_HOUR", NEW_ACCOUNT_POSTS_PER_HOUR)
    recent = new_post and db.session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == user.id, Post.created_at >= now - timedelta(hours=1)
        )
    )
    if new_post and int(recent or 0) >= hourly:
        raise DiscussionError(
            _(
                "New accounts can write %(count)s posts an hour. Please wait a little "
                "before posting again.",
                count=hourly,
            )
        )
    if links > 0:
        daily = _setting("NEW_ACCOUNT_LINKS_PER_DAY", NEW_ACCOUNT_LINKS_PER_DAY)
        sent = db.session.scalar(
            select(func.coalesce(func.sum(Post.links), 0)).where(
                Post.author_id == user.id, Post.created_at >= now - timedelta(days=1)
            )
        )
        if int(sent or 0) + links > daily:
            raise DiscussionError(
                _(
                    "New accounts can post %(count)s links a day. Please remove a link or "
                    "post it tomorrow.",
                    count=daily,
                )
            )


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paged:
    items: list[Any]
    page: int
    pages: int
    total: int


def threads_page(kind: str, target_id: int, page: int, with_hidden: bool) -> Paged | None:
    """A page of the threads about one target, pinned first, then latest activity first
    (two queries); None for a page that does not exist."""
    where = [Thread.target_kind == kind, Thread.target_id == target_id]
    if not with_hidden:
        where.append(Thread.hidden_at.is_(None))
    total = int(db.session.scalar(select(func.count(Thread.id)).where(*where)) or 0)
    pages = max(1, math.ceil(total / THREADS_PER_PAGE))
    if page > pages:
        return None
    items = list(
        db.session.scalars(
            select(Thread)
            .where(*where)
            .options(selectinload(Thread.author))
            .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
            .offset((page - 1) * THREADS_PER_PAGE)
            .limit(THREADS_PER_PAGE)
        )
    )
    return Paged(items, page, pages, total)


def posts_page(thread: Thread, page: int) -> Paged | None:
    """A page of a thread's posts, oldest first (two queries); stubs and hidden posts are
    in it, so that replies keep their place."""
    total = int(
        db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id)) or 0
    )
    pages = max(1, math.ceil(total / POSTS_PER_PAGE))
    if page > pages:
        return None
    items = list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id)
            .options(selectinload(Post.author))
            .order_by(Post.id)
            .offset((page - 1) * POSTS_PER_PAGE)
            .limit(POSTS_PER_PAGE)
        )
    )
    return Paged(items, page, pages, total)


def page_of_post(post: Post) -> int:
    before = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id < post.id)
    )
    return int(before or 0) // POSTS_PER_PAGE + 1


def is_following(user_id: int, thread: Thread) -> bool:
    return (
        db.session.scalar(
            select(Follower.id).where(Follower.thread_id == thread.id, Follower.user_id == user_id)
        )
        is not None
    )


# --- Writing ----------------------------------------------------------------------------


def follow(user_id: int, thread: Thread) -> None:
    if not is_following(user_id, thread):
        db.session.add(Follower(thread_id=thread.id, user_id=user_id))
        db.session.flush()


def unfollow(user_id: int, thread: Thread) -> None:
    for row in db.session.scalars(
        select(Follower).where(Follower.thread_id == thread.id, Follower.user_id == user_id)
    ):
        db.session.delete(row)
    db.session.flush()


def _new_post(user: User, thread: Thread, body: str) -> Post:
    text = _clean(body, BODY_MAX)
    if not text:
        raise DiscussionError(_("Write something first."))
    check_newcomer(user, count_links(text))
    post = Post(thread_id=thread.id, author_id=user.id, body=text, links=count_links(text))
    db.session.add(post)
    thread.post_count = (thread.post_count or 0) + 1
    thread.last_post_at = utcnow()
    db.session.flush()
    follow(user.id, thread)
    jobs.enqueue(ANNOUNCE, post.id, mentioned_names(text))
    return post


def start_thread(
    user: User, kind: TargetKind, target_id: int, course_id: int, title: str, body: str
) -> Thread:
    """A new thread with its first post; its author follows it."""
    heading = " ".join(title.split())[:TITLE_MAX]
    if not heading:
        raise DiscussionError(_("Give the thread a title."))
    thread = Thread(
        target_kind=kind.value, target_id=target_id, course_id=course_id,
        author_id=user.id, title=heading, post_count=0,
    )  # fmt: skip
    db.session.add(thread)
    db.session.flush()
    _new_post(user, thread, body)
    return thread


def reply(user: User, thread: Thread, body: str) -> Post:
    """A reply; the view checked that ``user`` may write in the thread (not locked)."""
    return _new_post(user, thread, body)


def edit_post(user: User, post: Post, body: str) -> None:
    """Change one's own post, keeping the earlier text; people newly mentioned are told."""
    text = _clean(body, BODY_MAX)
    if not text:
        raise DiscussionError(_("Write something first."))
    if text == post.body:
        return
    added = count_links(text) - post.links
    if added > 0:
        check_newcomer(user, added, new_post=False)
    before = set(mentioned_names(post.body))
    db.session.add(PostEdit(post_id=post.id, body=post.body))
    post.body = text
    post.links = count_links(text)
    post.edited_at = utcnow()
    db.session.flush()
    new = [name for name in mentioned_names(text) if name not in before]
    if new:
        jobs.enqueue(ANNOUNCE, post.id, new, False)


def delete_post(user: User, post: Post) -> None:
    """Delete one's own post: its text and earlier texts go, a stub keeps its place."""
    for edit in db.session.scalars(select(PostEdit).where(PostEdit.post_id == post.id)):
        db.session.delete(edit)
    post.body = ""
    post.links = 0
    post.deleted_at = utcnow()
    db.session.flush()


def set_post_hidden(moderator: User, post: Post, hidden: bool) -> None:
    post.hidden_at = utcnow() if hidden else None
    post.hidden_by_id = moderator.id if hidden else None
    db.session.flush()
    if hidden:
        _resolve_reports(moderator, ReportKind.POST, post.id, "hidden")
        if post.author_id is not None and post.author_id != moderator.id:
            # The author learns of the decision (never who took it: "a moderator").
            thread = db.session.get(Thread, post.thread_id)
            if thread is not None:
                url = url_for("discussions.thread", thread_id=thread.id, post=post.id)
                notify(post.author_id, "moderation", url, thread=thread.title)


#: What a moderator may do to a thread: the attribute and the value.
THREAD_ACTIONS = {
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "lock": ("locked", True),
    "unlock": ("locked", False),
}


def moderate_thread(moderator: User, thread: Thread, action: str) -> None:
    if action == "hide":
        thread.hidden_at = utcnow()
    elif action == "unhide":
        thread.hidden_at = None
    elif action in THREAD_ACTIONS:
        name, value = THREAD_ACTIONS[action]
        setattr(thread, name, value)
    else:
        raise DiscussionError(_("Unknown action."))
    db.session.flush()


def link_proposal(thread: Thread, proposal_id: int | None) -> None:
    """Say which change proposal fixes what the thread reported (None unlinks)."""
    thread.proposal_id = proposal_id
    db.session.flush()


# --- Reports ----------------------------------------------------------------------------


def report(user: User, kind: ReportKind, target_id: int, course_id: int, reason: str) -> bool:
    """Ask the course's maintainers and the site admins to look; False when ``user``
    already reported it (one report per person and thing)."""
    existing = db.session.scalar(
        select(Report.id).where(
            Report.target_kind == kind.value,
            Report.target_id == target_id,
            Report.reporter_id == user.id,
        )
    )
    if existing is not None:
        return False
    db.session.add(
        Report(
            target_kind=kind.value, target_id=target_id, course_id=course_id,
            reporter_id=user.id, reason=_clean(reason, 1000),
        )
    )  # fmt: skip
    db.session.flush()
    return True


def open_reports(course_ids: Iterable[int] | None, page: int) -> Paged | None:
    """Open reports, oldest first: of the courses ``course_ids`` (a maintainer's), or of
    every course (``None``: a site admin's)."""
    where = [Report.resolved_at.is_(None)]
    if course_ids is not None:
        where.append(Report.course_id.in_(list(course_ids)))
    total = int(db.session.scalar(select(func.count(Report.id)).where(*where)) or 0)
    pages = max(1, math.ceil(total / THREADS_PER_PAGE))
    if page > pages:
        return None
    items = list(
        db.session.scalars(
            select(Report)
            .where(*where)
            .order_by(Report.id)
            .offset((page - 1) * THREADS_PER_PAGE)
            .limit(THREADS_PER_PAGE)
        )
    )
    return Paged(items, page, pages, total)


def reported_posts(reports: list[Report]) -> dict[int, Post]:
    ids = [r.target_id for r in reports if r.target_kind == ReportKind.POST.value]
    if not ids:
        return {}
    return {
        post.id: post
        for post in db.session.scalars(
            select(Post).where(Post.id.in_(ids)).options(selectinload(Post.thread))
        )
    }


def _resolve_reports(moderator: User, kind: ReportKind, target_id: int, how: str) -> None:
    for row in db.session.scalars(
        select(Report).where(
            Report.target_kind == kind.value,
            Report.target_id == target_id,
            Report.resolved_at.is_(None),
        )
    ):
        row.resolved_at = utcnow()
        row.resolved_by_id = moderator.id
        row.resolution = how
    db.session.flush()


def dismiss_report(moderator: User, report_row: Report) -> None:
    """Nothing to do: this report and the others about the same thing are closed."""
    kind = ReportKind(report_row.target_kind)
    _resolve_reports(moderator, kind, report_row.target_id, "dismissed")
