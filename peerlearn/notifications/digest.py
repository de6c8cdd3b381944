"""The daily digest: one email per person who asked for it, with what is not sent yet.

``flask --app wsgi peerlearn notifications digest``, run once a day from cron, finds the
people with a daily digest due and queues one ``send_digest`` job each (``peerlearn.jobs``:
workers with Redis, this process without). The command itself sends nothing, so a
thousand digests never hold one process for the length of a thousand SMTP conversations.

A digest holds the person's notices not emailed yet, which for a daily run are those of
the last day. Each is marked sent with the digest, so running the command twice never
sends one twice; ``digest_sent_at`` also keeps a second run within ``MIN_INTERVAL`` from
sending a second, smaller digest the same day. Notices older than ``MAX_AGE`` (left from
a long outage) are marked done without being listed: that news is stale.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from peerlearn import jobs
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.notifications import delivery, preferences
from peerlearn.notifications.models import EmailMode, Notification, NotificationSettings

logger = logging.getLogger("peerlearn.mail")

SEND_DIGEST = "peerlearn.notifications.digest:send_digest"
#: A digest sent less than this long ago means none is due yet (cron may run a bit early).
MIN_INTERVAL = timedelta(hours=20)
#: Unsent notices older than this are not listed (the digest did not run for a week).
MAX_AGE = timedelta(days=7)


def due_users(now: datetime | None = None) -> list[int]:
    """The people with a daily digest due: they chose it, have unsent notices, and had no
    digest within ``MIN_INTERVAL``. One query."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(NotificationSettings.user_id)
            .where(
                NotificationSettings.email_mode == EmailMode.DAILY.value,
                or_(
                    NotificationSettings.digest_sent_at.is_(None),
                    NotificationSettings.digest_sent_at <= now - MIN_INTERVAL,
                ),
                select(Notification.id)
                .where(
                    Notification.user_id == NotificationSettings.user_id,
                    Notification.sent_at.is_(None),
                )
                .exists(),
            )
            .order_by(NotificationSettings.user_id)
        )
    )


def enqueue_digests(now: datetime | None = None) -> int:
    """Queue one ``send_digest`` job per person due; they run after the caller commits."""
    users = due_users(now)
    for user_id in users:
        jobs.enqueue(SEND_DIGEST, user_id)
    return len(users)


def send_digest(user_id: int) -> bool:
    """The job: email ``user_id`` their digest. True when one was sent (or logged).

    The person's settings row is locked first, so two runs for one person wait for each
    other and the second finds the digest already sent. Raises ``jobs.Deferred`` when the
    server cannot take it now: nothing is marked, the queue tries again."""
    now = utcnow()
    settings = db.session.scalar(
        select(NotificationSettings)
        .where(NotificationSettings.user_id == user_id)
        .with_for_update()
    )
    if (
        settings is None
        or settings.email_mode != EmailMode.DAILY.value
        or (settings.digest_sent_at is not None and settings.digest_sent_at > now - MIN_INTERVAL)
    ):
        db.session.rollback()
        return False
    notices = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.sent_at.is_(None))
            .order_by(Notification.created_at, Notification.id)
            .with_for_update(skip_locked=True)
        )
    )
    off = preferences.opt_outs([user_id], {notice.kind for notice in notices})
    listed = []
    for notice in notices:
        if notice.created_at < now - MAX_AGE or (user_id, notice.kind) in off:
            notice.sent_at = now  # done with, not listed
        else:
            listed.append(notice)
    recipient = delivery.recipients([user_id]).get(user_id)
    if not listed or recipient is None:
        db.session.commit()
        return False
    if delivery.smtp_configured():
        email = delivery.compose_digest(listed, recipient)
        try:
            with delivery.connect() as smtp:
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            db.session.rollback()
            logger.error("digest for user=%s not sent (%s)", user_id, type(error).__name__)
            raise jobs.Deferred(f"digest for user={user_id} not sent") from None
        logger.info("emailed digest of %s notices user=%s", len(listed), user_id)
    else:
        logger.info("email not configured; digest of %s notices user=%s", len(listed), user_id)
    for notice in listed:
        notice.sent_at = now
    settings.digest_sent_at = now
    db.session.commit()
    return True
