"""Notices of every feature, in the app and by email (see ``notices`` and ``delivery``).

Features call ``notify`` (or ``notify_many``) and ``register_kind``, and add their kinds
to the one list in ``kinds``; this package imports no feature. Email
leaves through ``peerlearn.jobs``, never inside a request.
"""

from peerlearn.notifications.models import Notification
from peerlearn.notifications.notices import (
    NoticePage,
    mark_all_read,
    mark_read,
    message,
    notices_page,
    notify,
    notify_many,
    open_notice,
    params_of,
    register_kind,
    unread_count,
)

__all__ = [
    "NoticePage",
    "Notification",
    "mark_all_read",
    "mark_read",
    "message",
    "notices_page",
    "notify",
    "notify_many",
    "open_notice",
    "params_of",
    "register_kind",
    "unread_count",
]
