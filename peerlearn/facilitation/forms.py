"""The facilitators' forms: a message to the circle, naming a co-facilitator, stepping
down; and the sentences that explain a refused co-facilitation change."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from peerlearn.i18n import _l

#: A message is a note before a meeting, not a newsletter.
MAX_MESSAGE = 4000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _newlines(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        description=_l("Every current member gets a notification. Markdown works."),
        filters=[_strip, _newlines],
        validators=[
            DataRequired(_l("Write the message.")),
            Length(max=MAX_MESSAGE, message=_l("Use at most %(max)d characters.")),
        ],
    )


class PromoteForm(FlaskForm):
    username = StringField(
        _l("Username of a member"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the username of a member of the circle.")),
            Length(max=80, message=_l("Use at most %(max)d characters.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


#: What the co-facilitation services' refusal codes mean to the person who asked.
REFUSALS: dict[str, LazyString] = {
    "not_member": _l("Nobody with that username is a current member of this circle."),
    "already": _l("That member is already a facilitator of this circle."),
    "last_facilitator": _l(
        "You are the only facilitator. Name a co-facilitator before you step down."
    ),
    "not_facilitator": _l("You are not a facilitator of this circle."),
}
