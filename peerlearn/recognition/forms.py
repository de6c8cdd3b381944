"""The maintainer's form to revoke a badge."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from peerlearn.i18n import _l
from peerlearn.recognition.awarding import MAX_REASON


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this badge revoked?"),
        description=_l("Public: anyone who checks the badge reads it, and it is not issued again."),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the reason: whoever checks the badge will read it.")),
            Length(max=MAX_REASON, message=_l("Use at most %(max)d characters.")),
        ],
    )
