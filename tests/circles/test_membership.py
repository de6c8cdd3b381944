"""Circle membership and each circle's own deadlines, as other features read them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from peerlearn.catalog.services import is_enrolled
from peerlearn.circles.membership import current_circle, is_facilitator, member_ids
from peerlearn.circles.schedule import deadlines_for
from peerlearn.circles.services import (
    CircleDetails,
    JoinRefused,
    join_circle,
    leave_circle,
    start_circle,
)
from peerlearn.extensions import db


def _start(user, course, **kw):
    details = CircleDetails(
        **{"name": "Biogas at the library", "language": "es", "starts_on": date(2027, 1, 4), **kw}
    )
    circle = start_circle(user, course, details)
    db.session.commit()
    return circle


def test_the_starter_facilitates_and_learners_join_and_leave(create_user, create_course):
    course = create_course()
    ana, bea = create_user("ana"), create_user("bea")
    circle = _start(ana, course)
    assert is_facilitator(ana.id, circle)
    assert current_circle(ana.id, course.id) == circle
    assert is_enrolled(ana, course)

    join_circle(bea, circle)
    db.session.commit()
    assert member_ids(circle) == [ana.id, bea.id]
    assert not is_facilitator(bea.id, circle)
    assert is_enrolled(bea, course)

    leave_circle(bea, circle)
    db.session.commit()
    assert member_ids(circle) == [ana.id]
    assert current_circle(bea.id, course.id) is None


def test_a_full_circle_and_a_closed_one_refuse(create_user, create_course):
    course = create_course()
    circle = _start(create_user("ana"), course, capacity=2, open=False)
    with pytest.raises(JoinRefused) as refused:
        join_circle(create_user("bea"), circle)
    assert refused.value.reason == JoinRefused.CLOSED
    join_circle(create_user("cam"), circle, code=circle.invite_code)
    db.session.commit()
    with pytest.raises(JoinRefused) as refused:
        join_circle(create_user("dee"), circle, code=circle.invite_code)
    assert refused.value.reason == JoinRefused.FULL


def test_one_current_circle_per_course(create_user, create_course):
    course = create_course()
    first = _start(create_user("ana"), course)
    second = _start(create_user("bea"), course, name="Evening circle")
    cam = create_user("cam")
    join_circle(cam, first)
    db.session.commit()
    with pytest.raises(JoinRefused) as refused:
        join_circle(cam, second)
    assert refused.value.reason == JoinRefused.OTHER_CIRCLE
    assert refused.value.other == first


def test_two_circles_of_one_course_have_their_own_deadlines(
    create_user, create_course, create_assignment
):
    course = create_course()
    assignment = create_assignment(course, submission_deadline="2026-06-01T12:00:00+00:00")
    january = _start(create_user("ana"), course, starts_on=date(2027, 1, 4))
    march = _start(
        create_user("bea"), course, starts_on=date(2027, 3, 1), timezone="America/La_Paz"
    )
    submit_jan, review_jan = deadlines_for(january, assignment)
    submit_mar, review_mar = deadlines_for(march, assignment)
    # A week to submit and a week to review, ending at 23:59 where the circle meets.
    assert submit_jan == datetime(2027, 1, 11, 23, 59, tzinfo=UTC)
    assert review_jan == datetime(2027, 1, 18, 23, 59, tzinfo=UTC)
    assert submit_mar == datetime(2027, 3, 9, 3, 59, tzinfo=UTC)  # La Paz is UTC-4
    assert review_mar == datetime(2027, 3, 16, 3, 59, tzinfo=UTC)


def test_bundles_suggest_durations_that_a_new_circle_follows(
    create_user, create_course, create_assignment
):
    from peerlearn.assignments.revisions import spec_of
    from peerlearn.bundles.assignment_reader import parse_assignment
    from peerlearn.bundles.assignment_writer import dump_assignment
    from peerlearn.content.revisions import add_revision

    course = create_course()
    first = create_assignment(course)
    second = create_assignment(course)
    text = first.current.text.replace("prompt:", "days_to_submit: 10\ndays_to_review: 3\nprompt:")
    add_revision(first, text, author=None, kind="edit", parent=first.current)
    db.session.commit()
    db.session.refresh(first)
    spec = spec_of(first)
    assert (spec.days_to_submit, spec.days_to_review) == (10, 3)
    written = dump_assignment(spec)
    assert "days_to_submit: 10\ndays_to_review: 3\n" in written
    assert parse_assignment(written, "assignments/x.yml", spec.slug) == spec
    # Without them a file is written as before circles existed.
    assert "days_to" not in dump_assignment(spec_of(second))

    circle = _start(create_user("ana"), course, starts_on=date(2027, 1, 4))
    assert deadlines_for(circle, first) == (
        datetime(2027, 1, 14, 23, 59, tzinfo=UTC),
        datetime(2027, 1, 17, 23, 59, tzinfo=UTC),
    )
    # The next one counts from the first's submission deadline; a week by default.
    assert deadlines_for(circle, second)[0] == datetime(2027, 1, 21, 23, 59, tzinfo=UTC)
