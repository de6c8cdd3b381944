"""Circle pages: start one, its page (members, schedule, next meeting), join (open or by
invitation link), leave, the printable invitation with its QR code, the facilitator's
changes to details and dates, and the calendars (.ics).

The course page's list of circles and the dashboard's "my circles" are template globals
registered here (``course_circles``, ``my_circles``) and included by catalog's templates,
so catalog, lower down, never imports circles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from peerlearn import permissions
from peerlearn.assignments.models import Assignment
from peerlearn.assignments.revisions import spec_of
from peerlearn.catalog import pages
from peerlearn.circles import calendar, membership, schedule, services
from peerlearn.circles.forms import CircleForm, ConfirmForm
from peerlearn.circles.models import Circle, CircleDeadline, CircleMember
from peerlearn.content.models import Course, Module
from peerlearn.db import as_id, utcnow
from peerlearn.extensions import db
from peerlearn.i18n import _, language_name
from peerlearn.site import page_arg
from peerlearn.web import current_actor, current_course, requires

bp = Blueprint("circles", __name__, template_folder="templates")

#: Circles listed on a course page (the soonest first); more is a list nobody reads.
COURSE_PAGE_CIRCLES = 10
#: Members listed a page on a circle's page: a circle of 500 would otherwise pass the page
#: budget (30 KB), and a list that long is read a page at a time anyway.
MEMBERS_PER_PAGE = 100


@dataclass(frozen=True)
class MemberPage:
    """One page of a circle's members, for the ``pager`` macro."""

    items: list[CircleMember]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- Loading and facts --------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The acting user's standing in one circle (looked up once per request)."""

    member: bool
    facilitator: bool


def _viewer(circle: Circle) -> Viewer:
    user_id = current_user.id if current_user.is_authenticated else None
    row = membership.membership(user_id, circle)
    return Viewer(row is not None, row is not None and row.role == "facilitator")


def _circle_or_404(circle_id: int) -> tuple[Circle, Viewer]:
    circle = db.session.get(Circle, as_id(circle_id) or 0)
    if circle is None:
        abort(404)
    viewer = _viewer(circle)
    if not permissions.can_view_circle(current_actor(), circle, viewer.member):
        abort(404)  # a circle by invitation does not say it exists
    return circle, viewer


def _facilitated(circle_id: int) -> tuple[Circle, Viewer]:
    circle, viewer = _circle_or_404(circle_id)
    if not permissions.can_facilitate(current_actor(), circle, viewer.facilitator):
        abort(403)
    return circle, viewer


def _today(circle: Circle) -> date:
    return utcnow().astimezone(schedule.zone_of(circle)).date()


def _refused(circle: Circle, message: str, back: str) -> tuple[str, int]:
    return render_template("circles/refused.html", circle=circle, message=message, back=back), 409


def _refusal_message(refused: services.JoinRefused, circle: Circle) -> str:
    if refused.reason == services.JoinRefused.FULL:
        return _(
            "This circle is full: all %(capacity)s seats are taken. Ask its facilitator, or "
            "start a circle of your own.",
            capacity=circle.capacity,
        )
    if refused.reason == services.JoinRefused.CLOSED:
        return _("This circle is by invitation: ask its facilitator for the link.")
    if refused.reason == services.JoinRefused.FINISHED:
        return _("This circle has finished. Its page stays readable.")
    if refused.reason == services.JoinRefused.ALREADY_HERE:
        return _("You are already in this circle.")
    other = refused.other.name if refused.other is not None else ""
    return _(
        "You are in another circle of this course, “%(name)s”. Leave it first to join this one.",
        name=other,
    )


# --- Starting and changing ----------------------------------------------------------------


@bp.route("/courses/<slug>/circles/new", methods=["GET", "POST"])
@login_required
@requires(permissions.can_start_circle)
def new_circle(slug: str) -> Response | tuple[str, int] | str:
    course = current_course()
    form = CircleForm()
    if request.method == "GET":
        form.language.data = current_user.locale or course.language
        form.timezone.data = current_user.timezone or "UTC"
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("circles/form.html", form=form, course=course, circle=None), status
    circle = services.start_circle(current_user, course, form.details())
    db.session.commit()
    flash(_("Your circle “%(name)s” is ready. Invite people to it.", name=circle.name), "success")
    return redirect(url_for("circles.circle", circle_id=circle.id))


@bp.route("/circles/<int:circle_id>/edit", methods=["GET", "POST"])
@login_required
def edit(circle_id: int) -> Response | tuple[str, int] | str:
    circle, _viewer = _facilitated(circle_id)
    form = CircleForm(obj=circle)
    if request.method == "GET":
        form.meeting_weekday.data = (
            "" if circle.meeting_weekday is None else str(circle.meeting_weekday)
        )
        form.access.data = "open" if circle.open else "invitation"
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template(
            "circles/form.html", form=form, course=circle.course, circle=circle
        ), status
    services.update_circle(circle, form.details())
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("circles.circle", circle_id=circle.id))


@bp.route("/circles/<int:circle_id>/schedule", methods=["GET", "POST"])
@login_required
def edit_schedule(circle_id: int) -> Response | tuple[str, int] | str:
    """The circle's dates, one row per assignment: a day to submit by and a day to
    review by, each ending at 23:59 where the circle meets."""
    circle, _viewer = _facilitated(circle_id)
    lines = schedule.circle_schedule(circle)
    form = ConfirmForm()
    errors: dict[str, str] = {}
    values = {
        line.assignment.id: (
            _day_text(circle, line.submit_by),
            _day_text(circle, line.review_by),
        )
        for line in lines
    }
    if request.method == "POST" and form.validate_on_submit():
        parsed, values, errors = _read_schedule(circle, lines)
        if not errors:
            _save_schedule(circle, parsed)
            db.session.commit()
            flash(_("The circle's dates are saved."), "success")
            return redirect(url_for("circles.circle", circle_id=circle.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "circles/schedule.html", circle=circle, lines=lines, values=values, errors=errors
    ), status


def _day_text(circle: Circle, moment: datetime | None) -> str:
    return schedule.local_day(circle, moment).isoformat() if moment else ""


def _read_schedule(
    circle: Circle, lines: list[schedule.ScheduleLine]
) -> tuple[
    dict[int, tuple[datetime | None, datetime | None]],
    dict[int, tuple[str, str]],
    dict[str, str],
]:
    parsed: dict[int, tuple[datetime | None, datetime | None]] = {}
    values: dict[int, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    for line in lines:
        number = line.assignment.id
        texts = (
            request.form.get(f"submit-{number}", "").strip()[:20],
            request.form.get(f"review-{number}", "").strip()[:20],
        )
        values[number] = texts
        days: list[date | None] = []
        for kind, text in zip(("submit", "review"), texts, strict=True):
            try:
                days.append(date.fromisoformat(text) if text else None)
            except ValueError:
                errors[f"{kind}-{number}"] = _(
                    "Enter a date such as %(example)s.", example="2027-03-01"
                )
                days.append(None)
        submit_day, review_day = days
        if submit_day and review_day and review_day < submit_day:
            errors[f"review-{number}"] = _("Reviews end on or after the submission day.")
        parsed[number] = (
            schedule.end_of_day(circle, submit_day) if submit_day else None,
            schedule.end_of_day(circle, review_day) if review_day else None,
        )
    return parsed, values, errors


def _save_schedule(
    circle: Circle, parsed: dict[int, tuple[datetime | None, datetime | None]]
) -> None:
    rows = {
        row.assignment_id: row
        for row in db.session.scalars(
            select(CircleDeadline).where(CircleDeadline.circle_id == circle.id)
        )
    }
    for assignment_id, (submit_by, review_by) in parsed.items():
        row = rows.get(assignment_id)
        if row is None:
            row = CircleDeadline(circle_id=circle.id, assignment_id=assignment_id)
            db.session.add(row)
        row.submit_by, row.review_by = submit_by, review_by
    db.session.flush()


# --- The circle's page, joining and leaving -----------------------------------------------


@bp.get("/circles/<int:circle_id>")
def circle(circle_id: int) -> str:
    circle, viewer = _circle_or_404(circle_id)
    now = utcnow()
    lines = schedule.circle_schedule(circle)
    page = page_arg()
    taken = membership.member_count(circle)
    members = None
    if permissions.can_see_circle_members(current_actor(), circle, viewer.member):
        members = MemberPage(
            membership.members_page(circle, page, MEMBERS_PER_PAGE), taken, page, MEMBERS_PER_PAGE
        )
    if page > (members.pages if members is not None else 1):
        abort(404)
    return render_template(
        "circles/circle.html",
        circle=circle,
        course=circle.course,
        viewer=viewer,
        lines=lines,
        members=members,
        taken=taken,
        next_meeting=schedule.next_meeting(circle, now, lines),
        finished=circle.finished_on(_today(circle)),
        place=circle.meeting_place
        if permissions.can_see_meeting_place(current_actor(), circle, viewer.member)
        else None,
        facilitates=permissions.can_facilitate(current_actor(), circle, viewer.facilitator),
        now=now,
    )


@bp.post("/circles/<int:circle_id>/join")
@login_required
def join(circle_id: int) -> Response | tuple[str, int]:
    circle, _viewer = _circle_or_404(circle_id)
    return _join(circle, None, url_for("circles.circle", circle_id=circle.id))


def _join(circle: Circle, code: str | None, back: str) -> Response | tuple[str, int]:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not permissions.can_join_circle(current_actor(), circle):
        abort(403)
    try:
        services.join_circle(current_user, circle, code=code, today=_today(circle))
    except services.JoinRefused as refused:
        db.session.rollback()
        return _refused(circle, _refusal_message(refused, circle), back)
    db.session.commit()
    flash(
        _("Welcome to “%(name)s”. Its dates are now your deadlines.", name=circle.name), "success"
    )
    return redirect(url_for("circles.circle", circle_id=circle.id))


@bp.get("/circles/join/<code>")
def invitation(code: str) -> str:
    """Where an invitation link (or its QR code) leads: the circle, and a button to join."""
    circle = _by_code(code)
    viewer = _viewer(circle)
    return render_template(
        "circles/invitation.html",
        circle=circle,
        course=circle.course,
        viewer=viewer,
        code=code,
        taken=membership.member_count(circle),
        finished=circle.finished_on(_today(circle)),
    )


@bp.post("/circles/join/<code>")
@login_required
def join_by_invitation(code: str) -> Response | tuple[str, int]:
    circle = _by_code(code)
    return _join(circle, code, url_for("circles.invitation", code=code))


def _by_code(code: str) -> Circle:
    if not code or len(code) > 64:
        abort(404)
    circle = db.session.scalar(select(Circle).where(Circle.invite_code == code))
    if circle is None:
        abort(404)
    return circle


@bp.post("/circles/<int:circle_id>/leave")
@login_required
def leave(circle_id: int) -> Response | tuple[str, int]:
    circle, _viewer = _circle_or_404(circle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.leave_circle(current_user, circle)
    except services.NotAMember:
        return _refused(
            circle,
            _("You are not in this circle."),
            url_for("circles.circle", circle_id=circle.id),
        )
    db.session.commit()
    flash(
        _(
            "You left “%(name)s”. Your build logs and reviews are kept; the course's own "
            "dates apply to you again.",
            name=circle.name,
        ),
        "success",
    )
    return redirect(url_for("catalog.course", slug=circle.course.slug))


# --- The invitation ----------------------------------------------------------------------


@bp.get("/circles/<int:circle_id>/invite")
@login_required
def invite(circle_id: int) -> str:
    """The printable invitation: the link and its QR code (inline SVG, no image request,
    prints sharp at any size)."""
    circle, _viewer = _facilitated(circle_id)
    link = url_for("circles.invitation", code=circle.invite_code, _external=True)
    return render_template(
        "circles/invite.html",
        circle=circle,
        course=circle.course,
        link=link,
        qr=Markup(_qr_svg(link)),
    )


def _qr_svg(link: str) -> str:
    """The link as a QR code in SVG. Medium error correction survives a creased or
    smudged printout; the viewBox lets the page scale it."""
    code = segno.make(link, error="m", micro=False)
    title = _("QR code of the invitation link")  # segno escapes it
    return str(code.svg_inline(scale=4, omitsize=True, svgclass="qr", lineclass=None, title=title))


@bp.post("/circles/<int:circle_id>/invite/new-code")
@login_required
def new_code(circle_id: int) -> Response:
    circle, _viewer = _facilitated(circle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.new_code(circle)
    db.session.commit()
    flash(_("The invitation has a new link; the old one no longer works."), "success")
    return redirect(url_for("circles.invite", circle_id=circle.id))


# --- Calendars ---------------------------------------------------------------------------


def _calendar_texts() -> calendar.CalendarTexts:
    return calendar.CalendarTexts(
        meeting=lambda circle: _("Circle meeting: %(name)s", name=circle.name),
        submit=lambda title: _("Submit: %(title)s", title=title),
        review=lambda title: _("Reviews due: %(title)s", title=title),
    )


def _ics(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.ics"',
            "Cache-Control": "private, no-cache",
        },
    )


@bp.get("/circles/<int:circle_id>/calendar.ics")
def calendar_file(circle_id: int) -> Response:
    circle, viewer = _circle_or_404(circle_id)
    found = calendar.new_calendar(circle.name)
    _add(found, circle, viewer.member)
    return _ics(calendar.finish(found), f"circle-{circle.id}")


@bp.get("/circles/calendar.ics")
@login_required
def my_calendar() -> Response:
    """All the signed-in learner's current circles: meetings and deadlines."""
    if not permissions.can_view_own_calendar(current_actor()):
        abort(403)
    found = calendar.new_calendar(_("My learning circles"))
    for circle in _current_circles(current_user.id):
        _add(found, circle, True)
    return _ics(calendar.finish(found), "my-circles")


def _add(found: Any, circle: Circle, member: bool) -> None:
    place = (
        circle.meeting_place
        if permissions.can_see_meeting_place(current_actor(), circle, member)
        else ""
    )
    calendar.add_circle(
        found,
        circle,
        schedule.circle_schedule(circle),
        _calendar_texts(),
        host=request.host.split(":")[0] or "peerlearn",
        url=url_for("circles.circle", circle_id=circle.id, _external=True),
        place=place,
        now=utcnow(),
    )


def _current_circles(user_id: int) -> list[Circle]:
    return list(
        db.session.scalars(
            select(Circle)
            .join(CircleMember, CircleMember.circle_id == Circle.id)
            .where(CircleMember.user_id == user_id, CircleMember.left_at.is_(None))
            .order_by(Circle.starts_on, Circle.id)
        )
    )


# --- On other features' pages (template globals) -----------------------------------------


@dataclass(frozen=True)
class CircleCard:
    circle: Circle
    taken: int


@dataclass(frozen=True)
class CourseCircles:
    """The course page's "Learning circles" section."""

    cards: list[CircleCard]
    languages: list[tuple[str, str]]
    language: str
    mine: Circle | None


def course_circles(course: Course) -> CourseCircles:
    """Open circles of ``course`` that have not finished, soonest first, in the language
    chosen by ``?circle_language=`` (a plain GET form: no script needed), with their
    member counts; two queries (the reader's own circle comes with their deadlines)."""
    language = request.args.get("circle_language", "").strip()[:20]
    yesterday = (utcnow() - timedelta(days=1)).date()
    current = (
        Circle.course_id == course.id,
        Circle.open.is_(True),
        (Circle.ends_on.is_(None)) | (Circle.ends_on >= yesterday),
    )
    codes = db.session.scalars(select(Circle.language).where(*current).distinct())
    languages = sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])
    taken = (
        select(func.count(CircleMember.id))
        .where(CircleMember.circle_id == Circle.id, CircleMember.left_at.is_(None))
        .correlate(Circle)
        .scalar_subquery()
    )
    query = select(Circle, taken).where(*current)
    if language:
        query = query.where(Circle.language == language)
    found = db.session.execute(
        query.order_by(Circle.starts_on, Circle.id).limit(COURSE_PAGE_CIRCLES)
    ).all()
    circles = [one for one, _count in found]
    counts = {one.id: count for one, count in found}
    mine = (
        schedule.current_circle(current_user.id, course.id)
        if current_user.is_authenticated
        else None
    )
    return CourseCircles(
        [CircleCard(one, counts.get(one.id, 0)) for one in circles], languages, language, mine
    )


@dataclass(frozen=True)
class MyCircle:
    """A circle on the learner's dashboard: when it next meets and what is due next."""

    circle: Circle
    next_meeting: datetime | None
    due: list[tuple[str, datetime, schedule.ScheduleLine]]


#: Upcoming deadlines listed per circle on the dashboard.
DASHBOARD_DUE = 3


def my_circles() -> list[MyCircle]:
    if not current_user.is_authenticated:
        return []
    now = utcnow()
    found = []
    for circle in _current_circles(current_user.id):
        lines = schedule.circle_schedule(circle)
        due = sorted(
            (
                (kind, moment, line)
                for line in lines
                for kind, moment in (("submit", line.submit_by), ("review", line.review_by))
                if moment is not None and moment >= now
            ),
            key=lambda item: item[1],
        )[:DASHBOARD_DUE]
        found.append(MyCircle(circle, schedule.next_meeting(circle, now, lines), due))
    return found


@bp.app_template_global("assignment_title")
def assignment_title(assignment: Assignment) -> str:
    return spec_of(assignment).title


@bp.app_template_global("circle_meeting_text")
def circle_meeting_text(circle: Circle) -> str:
    """ "Mondays at 18:00 (America/La Paz)", in the reader's language; "" without a day."""

    if circle.meeting_weekday is None:
        return ""
    locale = get_locale()
    day = str(locale.days["format"]["wide"][circle.meeting_weekday]) if locale else ""
    zone = circle.timezone.replace("_", " ")
    if circle.meeting_time is None:
        return _("Every %(day)s", day=day)
    moment = datetime.combine(_today(circle), circle.meeting_time, tzinfo=UTC)
    return _(
        "Every %(day)s at %(time)s (%(zone)s)",
        day=day,
        time=format_time(moment, "short", rebase=False),
        zone=zone,
    )


def _circles_part(course: Course, module: Module | None) -> dict[str, CourseCircles]:
    return {"circles_box": course_circles(course)}


pages.add_course_part(_circles_part, module=False)
pages.add_dashboard_part(lambda: {"my_circles": my_circles()})
