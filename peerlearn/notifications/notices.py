"""Notices of every feature: what happened, for whom, and where to look.

``notify`` only records a notice (add + flush) and asks for its delivery job; it never
commits and never sends, so it joins the caller's transaction like every other service.
A notice exists only if the change it announces was committed with it, and its email job
runs only after that commit (see ``peerlearn.jobs``).

The text of a notice is not stored: ``message`` builds it when shown, from ``kind`` and
``params``, in the language of whoever reads it (the page's language in the app, the
recipient's saved language in an email). Each feature registers the texts of its kinds
(``register_kind``); this package imports none of them, so it sits below the features.
The kinds themselves, with the labels people opt out by, are one list in ``kinds``.
What each person chose (``preferences``) decides, when the notice is made, whether it is
recorded at all and whether its email goes now, in tomorrow's digest, or never.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ScalarSelect, case, func, insert, select, update

from peerlearn import jobs
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _
from peerlearn.notifications import kinds, preferences
from peerlearn.notifications.models import Channel, EmailMode, Notification

PER_PAGE = 20

#: The job that emails the notices one transaction committed.
DELIVER = "peerlearn.notifications.delivery:deliver_notices"

#: The text of each kind: a function of the notice's params, in the current language.
_KINDS: dict[str, Callable[[dict[str, Any]], str]] = {}


class Reader(Protocol):
    """Whoever reads notices (a user); only the id is used."""

    @property
    def id(self) -> int: ...


def register_kind(kind: str, text: Callable[[dict[str, Any]], str]) -> None:
    """Give notices of ``kind`` their text: ``text(params)`` in the current language.
    The kind must be in ``peerlearn.notifications.kinds.KINDS`` (its settings label).

    It may raise KeyError, TypeError or ValueError on a broken stored value or
    translation; the reader then sees a general sentence instead of an error page."""
    if str(kind) not in kinds.BY_NAME:
        raise ValueError(f"add the kind {kind!r} to peerlearn.notifications.kinds.KINDS")
    _KINDS[str(kind)] = text


def notify(user_id: int, kind: str, url: str, **params: str | int) -> Notification | None:
    """Record a notice for ``user_id`` linking to the local path ``url``, to be emailed
    once the transaction commits; None when the person turned this kind off.

    ``params`` are what the message needs: stored as JSON, turned into text when shown.
    Never pass a reviewer's or an author's name (peer review is double-blind)."""
    return notify_many([user_id], kind, url, **params).get(user_id)


def notify_many(
    user_ids: Iterable[int], kind: str, url: str, **params: str | int
) -> dict[int, Notification]:
    """The same notice for each of ``user_ids`` (duplicates once), respecting what each
    chose: two queries for their choices, one insert, and one delivery job for those who
    want their email at once, however many they are. Returns the notices made, by user.

    A person who turned the kind off gets nothing; one who wants no email of it (or
    none at all) gets the notice with its email already counted as done; one who reads a
    daily digest gets it unsent and no job (``digest`` sends it)."""
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not ids:
        return {}
    kind = str(kind)
    off = preferences.opt_outs(ids, [kind])
    modes = preferences.email_modes(ids)
    text = json.dumps(params, ensure_ascii=False, sort_keys=True)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    immediate: set[int] = set()
    for user_id in ids:
        channel = off.get((user_id, kind))
        if channel is Channel.ALL:
            continue
        mode = modes.get(user_id, EmailMode.IMMEDIATE)
        no_email = channel is Channel.EMAIL or mode is EmailMode.NEVER
        rows.append(
            {"user_id": user_id, "kind": kind, "params": text, "url": url,
             "sent_at": now if no_email else None, "created_at": now}
        )  # fmt: skip
        if not no_email and mode is EmailMode.IMMEDIATE:
            immediate.add(user_id)
    if not rows:
        return {}
    # One INSERT ... RETURNING for all (executemany batches), giving back ORM objects.
    made = {
        notice.user_id: notice
        for notice in db.session.scalars(insert(Notification).returning(Notification), rows)
    }
    for user_id in ids:
        if user_id in immediate:
            jobs.enqueue_item(DELIVER, made[user_id].id)
    return made


# --- Text -------------------------------------------------------------------------------


def params_of(notice: Notification) -> dict[str, Any]:
    try:
        params = json.loads(notice.params or "{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def message(notice: Notification) -> str:
    """The notice as one sentence in the current language."""
    text = _KINDS.get(notice.kind)
    if text is None and notice.kind in kinds.BY_NAME:
        text = kinds.BY_NAME[notice.kind].text
    if text is not None:
        try:
            return text(params_of(notice))
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


def unread_subquery(user_id: Any) -> ScalarSelect[int]:
    """The unread notices of the user whose id is ``user_id`` (a column), as a scalar
    subquery: the page header reads it with the signed-in user, in the same query."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user: Reader) -> int:
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notices_page(user: Reader, page: int, per_page: int = PER_PAGE) -> NoticePage | None:
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


def mark_all_read(user: Reader) -> int:
    """Mark every unread notice of ``user`` read; returns how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def mark_read(user: Reader, notice_id: int) -> bool:
    """Mark ``user``'s notice ``notice_id`` read; False when it is not theirs."""
    return open_notice(user, notice_id) is not None


def open_notice(user: Reader, notice_id: int) -> Notification | None:
    """``user``'s notice ``notice_id``, marked read; None when it is not theirs."""
    notice = db.session.get(Notification, notice_id)
    if notice is None or notice.user_id != user.id:
        return None
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice
