"""Forms of the maintainers' review pages (stuck submissions, flags, calibration examples)
and of the author's flag, with the sentences that explain a refused action.

The services report a refusal as a short code; this is where the code becomes a sentence
in the reader's language that says what to do instead.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from peerlearn.i18n import _l

#: Reasons, notes and flag texts are a few sentences, not essays.
MAX_NOTE = 2000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value: Any) -> int | None:
    """A posted id, or None for anything that is not a whole number (a missing or
    tampered field gets the form's sentence, not a coercion error)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _newlines(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class LowerRequirementForm(FlaskForm):
    """How many reviews one build log needs from now on; the range depends on the
    assignment, so the service checks it (``StuckRefused("out_of_range")``)."""

    required = IntegerField(
        _l("Reviews needed"),
        validators=[InputRequired(_l("Enter how many reviews this build log needs."))],
    )
    reason = TextAreaField(
        _l("Reason (optional)"),
        filters=[_strip, _newlines],
        validators=[Length(max=MAX_NOTE, message=_l("Use at most %(max)d characters."))],
    )


class FlagForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this review?"),
        filters=[_strip, _newlines],
        validators=[
            DataRequired(
                _l("Say what is wrong with this review, so that a maintainer can judge it.")
            ),
            Length(max=MAX_NOTE, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l(
            "Only the course's maintainers read this. They decide whether the review counts."
        ),
    )


DECISION_MISSING = _l("Choose whether to discard or keep the review.")
#: The decisions a maintainer can take on a flag (``flags.Resolution`` values).
DECISIONS = ("discarded", "kept")


class ResolveFlagForm(FlaskForm):
    """The page renders the two radio buttons itself; any other value is no decision."""

    decision = StringField(_l("Decision"), filters=[_strip])
    note = TextAreaField(
        _l("Note to the author"),
        filters=[_strip, _newlines],
        validators=[
            DataRequired(_l("Write a short note: the author reads it with your decision.")),
            Length(max=MAX_NOTE, message=_l("Use at most %(max)d characters.")),
        ],
    )

    def validate_decision(self, field: StringField) -> None:
        if field.data not in DECISIONS:
            raise ValidationError(str(DECISION_MISSING))


class ExampleForm(FlaskForm):
    """The build log to make a calibration example of. The page renders the choices (the
    submitted logs) itself; whether the chosen one may be an example is the service's
    question."""

    log_id = StringField(_l("Submitted build log"), filters=[_int_or_none])

    def validate_log_id(self, field: StringField) -> None:
        if field.data is None:
            raise ValidationError(str(_l("Choose a submitted build log.")))


REFUSALS: dict[str, LazyString] = {
    # stuck submissions
    "not_waiting": _l("This build log is not in the review queue: it was never submitted."),
    "own_log": _l("You cannot review your own build log. Ask another maintainer."),
    "out_of_range": _l("Enter a whole number of reviews from 1 to %(max)s."),
    "same_requirement": _l("This build log already needs that many reviews; nothing was changed."),
    # flags
    "not_author": _l("Only the author of the build log can report a review of it."),
    "already_flagged": _l(
        "You have already reported this review. A maintainer will look at it; "
        "each review can be reported once."
    ),
    "already_resolved": _l(
        "This report was already resolved by another maintainer. Reload the list to see "
        "the decision."
    ),
    # calibration
    "no_submission": _l("This build log has no submitted version, so it cannot be an example."),
    "already_example": _l(
        "This build log is already a calibration example with a reference assessment."
    ),
    "unavailable": _l("This practice example is no longer offered. Choose another one."),
    "own_example": _l("This example is your own build log; practise on another one."),
    "limit": _l(
        "You have started all the practice reviews this assignment offers. Finish those first."
    ),
}


def refusal(code: str, **values: Any) -> str:
    """The sentence for a refusal code (``values`` fill its placeholders)."""
    return str(REFUSALS[code]) % values if values else str(REFUSALS[code])
