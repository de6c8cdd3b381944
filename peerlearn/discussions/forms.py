"""Forms of discussions (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from peerlearn.discussions.models import BODY_MAX, REASON_MAX, TITLE_MAX
from peerlearn.i18n import _l


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write something first.")), Length(max=BODY_MAX)],
        description=_l("Markdown works. Write @username to tell someone who can read this."),
    )


class ThreadForm(PostForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the thread a title.")), Length(max=TITLE_MAX)],
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong?"), validators=[Optional(), Length(max=REASON_MAX)])


class ProposalLinkForm(FlaskForm):
    proposal = SelectField(_l("Change proposal"), coerce=int)
