"""Delivering notices by email, or to the log when no SMTP server is configured.

How a notice leaves the building:

1. A service calls ``notify(...)`` inside the request's transaction; that records the
   notice and asks for a ``deliver_notices`` job (``peerlearn.jobs``).
2. The view commits. A rollback instead forgets the job: nothing is announced that did
   not happen.
3. After the commit, the job goes to the queue (Redis) or runs in this process once the
   response is sent. Either way no SMTP conversation happens inside a request: a server
   that is down or slow (``SMTP_TIMEOUT``) never delays a page.
4. The job sends the notices still unsent and marks their ``sent_at``. A notice it could
   not send stays unsent, and the job says so (``jobs.Deferred``): the queue retries it
   after each of ``JOBS_RETRY_INTERVALS``. ``flask --app wsgi peerlearn notify``, run from
   cron, sends every notice still unsent (after the queue gave up, without a queue, and
   those created outside requests).

Unsent notices are read ``FOR UPDATE SKIP LOCKED`` (on PostgreSQL), so two jobs, or a job
and the cron command, never send the same notice twice. An email is written in the
recipient's saved language and holds the message and an absolute link built from
``SITE_URL`` (never from the request's Host header, which a client controls). Without
``SMTP_HOST`` each notice becomes one log line on ``peerlearn.mail`` with its id, kind and
the recipient's user id, and nothing more personal.

Emails about an account (reset links, confirmations) are jobs too (``send_email``),
built by ``peerlearn.accounts`` and handed over as plain text.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import Enum
from typing import Any

from flask import current_app, url_for
from flask.sansio.app import App
from flask_babel import force_locale
from sqlalchemy import column, func, select, table

from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.jobs import Deferred
from peerlearn.notifications import preferences
from peerlearn.notifications.models import EmailMode, Notification, NotificationSettings
from peerlearn.notifications.notices import message
from peerlearn.request_log import log_to_stderr

logger = logging.getLogger("peerlearn.mail")

#: How many unsent notices the CLI reads (and locks) at a time.
BATCH = 100


class _ConnectionFailed(Exception):
    """The server cannot take mail now; the rest of the batch stays unsent."""


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    #: Left unsent for the next run (the server was unreachable or asked us to retry).
    deferred: int = 0
    #: Refused for good (a 5xx for that recipient or message): marked sent, never retried.
    refused: int = 0
    #: The server could not take mail, so the run stopped early.
    stopped: bool = False


def setup_mail_logging(app: App) -> None:
    """Log lines reach standard error in production, like ``peerlearn.request``'s."""
    log_to_stderr(app, logger)


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def absolute_url(path: str) -> str:
    """``path`` on this site; stays a path when ``SITE_URL`` is not set."""
    base = str(current_app.config.get("SITE_URL") or "").rstrip("/")
    return base + path if path.startswith("/") else path


# --- Choosing what to send --------------------------------------------------------------


def deliver_notices(ids: list[int]) -> Delivery:
    """The job: send those of the notices ``ids`` still unsent.

    Raises ``Deferred`` (after committing what was sent) when some are left unsent, so
    that the queue tries again later; they stay unsent in the database either way."""
    notices = _claim(Notification.id.in_(ids), limit=len(ids))
    result = deliver(notices)
    db.session.commit()
    if result.deferred:
        raise Deferred(f"{result.deferred} of {len(ids)} notices left unsent")
    return result


def deliver_unsent(batch: int = BATCH) -> Delivery:
    """Send every notice not sent yet, oldest first, committing after each batch.

    Stops when the server cannot take mail, leaving the rest for the next run.
    """
    total = Delivery()
    after = 0
    while True:
        # Digest readers' notices wait for ``digest.send_digest``: not even read here.
        notices = _claim(Notification.id > after, ~_digest_reader, limit=batch)
        if not notices:
            return total
        after = notices[-1].id
        result = deliver(notices)
        db.session.commit()
        total.sent += result.sent
        total.refused += result.refused
        total.deferred += result.deferred
        if result.stopped:
            total.stopped = True
            total.deferred += _count_unsent(after)
            return total


#: The notice's recipient reads a daily digest.
_digest_reader = (
    select(NotificationSettings.user_id)
    .where(
        NotificationSettings.user_id == Notification.user_id,
        NotificationSettings.email_mode == EmailMode.DAILY.value,
    )
    .exists()
)


def _claim(*conditions: Any, limit: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(*conditions, Notification.sent_at.is_(None))
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def _count_unsent(after: int) -> int:
    count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.id > after, Notification.sent_at.is_(None), ~_digest_reader
        )
    )
    return int(count or 0)


# --- Sending ----------------------------------------------------------------------------


def deliver(notices: Sequence[Notification]) -> Delivery:
    """Email (or log) ``notices`` and set ``sent_at`` on those done with; flushes only."""
    result = Delivery()
    if not notices:
        return result
    now = utcnow()
    notices = _wanted_now(notices, now)
    if not notices:
        db.session.flush()
        return result
    if not smtp_configured():
        for notice in notices:
            logger.info(
                "email not configured; notice %s kind=%s user=%s",
                notice.id,
                notice.kind,
                notice.user_id,
            )
            notice.sent_at = now
            result.sent += 1
        db.session.flush()
        return result

    users = recipients({notice.user_id for notice in notices})
    try:
        with connect() as smtp:
            for notice in notices:
                user = users.get(notice.user_id)
                if user is None:  # deleted meanwhile; the notice goes with it
                    continue
                outcome = _send_one(smtp, notice, user)
                if outcome is _Outcome.DEFERRED:
                    continue
                notice.sent_at = now
                if outcome is _Outcome.SENT:
                    result.sent += 1
                else:
                    result.refused += 1
    except _ConnectionFailed:
        result.stopped = True
    except (smtplib.SMTPException, OSError) as error:
        # Failing to connect, log in or start TLS: no recipient data in these.
        logger.error("SMTP server unavailable (%s: %s)", type(error).__name__, error)
        result.stopped = True
    result.deferred = sum(1 for notice in notices if notice.sent_at is None)
    db.session.flush()
    return result


def _wanted_now(notices: Sequence[Notification], now: datetime) -> list[Notification]:
    """Those of ``notices`` whose recipients want them by email now, as they chose at
    the time of sending (they may have changed their mind since the notice was made).
    Those whose email was turned off are marked done; those for a daily digest are left
    unsent, for ``digest.send_digest``."""
    users = {notice.user_id for notice in notices}
    modes = preferences.email_modes(users)
    off = preferences.opt_outs(users, {notice.kind for notice in notices})
    wanted = []
    for notice in notices:
        mode = modes.get(notice.user_id, EmailMode.IMMEDIATE)
        if mode is EmailMode.NEVER or (notice.user_id, notice.kind) in off:
            notice.sent_at = now
        elif mode is EmailMode.IMMEDIATE:
            wanted.append(notice)
    return wanted


@dataclass(frozen=True)
class Recipient:
    """What an email needs to know about a user."""

    id: int
    email: str
    locale: str


#: The three columns of the users table an email needs, read by name: this shared
#: service sits below ``peerlearn.accounts`` and does not import it.
_USERS = table("users", column("id"), column("email"), column("locale"))


def recipients(ids: Iterable[int]) -> dict[int, Recipient]:
    rows = db.session.execute(
        select(_USERS.c.id, _USERS.c.email, _USERS.c.locale).where(_USERS.c.id.in_(list(ids)))
    )
    return {row.id: Recipient(row.id, row.email, row.locale or "") for row in rows}


def connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(
        str(config["SMTP_HOST"]),
        int(config.get("SMTP_PORT") or 587),
        timeout=float(config.get("SMTP_TIMEOUT") or 10),
    )
    try:
        if config.get("SMTP_STARTTLS", True):
            # SMTP_CA_FILE trusts a private CA (a relay inside the organisation) without
            # turning verification off; the system's trust store is used otherwise.
            smtp.starttls(context=ssl.create_default_context(cafile=config.get("SMTP_CA_FILE")))
        if config.get("SMTP_USERNAME"):
            smtp.login(str(config["SMTP_USERNAME"]), str(config.get("SMTP_PASSWORD") or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


class _Outcome(Enum):
    SENT = "sent"
    #: Refused for good: marked sent so that it is not retried forever.
    REFUSED = "refused"
    #: Refused for now (a 4xx for this email): left unsent for the next run.
    DEFERRED = "deferred"


def _send_one(smtp: smtplib.SMTP, notice: Notification, user: Recipient) -> _Outcome:
    """Hand one email to the server. Raises ``_ConnectionFailed`` when the server cannot
    take any mail now."""
    try:
        smtp.send_message(compose(notice, user))
    except smtplib.SMTPRecipientsRefused as error:
        # The error holds the address: log only the code.
        codes = [code for code, _text in error.recipients.values()]
        return _refused(notice, min(codes, default=0), "recipient refused")
    except smtplib.SMTPSenderRefused as error:
        logger.error("SMTP server refused the sender (%s); check MAIL_FROM", error.smtp_code)
        raise _ConnectionFailed from error
    except smtplib.SMTPDataError as error:
        return _refused(notice, error.smtp_code, "message refused")
    except (smtplib.SMTPException, OSError) as error:
        logger.error("SMTP server unavailable (%s: %s)", type(error).__name__, error)
        raise _ConnectionFailed from error
    logger.info("emailed notice %s kind=%s user=%s", notice.id, notice.kind, notice.user_id)
    return _Outcome.SENT


def _refused(notice: Notification, code: int, what: str) -> _Outcome:
    permanent = code >= 500
    logger.warning(
        "%s %s (%s): notice %s kind=%s user=%s",
        what, "for good" if permanent else "for now", code, notice.id, notice.kind,
        notice.user_id,
    )  # fmt: skip
    return _Outcome.REFUSED if permanent else _Outcome.DEFERRED


def recipient_locale(user: Recipient) -> str:
    """The user's saved language when the site offers it, else the site's default."""
    if user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def compose(notice: Notification, user: Recipient) -> EmailMessage:
    """The email for ``notice``, in ``user``'s language: the message and its link."""
    locale = recipient_locale(user)
    with force_locale(locale):
        text = message(notice)
        link = _("Open it here: %(link)s", link=absolute_url(notice.url or "/"))
        footer = _(
            "All your notifications: %(link)s", link=absolute_url(url_for("notifications.index"))
        )
        body = f"{text}\n\n{link}\n\n-- \n{footer}"
    email = EmailMessage()
    email["From"] = str(current_app.config["MAIL_FROM"])
    email["To"] = user.email
    # A header is one line; an assignment title is user text.
    email["Subject"] = " ".join(text.split())[:200]
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=_mail_domain())
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    email.set_content(body + "\n")
    email["Content-Language"] = locale  # after set_content, which clears Content-* headers
    return email


def compose_digest(notices: Sequence[Notification], user: Recipient) -> EmailMessage:
    """The daily digest for ``user``: every notice of ``notices`` as one line and its
    link, in ``user``'s language, in one email."""
    locale = recipient_locale(user)
    with force_locale(locale):
        subject = ngettext(
            "Your peerlearn notifications: %(num)s new",
            "Your peerlearn notifications: %(num)s new",
            len(notices),
        )
        lines = [
            f"* {' '.join(message(notice).split())}\n  {absolute_url(notice.url or '/')}"
            for notice in notices
        ]
        footer = _(
            "All your notifications: %(link)s", link=absolute_url(url_for("notifications.index"))
        )
        settings = _(
            "Choose what you receive: %(link)s",
            link=absolute_url(url_for("notifications.settings")),
        )
        body = "\n\n".join(lines) + f"\n\n-- \n{footer}\n{settings}"
    email = EmailMessage()
    email["From"] = str(current_app.config["MAIL_FROM"])
    email["To"] = user.email
    email["Subject"] = subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=_mail_domain())
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(body + "\n")
    email["Content-Language"] = locale
    return email


# --- Emails about an account (reset links, confirmations) -------------------------------


def send_email(
    to: str, subject: str, body: str, locale: str, kind: str, user_id: int | None = None
) -> bool:
    """The job that sends an email about an account (a reset link, a confirmation) by the
    same server as the notices. Raises ``Deferred`` when the server cannot take it now,
    so that the queue tries again (within the link's lifetime).

    Nothing of it is stored in the database: its link holds a secret, of which only a
    hash is kept. Without SMTP it becomes one log line with its kind and user id (never
    the link)."""
    if not smtp_configured():
        logger.info("email not configured; %s user=%s", kind, user_id)
        return False
    email = EmailMessage()
    email["From"] = str(current_app.config["MAIL_FROM"])
    email["To"] = to
    email["Subject"] = " ".join(subject.split())[:200]
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=_mail_domain())
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(body)
    email["Content-Language"] = locale
    try:
        with connect() as smtp:
            smtp.send_message(email)
    except (smtplib.SMTPException, OSError) as error:
        logger.error("sending %s to user=%s failed (%s)", kind, user_id, type(error).__name__)
        raise Deferred(f"{kind} to user={user_id} not sent ({type(error).__name__})") from None
    logger.info("emailed %s user=%s", kind, user_id)
    return True


def _mail_domain() -> str:
    sender = str(current_app.config["MAIL_FROM"])
    return sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
