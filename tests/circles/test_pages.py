"""Circles as people use them: start one, find it on the course page, join it (open or by
invitation), meet a full circle, leave, and read a finished one."""

from __future__ import annotations

import re
from datetime import timedelta

from peerlearn.circles.membership import current_circle, member_ids
from peerlearn.circles.models import Circle
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db


def _form(**overrides):
    data = {
        "name": "Sorata library",
        "language": "es",
        "starts_on": (utcnow().date() + timedelta(days=3)).isoformat(),
        "ends_on": "",
        "meeting_place": "Biblioteca municipal",
        "meeting_weekday": "1",
        "meeting_time": "18:00",
        "timezone": "America/La_Paz",
        "capacity": "12",
        "access": "open",
    }
    data.update(overrides)
    return data


def _circle(user, course, **kw):
    fields = {"name": "Evening circle", "language": "en", "starts_on": utcnow().date(), **kw}
    circle = start_circle(user, course, CircleDetails(**fields))
    db.session.commit()
    return circle


def test_a_learner_starts_a_circle_and_it_shows_on_the_course_page(
    client, login, create_user, create_course, create_assignment
):
    course = create_course()
    create_assignment(course, title="Dig the trench")
    ana = create_user("ana")
    login(ana)
    response = client.submit(f"/courses/{course.slug}/circles/new", _form())
    assert response.status_code == 302
    circle = db.session.scalar(db.select(Circle))
    assert response.headers["Location"] == f"/circles/{circle.id}"
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "Sorata library" in page
    assert "Biblioteca municipal" in page
    assert "Dig the trench" in page
    assert "ana" in page and "facilitator" in page
    assert "Next meeting" in page
    course_page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Sorata library" in course_page
    assert "1 of 12 seats taken" in course_page


def test_the_course_page_filters_circles_by_language(client, create_user, create_course):
    course = create_course()
    _circle(create_user("ana"), course, name="Círculo de Sorata", language="es")
    _circle(create_user("bea"), course, name="Cercle de Kigali", language="fr")
    both = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Círculo de Sorata" in both and "Cercle de Kigali" in both
    spanish = client.get(f"/courses/{course.slug}?circle_language=es").get_data(as_text=True)
    assert "Círculo de Sorata" in spanish and "Cercle de Kigali" not in spanish


def test_joining_an_open_circle_and_leaving_it_keeps_the_course(
    client, login, create_user, create_course
):
    course = create_course()
    circle = _circle(create_user("ana"), course)
    bea = create_user("bea")
    login(bea)
    assert client.submit(f"/circles/{circle.id}/join").status_code == 302
    assert member_ids(circle)[-1] == bea.id
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "You are in this circle" in page
    response = client.submit(f"/circles/{circle.id}/leave")
    assert response.status_code == 302
    assert current_circle(bea.id, course.id) is None
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"/courses/{course.slug}" in dashboard  # still enrolled: nothing of theirs is lost


def test_an_invitation_link_lets_people_join_a_closed_circle(
    client, login, create_user, create_course
):
    course = create_course()
    ana = create_user("ana")
    circle = _circle(ana, course, open=False)
    login(ana)
    invite = client.get(f"/circles/{circle.id}/invite").get_data(as_text=True)
    assert "<svg" in invite and "</svg>" in invite
    link = re.search(r"<code>(http[^<]+)</code>", invite).group(1)
    assert circle.invite_code in link

    bea = create_user("bea")
    client.submit("/logout")
    login(bea)
    assert client.get(f"/circles/{circle.id}").status_code == 404  # not listed, not shown
    refused = client.submit(f"/circles/{circle.id}/join")
    assert refused.status_code == 404
    landing = client.get(f"/circles/join/{circle.invite_code}")
    assert landing.status_code == 200 and "Join this circle" in landing.get_data(as_text=True)
    assert client.submit(f"/circles/join/{circle.invite_code}").status_code == 302
    assert bea.id in member_ids(circle)
    assert client.get("/circles/join/not-the-code").status_code == 404


def test_a_full_circle_says_so(client, login, create_user, create_course):
    course = create_course()
    circle = _circle(create_user("ana"), course, capacity=2)
    join_circle(create_user("bea"), circle)
    db.session.commit()
    login(create_user("cam"))
    response = client.submit(f"/circles/{circle.id}/join")
    assert response.status_code == 409
    assert "This circle is full: all 2 seats are taken." in response.get_data(as_text=True)


def test_a_finished_circle_stays_readable_and_takes_nobody(
    client, login, create_user, create_course
):
    course = create_course()
    start = utcnow().date() - timedelta(days=60)
    circle = _circle(
        create_user("ana"), course, starts_on=start, ends_on=start + timedelta(days=30)
    )
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "This circle finished on" in page
    login(create_user("bea"))
    response = client.submit(f"/circles/{circle.id}/join")
    assert response.status_code == 409
    assert "This circle has finished" in response.get_data(as_text=True)
    assert "Evening circle" not in client.get(f"/courses/{course.slug}").get_data(as_text=True)


def test_only_facilitators_change_a_circle(client, login, create_user, create_course):
    course = create_course()
    circle = _circle(create_user("ana"), course)
    bea = create_user("bea")
    join_circle(bea, circle)
    db.session.commit()
    login(bea)
    for path in ("edit", "schedule", "invite"):
        assert client.get(f"/circles/{circle.id}/{path}").status_code == 403
    assert client.submit(f"/circles/{circle.id}/edit", _form(name="Mine now")).status_code == 403


def test_user_text_is_escaped(client, login, create_user, create_course):
    course = create_course()
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    circle = _circle(create_user("ana"), course, name=hostile[:120], meeting_place=hostile)
    for path in (f"/circles/{circle.id}", f"/courses/{course.slug}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_the_circle_page_runs_as_many_queries_for_40_members_as_for_4(
    client, login, create_user, create_course, create_assignment, count_queries
):
    course = create_course()
    create_assignment(course)
    ana = create_user("ana")
    small = _circle(ana, course, capacity=100)
    large = _circle(create_user("bea"), create_course(), capacity=100)
    create_assignment(large.course)
    for n in range(3):
        join_circle(create_user(f"small{n}"), small)
    for n in range(39):
        join_circle(create_user(f"large{n}"), large)
    db.session.commit()
    admin = create_user("root", is_admin=True)  # sees the members of both
    login(admin)
    counts = []
    for circle in (small, large):
        path = f"/circles/{circle.id}"
        client.get(path)  # warm up the session's own queries
        with count_queries() as counter:
            page = client.get(path).get_data(as_text=True)
        assert "large38" in page or circle is small
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_a_learner_s_circles_are_in_their_data_and_go_with_their_account(
    client, login, create_user, create_course
):
    import io
    import json
    import zipfile

    from peerlearn.circles.models import CircleMember
    from peerlearn.personal_data.deletion import delete_account

    course = create_course()
    circle = _circle(create_user("ana"), course, name="Thursday circle")
    bea = create_user("bea")
    join_circle(bea, circle)
    db.session.commit()
    login(bea)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/settings/data.zip").get_data()))
    data = json.loads(archive.read("peerlearn-data.json"))
    assert [(c["circle"], c["role"]) for c in data["circles"]] == [("Thursday circle", "learner")]
    delete_account(bea)
    db.session.commit()
    assert db.session.scalar(db.select(CircleMember).where(CircleMember.user_id == bea.id)) is None
