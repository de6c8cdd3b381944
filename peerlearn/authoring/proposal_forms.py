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
    """Modules (or assignments) to offer, as a list of checkboxes (works without
    JavaScript). Whether anything at all was chosen is the form's question."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, stale_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stale_message = stale_message or _l(
            "A module you chose no longer differs from upstream. Check the list again."
        )

    def pre_validate(self, form: Any) -> None:
        known = {value for value, _label in self.choices or []}
        if any(value not in known for value in self.data or []):
            raise ValidationError(self.stale_message)


class ProposeForm(FlaskForm):
    modules = ModuleChoiceField(_l("Modules to offer"), coerce=int, validate_choice=False)
    assignments = ModuleChoiceField(
        _l("Assignments to offer"),
        coerce=int,
        validate_choice=False,
        stale_message=_l(
            "An assignment you chose no longer differs from upstream. Check the list again."
        ),
    )
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

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if self.modules.data or self.assignments.data:
            return valid
        # The error goes where the reader looks: the module list, unless only
        # assignments are on offer.
        if self.assignments.choices and not self.modules.choices:
            self.assignments.errors.append(_l("Choose at least one assignment to offer."))
        elif self.assignments.choices:
            self.modules.errors.append(_l("Choose at least one module or assignment to offer."))
        else:
            self.modules.errors.append(_l("Choose at least one module to offer."))
        return False


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
