"""A circle's peer-review settings: when review stays inside the circle, and whether it
falls back to the whole course while the circle is smaller.

The settings are columns of ``circles.Circle``, but only peer review reads them, so their
page lives here, on the ``staff`` blueprint of :mod:`peerlearn.review.staff.views`
(endpoint ``review.staff.circle_review_settings``; review may import circles, not the
reverse).
Only the circle's facilitators (and site admins) change them: ``permissions.can_facilitate``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from peerlearn import permissions
from peerlearn.circles.membership import is_facilitator, is_member
from peerlearn.circles.models import Circle
from peerlearn.extensions import db
from peerlearn.i18n import _, _l
from peerlearn.web import current_actor

#: The fewest members a facilitator may ask for (two review each other) and the most.
MIN_POOL, MAX_POOL = 2, 500


class CircleReviewForm(FlaskForm):
    review_min_pool = IntegerField(
        _l("Review inside the circle once this many members have submitted"),
        validators=[
            InputRequired(_l("Enter a number of members.")),
            NumberRange(MIN_POOL, MAX_POOL, _l("Between %(min)s and %(max)s members.")),
        ],
    )
    review_fallback = BooleanField(_l("While fewer have submitted, review with the whole course"))


@login_required
def circle_review_settings(circle_id: int) -> Response | str:
    circle = db.session.get(Circle, circle_id)
    if circle is None or not permissions.can_view_circle(
        current_actor(), circle, is_member(current_user.id, circle)
    ):
        abort(404)
    if not permissions.can_facilitate(
        current_actor(), circle, is_facilitator(current_user.id, circle)
    ):
        abort(403)
    form = CircleReviewForm(obj=circle)
    if form.validate_on_submit():
        assert form.review_min_pool.data is not None  # InputRequired
        circle.review_min_pool = form.review_min_pool.data
        circle.review_fallback = bool(form.review_fallback.data)
        db.session.commit()
        flash(_("The circle's review settings are saved."), "success")
        return redirect(url_for("circles.circle", circle_id=circle.id))
    return render_template("review/circle_settings.html", circle=circle, form=form)
