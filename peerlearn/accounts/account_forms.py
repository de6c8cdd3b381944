"""Forms of the account pages people control: privacy, deleting the account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from peerlearn.accounts.models import CREDIT_NAME_MAX
from peerlearn.i18n import _l


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class PrivacyForm(FlaskForm):
    activity_public = BooleanField(
        _l("Show my learning activity on my profile"),
        description=_l("The courses you follow. Off: only you see them."),
    )


class DeleteAccountForm(FlaskForm):
    credit = RadioField(
        _l("Credit what I gave to the commons to"),
        choices=[("former", _l("“a former contributor”")), ("name", _l("this name:"))],
        default="former",
    )
    credit_name = StringField(
        _l("Name to credit"),
        filters=[_strip],
        validators=[Optional(), Length(max=CREDIT_NAME_MAX)],
    )
    accept_unmaintained = BooleanField(
        _l("I understand that the courses above will have no maintainer.")
    )
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Enter your password."))]
    )
