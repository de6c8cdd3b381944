"""Course page, enrolment and leaving."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from peerlearn.catalog.models import Enrolment


def test_course_page_shows_what_a_learner_needs(client, create_course):
    create_course(
        "biogas", title="Tubular biogas digester", summary="Build one with your neighbours.",
        authors=("Ana Quispe", "Jean Bosco"), licence="CC-BY-4.0",
        modules=[("Why biogas", "x"), ("Sizing", "y"), ("Trench", "z")],
    )  # fmt: skip
    html = client.get("/courses/biogas").get_data(as_text=True)
    assert "Tubular biogas digester" in html and "Build one with your neighbours." in html
    assert "Ana Quispe, Jean Bosco" in html
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "English" in html
    modules = re.findall(r'<li><a href="/courses/biogas/m/[^"]+">([^<]+)</a>', html)
    assert modules == ["Why biogas", "Sizing", "Trench"]
    assert "Log in to enrol" in html


def test_unknown_course_is_404(client):
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_enrol_then_leave(client, db, login, create_user, create_course):
    course = create_course("biogas")
    login(create_user())
    response = client.submit("/courses/biogas/enrol")
    assert response.status_code == 302
    html = client.get("/courses/biogas").get_data(as_text=True)
    assert "Leave course" in html and "0 of 3 modules done" in html
    assert re.search(r"<dt>Learners</dt><dd>1</dd>", html)
    assert client.submit("/courses/biogas/leave").status_code == 302
    html = client.get("/courses/biogas").get_data(as_text=True)
    assert "Enrol in this course" in html
    assert re.search(r"<dt>Learners</dt><dd>0</dd>", html)
    assert course.slug == "biogas"


def test_enrolling_twice_is_a_conflict_not_a_duplicate(
    client, db, login, create_user, create_course
):
    create_course("biogas")
    login(create_user())
    client.submit("/courses/biogas/enrol")
    again = client.submit("/courses/biogas/enrol")
    assert again.status_code == 409
    assert "already enrolled" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1


def test_leaving_a_course_one_is_not_in_is_a_conflict(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user())
    assert client.submit("/courses/biogas/leave").status_code == 409


def test_enrolment_needs_login_post_and_csrf(client, db, login, create_user, create_course):
    create_course("biogas")
    anonymous = client.submit("/courses/biogas/enrol")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(create_user())
    assert client.get("/courses/biogas/enrol").status_code == 405
    assert client.post("/courses/biogas/enrol").status_code == 400  # no CSRF token
    assert client.submit("/courses/unknown/enrol").status_code == 404
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_forked_course_links_to_its_parent(client, create_course):
    create_course("original", title="Original manual", id="orig-1")
    create_course("adapted", title="Adapted manual", forked_from="orig-1")
    html = client.get("/courses/adapted").get_data(as_text=True)
    assert "Forked from" in html and 'href="/courses/original"' in html


def test_enrolling_from_an_assignment_or_module_page_returns_there(
    client, login, create_user, create_course, create_assignment
):
    course = create_course("biogas")
    create_assignment(course, slug="gas-test")
    login(create_user("amina"))
    page = "/courses/biogas/a/gas-test"
    assert 'name="next" value="/courses/biogas/a/gas-test"' in client.get(page).get_data(
        as_text=True
    )
    response = client.submit("/courses/biogas/enrol", {"next": page})
    assert response.headers["Location"] == page
    assert "You are enrolled in" in client.get(page).get_data(as_text=True)


def test_enrolling_never_follows_a_next_to_another_site(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user("amina"))
    response = client.submit("/courses/biogas/enrol", {"next": "//evil.example/x"})
    assert response.headers["Location"] == "/courses/biogas"
