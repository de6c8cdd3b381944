"""Forms of the translation pages: naming a translator, and a message's text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from peerlearn.i18n import _l

#: The most plural forms any language has (Arabic: six).
MAX_FORMS = 6


def _strip_lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class TranslatorForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_strip_lower],
        validators=[
            DataRequired(_l("Enter the username of the person to name translator.")),
            Length(max=40, message=_l("A username has at most 40 characters.")),
        ],
    )
    #: Choices are the site's languages but the source one (set by the view).
    locale = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])


class TranslationForm(FlaskForm):
    """One text area per form of the message: one, or one per plural form."""

    text = FieldList(TextAreaField(), min_entries=0, max_entries=MAX_FORMS)
    #: The list page (search and page) to go back to afterwards.
    back = HiddenField()


def translation_form(count: int, initial: Sequence[str]) -> TranslationForm:
    """The form for a message with ``count`` forms; ``initial`` fills it on first view
    (a submitted form keeps what was typed)."""
    form = TranslationForm()
    if not form.is_submitted():
        for value in list(initial)[:count]:
            form.text.append_entry(value)
    while len(form.text) < count:
        form.text.append_entry("")
    return form
