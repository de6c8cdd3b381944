"""Every kind of notice, in one list, with the label a person chooses by on their settings.

A feature that announces something adds its kind here (name, label) and calls
``notify(user_id, "kind_name", url, **params)``. The sentence a notice shows is the
feature's (``register_kind``), because only the feature knows its params; the label lives
here so that the settings page lists every kind, in the order people think of them, even
for a feature that registers its text later. Kinds whose feature is being built in
parallel (discussions, circles) carry a default sentence here, built from the params
named in their comment; the feature may register a better one.

A name is at most 32 characters (``notifications.kind``) and never changes: it is stored
in notices and in people's opt-outs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peerlearn.i18n import LazyText, _, _l


@dataclass(frozen=True)
class Kind:
    name: str
    #: What the settings page calls it ("Replies to your posts").
    label: LazyText
    #: A default sentence for the notice, when the feature registers none.
    text: Callable[[dict[str, Any]], str] | None = None


def _param(params: dict[str, Any], name: str) -> str:
    return str(params.get(name, ""))


def _moderation(params: dict[str, Any]) -> str:
    return _("A moderator acted on your post in “%(thread)s”.", thread=_param(params, "thread"))


def _circle_message(params: dict[str, Any]) -> str:
    return _("There is news from your circle “%(circle)s”.", circle=_param(params, "circle"))


#: The one list. Order is the settings page's order.
KINDS: list[Kind] = [
    # Conversation (texts in peerlearn.discussions.notices; moderation's here: params
    # thread, its title).
    Kind("discussion_reply", _l("Replies in discussions you take part in")),
    Kind("discussion_mention", _l("Mentions of you")),
    Kind(
        "discussion_fixed",
        _l("Accepted change proposals that fix what a discussion reported"),
    ),
    Kind("moderation", _l("Moderation decisions about your posts"), _moderation),
    # Circles (peerlearn.circles): params circle (its name).
    Kind("circle_message", _l("News from your circles"), _circle_message),
    # Peer review (texts in peerlearn.review.notifications).
    Kind("review_assigned", _l("Build logs given to you to review")),
    Kind("lease_expiring", _l("Reviews about to expire")),
    Kind("review_received", _l("Reviews of your build logs")),
    Kind("review_invited", _l("Invitations to one more review that helps a classmate")),
    Kind("resubmission_waiting", _l("New versions of build logs you reviewed")),
    Kind("grade_ready", _l("Your grades")),
    Kind("regrade_answered", _l("Answers to your regrade requests")),
    # Courses (texts in peerlearn.authoring.notices).
    Kind("proposal_received", _l("Change proposals to courses you maintain")),
    Kind("proposal_decided", _l("Decisions on proposals to courses you maintain")),
    Kind("proposal_outcome", _l("Decisions on your change proposals")),
    Kind("upstream_changed", _l("Changes to courses you forked")),
]

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}


def label_of(name: str) -> str:
    kind = BY_NAME.get(name)
    return str(kind.label) if kind else name
