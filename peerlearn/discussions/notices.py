"""The notices of discussions: their kinds and texts. They name the thread, never who
wrote (a build log's thread is double-blind)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from peerlearn.i18n import _
from peerlearn.notifications import register_kind


class NoticeKind(StrEnum):
    #: Someone replied in a thread you follow (params: thread).
    REPLY = "discussion_reply"
    #: Someone mentioned you in a post (params: thread).
    MENTION = "discussion_mention"
    #: The change proposal linked to a thread you follow was accepted (params: thread).
    FIXED = "discussion_fixed"


def _reply(params: dict[str, Any]) -> str:
    return _("New reply in “%(thread)s”.", thread=str(params["thread"]))


def _mention(params: dict[str, Any]) -> str:
    return _("You were mentioned in “%(thread)s”.", thread=str(params["thread"]))


def _fixed(params: dict[str, Any]) -> str:
    return _(
        "The change proposal that fixes what “%(thread)s” reported was accepted.",
        thread=str(params["thread"]),
    )


register_kind(NoticeKind.REPLY, _reply)
register_kind(NoticeKind.FIXED, _fixed)
register_kind(NoticeKind.MENTION, _mention)
