"""Forms for proposing changes upstream, discussing them and deciding on them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from peerlearn.i18n import _l


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def normalize_newlines(value: Any) -> Any:
    """Browsers send textarea lines ending in CRLF; stored module text uses LF, so a
    resolution that changes nothing else is the same text, not a changed line ending."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ModuleChoiceField(SelectMultipleField):
    """Modules to offer, as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        if not self.data:
            raise ValidationError(_l("Choose at least one module to offer."))
        known = {value for value, _label in self.choices or []}
        if any(value not in known for value in self.data):
            raise ValidationError(
                _l("A module you chose no longer differs from upstream. Check the list again.")
            )


class ProposeForm(FlaskForm):
    modules = ModuleChoiceField(_l("Modules to offer"), coerce=int, validate_choice=False)
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give your proposal a title.")),
            Length(max=200, message=_l("Keep the title under %(max)d characters.")),
        ],
        description=_l("One line that says what the changes improve."),
    )
    description = TextAreaField(
        _l("Description"),
        filters=[_strip, normalize_newlines],
        validators=[Length(max=20_000, message=_l("Keep the description shorter."))],
        description=_l("Why these changes help learners. Markdown is allowed."),
    )


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        filters=[_strip, normalize_newlines],
        validators=[
            DataRequired(_l("Write a comment first.")),
            Length(max=10_000, message=_l("Keep the comment shorter.")),
        ],
        description=_l("Markdown is allowed."),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip, normalize_newlines],
        validators=[
            DataRequired(_l("Say why you decline, so the author knows what to change.")),
            Length(max=5_000, message=_l("Keep the reason shorter.")),
        ],
    )
