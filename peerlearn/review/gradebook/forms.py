"""Forms of the gradebook (override, answer to a regrade) and of the author's regrade
request, and the sentences for refused requests.

Points are typed the way the maintainer's language writes numbers ("7,5" in Spanish),
read with Babel like build-log measurements, and kept as Decimal.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from peerlearn.assignments.measurements import MeasurementError, format_value, parse_value
from peerlearn.i18n import _, _l
from peerlearn.review.grading.overrides import MAX_REASON, OverrideRefused, check_points

METHOD_LABELS: dict[str, LazyString] = {
    "model": _l("Model: weighs each reviewer by their estimated bias and reliability"),
    "bounded": _l(
        "Model: weighs each reviewer by their estimated bias and reliability; a criterion "
        "every reviewer put at the top or the bottom gets that top or bottom"
    ),
    "median": _l("Median of the reviewers' scores (as in Open edX)"),
    "mean": _l("Mean of the reviewers' scores"),
}
REGRADE_REFUSED: dict[str, LazyString] = {
    "not_author": _l("Only the author of a build log can ask for it to be regraded."),
    "no_grade": _l("Your build log has no grade yet. Ask for a regrade once it is graded."),
    "give_first": _l(
        "Give the reviews this assignment asks of you first: then you see your grade and "
        "can ask for a regrade."
    ),
    "already_open": _l(
        "You already asked for a regrade. A maintainer will answer it; then you can ask again."
    ),
    "answered": _l("This regrade request has already been answered."),
    "no_reason": _l("Say why the grade should be looked at again."),
    "no_answer": _l("Write an answer for the author."),
}


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _points_field(label: LazyString) -> StringField:
    return StringField(
        label,
        filters=[_strip],
        description=_l("A number, written as in your language (for example 7,5 or 7.5)."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def _read_points(field: StringField, locale: str, max_total: Decimal) -> Decimal | None:
    """The points typed in ``field``, or None with the problem put on the field."""
    message: str | None = None
    try:
        points = parse_value(field.data or "", locale)
        check_points(points, max_total)
    except MeasurementError as error:
        if error.code == "empty":
            message = _("Enter the grade in points.")
        else:
            message = _(
                "Enter a number of points, written as in your language (for example 7,5 or 7.5)."
            )
    except OverrideRefused as error:
        if error.code == "too_precise":
            message = _("Use at most two decimal places.")
        else:
            message = _(
                "Enter between %(low)s and %(high)s points.",
                low=format_value(Decimal(0), locale),
                high=format_value(max_total, locale),
            )
    if message is not None:
        field.errors = [*field.errors, message]
        return None
    return points


class OverrideForm(FlaskForm):
    points = _points_field(_l("New grade (points)"))
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[
            DataRequired(
                _l(
                    "Give the reason for the new grade: the author and other "
                    "maintainers will read it."
                )
            ),
            Length(max=MAX_REASON, message=_l("Use at most %(max)d characters.")),
        ],
    )

    def grade(self, locale: str, max_total: Decimal) -> Decimal | None:
        """Validate the form; the points as a Decimal, or None with errors on the fields."""
        valid = self.validate()
        points = _read_points(self.points, locale, max_total)
        return points if valid else None


class RegradeRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should your grade be looked at again?"),
        filters=[_strip],
        validators=[
            DataRequired(REGRADE_REFUSED["no_reason"]),
            Length(max=MAX_REASON, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("Point to the criterion and to what in your build log shows it."),
    )
    #: The page the request was sent from, to go back to (only local paths are followed).
    next = HiddenField()


class RegradeAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer to the author"),
        filters=[_strip],
        validators=[
            DataRequired(REGRADE_REFUSED["no_answer"]),
            Length(max=MAX_REASON, message=_l("Use at most %(max)d characters.")),
        ],
    )
    points = _points_field(_l("New grade (optional, points)"))

    def grade(self, locale: str, max_total: Decimal) -> tuple[bool, Decimal | None]:
        """(valid, new points or None when the grade stays as it is)."""
        valid = self.validate()
        if not self.points.data:
            return valid, None
        points = _read_points(self.points, locale, max_total)
        return valid and points is not None, points
