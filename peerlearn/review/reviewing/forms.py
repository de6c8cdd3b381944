"""The review form and the helpfulness rating, and the sentences for refused reviews.

The rubric differs per assignment, so the level and comment of each criterion are read
from the posted data by name (``level-<criterion id>``, ``comment-<criterion id>``); the
Flask-WTF form carries the CSRF token and the overall comment.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from peerlearn.bundles.assignment_spec import AssignmentSpec
from peerlearn.i18n import _l
from peerlearn.review.models import ReviewScore
from peerlearn.review.reviewing.reviewing import MAX_COMMENT, MIN_OVERALL_COMMENT, ScoreInput

PROBLEM_MESSAGES: dict[str, LazyString] = {
    "level_missing": _l("Choose a level for this criterion."),
    "level_unknown": _l("Choose one of the levels listed for this criterion."),
    "overall_short": _l(
        "Write a few sentences for the author: what works, and what to improve "
        "(at least %(num)s characters).",
        num=MIN_OVERALL_COMMENT,
    ),
    "too_long": _l("This is too long: at most %(num)s characters.", num=MAX_COMMENT),
}
REFUSED_MESSAGES: dict[str, LazyString] = {
    "submitted": _l("This review has been submitted and can no longer be changed."),
    "discarded": _l("This review was discarded by a maintainer and can no longer be changed."),
    "closed": _l("The review deadline has passed: reviews can no longer be written."),
    "not_submitted": _l("Submit your own build log first; then you can review others."),
    "nothing": _l("There is no build log to review yet. Come back later."),
}


class ReviewForm(FlaskForm):
    overall = TextAreaField(
        _l("Overall comment for the author"),
        description=_l("What works well, and the one thing that would improve it most."),
    )


class HelpfulnessForm(FlaskForm):
    rating = IntegerField(
        _l("How helpful was this review?"),
        validators=[
            InputRequired(_l("Choose how helpful the review was, from 1 to 5.")),
            NumberRange(1, 5, _l("Choose how helpful the review was, from 1 to 5.")),
        ],
    )
    comment = TextAreaField(
        _l("What helped, or what was missing? (optional)"),
        validators=[Length(max=MAX_COMMENT)],
    )


def scores_from(data: MultiDict[str, str], spec: AssignmentSpec) -> dict[str, ScoreInput]:
    """The levels and comments posted for each criterion of the rubric.

    A level that is not a whole number counts as not chosen; whether it is one of the
    criterion's levels is the service's check.
    """
    scores: dict[str, ScoreInput] = {}
    for criterion in spec.rubric:
        raw = data.get(f"level-{criterion.id}", "").strip()
        points = int(raw) if raw.lstrip("-").isdigit() else None
        comment = data.get(f"comment-{criterion.id}", "").replace("\r\n", "\n")
        scores[criterion.id] = ScoreInput(points, comment)
    return scores


def scores_as_input(saved: Mapping[str, ReviewScore]) -> dict[str, ScoreInput]:
    return {key: ScoreInput(row.points, row.comment) for key, row in saved.items()}
