"""The notification settings form: one choice per kind of notice, and the email mode."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

from peerlearn.i18n import _l
from peerlearn.notifications.kinds import KINDS, Kind
from peerlearn.notifications.models import Channel, EmailMode

#: The choice for a kind nobody turned off.
BOTH = "both"

CHANNEL_CHOICES = [
    (BOTH, _l("In the app and by email")),
    (Channel.EMAIL.value, _l("In the app only")),
    (Channel.ALL.value, _l("Off")),
]


def field_name(kind: Kind) -> str:
    return f"kind_{kind.name}"


class NotificationSettingsForm(FlaskForm):
    email_mode = RadioField(
        _l("Email"),
        choices=[
            (EmailMode.IMMEDIATE.value, _l("Each notification as it happens")),
            (EmailMode.DAILY.value, _l("One email a day with everything new")),
            (EmailMode.NEVER.value, _l("No email")),
        ],
        default=EmailMode.IMMEDIATE.value,
    )


# One select per kind, added once: the list of kinds is fixed when the code loads.
for _kind in KINDS:
    setattr(
        NotificationSettingsForm,
        field_name(_kind),
        SelectField(_kind.label, choices=CHANNEL_CHOICES, default=BOTH),
    )
