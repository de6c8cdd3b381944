from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from peerlearn.accounts.passwords import PasswordProblem, password_problems
from peerlearn.accounts.services import email_taken, username_taken
from peerlearn.i18n import _, _l, own_language_name

PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("Use at least %(min)d characters."),
    PasswordProblem.TOO_COMMON: _l(
        "This password is too common; choose one that is harder to guess."
    ),
    PasswordProblem.CONTAINS_NAME: _l("Do not use your username or email in your password."),
    PasswordProblem.REPETITIVE: _l("Use more than one or two different characters."),
}  # fmt: skip


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def language_choices() -> list[tuple[str, str]]:
    return [(code, own_language_name(code)) for code in current_app.config["LANGUAGES"]]


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Choose a username.")),
            Length(3, 40, _l("A username has 3 to 40 characters.")),
            Regexp(
                r"^[a-z0-9_.-]+$", message=_l("Use only letters a-z, digits, '.', '_' and '-'.")
            ),
        ],
        description=_l("Others see this name. Letters a-z, digits, '.', '_' and '-'."),
    )
    email = EmailField(
        _l("Email"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address.")),
        ],
        description=_l("Never shown to other learners."),
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[
            DataRequired(_l("Repeat your password.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
    )
    language = SelectField(_l("Preferred language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.password.description = _new_password_description()

    def validate_username(self, field: StringField) -> None:
        if field.data and username_taken(field.data):
            raise ValidationError(_("This username is taken. Please choose another."))

    def validate_email(self, field: EmailField) -> None:
        # With confirmation by email, a known address is answered like a new one (the
        # view mails its owner instead), so the form never tells who has an account.
        if field.data and not self.hide_taken_email and email_taken(field.data):
            raise ValidationError(_("An account with this email already exists. Log in instead?"))

    def validate_password(self, field: PasswordField) -> None:
        check_new_password(field.data or "", self.username.data or "", self.email.data or "")

    #: Set by the view when registrations are confirmed by email.
    hide_taken_email = False


def check_new_password(password: str, username: str, email: str) -> None:
    """Raise the form error listing everything wrong with a new password."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = password_problems(
        password, username, email, minimum, int(current_app.config["PASSWORD_MIN_SCORE"])
    )
    if problems:
        raise ValidationError(
            " ".join(str(PASSWORD_MESSAGES[p]) % {"min": minimum} for p in problems)
        )


def _new_password_description() -> str:
    return _(
        "At least %(min)d characters. A few unrelated words work well.",
        min=current_app.config["PASSWORD_MIN_LENGTH"],
    )


class ChangePasswordForm(FlaskForm):
    """Changing one's password: the current one first, so that a borrowed, signed-in
    phone is not enough to take the account."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password."))]
    )
    confirm_password = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(_l("Repeat your password.")),
            EqualTo("new_password", _l("The two passwords do not match.")),
        ],
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.new_password.description = _new_password_description()

    def validate_current_password(self, field: PasswordField) -> None:
        if not check_password_hash(self.user.password_hash, field.data or ""):
            raise ValidationError(_("This is not your current password."))

    def validate_new_password(self, field: PasswordField) -> None:
        check_new_password(field.data or "", self.user.username, self.user.email)


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address.")),
        ],
        description=_l("The address of your account. We will send you a link."),
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password."))]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(_l("Repeat your password.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.password.description = _new_password_description()

    def validate_password(self, field: PasswordField) -> None:
        check_new_password(field.data or "", self.user.username, self.user.email)


class LoginForm(FlaskForm):
    login = StringField(
        _l("Username or email"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your username or email."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"))
    timezone = SelectField(
        _l("Time zone"), description=_l("Dates and deadlines are shown in this zone.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.timezone.choices = timezone_choices()
