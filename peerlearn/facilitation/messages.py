"""Facilitators' messages to their circle, and the job that tells every member.

Posting stores the message and asks for one job (``peerlearn.jobs``); the job, after the
commit and outside the request, makes a notice for every current member, however many
there are. A circle of 500 costs the facilitator's request one insert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from peerlearn import jobs
from peerlearn.accounts.models import User
from peerlearn.circles.membership import member_ids
from peerlearn.circles.models import Circle
from peerlearn.extensions import db
from peerlearn.facilitation.models import CircleMessage
from peerlearn.i18n import _
from peerlearn.notifications import Notification, notify_many, register_kind

#: The notice every member gets (params: circle, the circle's name; message, its id).
KIND = "circle_message"
#: The job that makes those notices.
FAN_OUT = "peerlearn.facilitation.messages:fan_out"
PER_PAGE = 10


def _notice_text(params: dict[str, Any]) -> str:
    return _("A new message from the facilitators of “%(circle)s”.", circle=str(params["circle"]))


register_kind(KIND, _notice_text)


@dataclass(frozen=True)
class MessagePage:
    items: list[CircleMessage]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def post_message(author: User, circle: Circle, body: str) -> CircleMessage:
    """Store the message and ask for the notices (sent once the caller commits)."""
    message = CircleMessage(circle_id=circle.id, author_id=author.id, body=body)
    db.session.add(message)
    db.session.flush()
    jobs.enqueue(FAN_OUT, message.id)
    return message


def message_url(message: CircleMessage) -> str:
    return url_for("facilitation.messages", circle_id=message.circle_id) + f"#message-{message.id}"


def fan_out(message_id: int) -> int:
    """The job: a notice for each current member but the author; returns how many were made.

    Run twice (a queue's retry), it makes no second notice: it first looks for the ones it
    made, by the message's link."""
    message = db.session.get(CircleMessage, message_id)
    if message is None:
        return 0  # the circle was deleted since
    circle = db.session.get(Circle, message.circle_id)
    if circle is None:
        return 0
    url = message_url(message)
    done = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == KIND, Notification.url == url)
        )
    )
    wanted = [
        user_id
        for user_id in member_ids(circle)
        if user_id != message.author_id and user_id not in done
    ]
    # One batch for all (a fixed number of queries however big the circle); a member who
    # turned these notices off gets none and is not counted.
    made = len(notify_many(wanted, KIND, url, circle=circle.name, message=message.id))
    db.session.commit()
    return made


def messages_page(circle: Circle, page: int, per_page: int = PER_PAGE) -> MessagePage:
    """A page of the circle's messages, newest first, with their authors (three queries)."""
    total = (
        db.session.scalar(
            select(func.count(CircleMessage.id)).where(CircleMessage.circle_id == circle.id)
        )
        or 0
    )
    items = list(
        db.session.scalars(
            select(CircleMessage)
            .where(CircleMessage.circle_id == circle.id)
            .options(selectinload(CircleMessage.author))
            .order_by(CircleMessage.created_at.desc(), CircleMessage.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return MessagePage(items, int(total), page, per_page)
