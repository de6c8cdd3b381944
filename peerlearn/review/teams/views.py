"""The maintainers' teams page: the ``teams`` blueprint, nested in ``review`` (endpoint
``review.teams.teams_page``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.extensions import db
from peerlearn.i18n import _, ngettext
from peerlearn.review.staff.forms import ConfirmForm
from peerlearn.review.teams import teams
from peerlearn.web import current_actor, current_course

bp = Blueprint("teams", __name__, template_folder="templates")


@bp.route("/courses/<slug>/teams", methods=["GET", "POST"])
@login_required
def teams_page(slug: str) -> Response | str | tuple[str, int]:
    course = current_course()
    if not permissions.can_manage_reviews(current_actor(), course):
        abort(403)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        given: dict[int, str] = {}
        for key, value in request.form.items():
            if key.startswith("team-") and key[5:].isdigit():
                given[int(key[5:])] = value
        changed = teams.set_teams(current_user, course, given)
        db.session.commit()
        flash(ngettext("%(num)s team changed.", "%(num)s teams changed.", changed), "success")
        return redirect(url_for("review.teams.teams_page", slug=course.slug))
    return render_template(
        "review/staff_teams.html",
        course=course,
        roster=teams.roster(course),
        form=form,
        max_team=teams.MAX_TEAM,
        title=_("Teams: %(title)s", title=course.title),
    )
