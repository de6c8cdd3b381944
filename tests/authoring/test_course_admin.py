"""Creating a course, changing its settings and adding maintainers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from peerlearn.content.models import Course, CourseMaintainer
from tests.fixtures.authoring import settings_version_of

NEW = {
    "title": "Solar home systems",
    "slug": "solar-home",
    "summary": "Wire a small solar kit safely.",
    "language": "sw",
    "tags": "Solar, energy, solar, off-grid",
    "licence": "CC-BY-4.0",
}


def test_create_course_flow(client, db, login, create_user, events):
    user = create_user("amina")
    login(user)
    assert "New course" in client.get("/").get_data(as_text=True)
    form = client.get("/courses/new").get_data(as_text=True)
    assert 'value="qu"' in form and "Swahili" in form and "Kinyarwanda" in form
    assert 'selected value="CC-BY-SA-4.0"' in form
    response = client.submit("/courses/new", NEW)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/solar-home/modules/new")

    course = db.session.scalar(select(Course).where(Course.slug == "solar-home"))
    assert course.language == "sw" and course.licence == "CC-BY-4.0"
    assert course.tag_names == ["solar", "energy", "off-grid"]
    assert course.author_names == ["amina"]
    assert len(course.key) == 36 and "solar home" in course.search_text
    maintainer = db.session.scalar(select(CourseMaintainer))
    assert maintainer.user_id == user.id and maintainer.course_id == course.id
    assert [e.kind for e in events()] == ["created"]

    page = client.get("/courses/solar-home").get_data(as_text=True)
    assert "Edit settings" in page and "Add module" in page and "Maintainers" in page
    assert client.get("/?q=solar").get_data(as_text=True).count("Solar home systems") >= 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Solar Home!", "Use lowercase letters"),
        ("slug", "new", "reserved"),
        ("slug", "", "Choose a web address"),
        ("title", "", "Give it a title"),
        ("title", "x" * 201, "at most 200 characters"),
        ("tags", "solar, bad_tag", "not a valid topic"),
        ("licence", "All-rights-reserved", "Not a valid choice"),
        ("language", "tlh", "Not a valid choice"),
    ],
)
def test_create_course_rejects_bad_input_with_a_form_error(
    client, db, login, create_user, field, value, message
):
    login(create_user())
    response = client.submit("/courses/new", {**NEW, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Course.id)) is None


def test_create_course_with_a_taken_slug(client, db, login, create_user, create_course):
    create_course("solar-home")
    login(create_user())
    response = client.submit("/courses/new", NEW)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A course already uses this address" in html
    assert "Wire a small solar kit safely." in html  # what they typed is kept


def test_new_course_needs_login_and_csrf(client, db, login, create_user):
    response = client.get("/courses/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(create_user())
    assert client.post("/courses/new", data=NEW).status_code == 400
    assert db.session.scalar(select(Course.id)) is None


def test_settings_change_records_the_changed_fields(client, db, editor, events):
    page = client.get("/courses/biogas/settings").get_data(as_text=True)
    assert 'value="energy"' in page
    response = client.submit(
        "/courses/biogas/settings",
        {"title": "Tubular digesters", "summary": "A practical course.", "language": "es",
         "tags": "biogas, cooking", "licence": "CC-BY-SA-4.0",
         "base_version": settings_version_of(page)},
    )  # fmt: skip
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "biogas"))
    assert course.title == "Tubular digesters" and course.language == "es"
    assert course.tag_names == ["biogas", "cooking"]
    assert "tubular digesters" in course.search_text and "cooking" in course.search_text
    (event,) = events()
    detail = json.loads(event.detail)
    assert event.kind == "metadata"
    assert set(detail["fields"]) == {"title", "language", "tags"}
    assert detail["fields"]["title"] == {"old": "Course 1", "new": "Tubular digesters"}

    history = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Renamed the course from “Course 1” to “Tubular digesters”." in history
    assert "Changed the language from English to Spanish." in history
    assert "Changed the topics from energy to biogas, cooking." in history
    assert "maria" in history


def test_saving_unchanged_settings_records_nothing(client, editor, events):
    response = client.submit(
        "/courses/biogas/settings",
        {"title": "Course 1", "summary": "A practical course.", "language": "en",
         "tags": "energy", "licence": "CC-BY-SA-4.0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert events() == []


def test_a_fork_may_only_choose_licences_its_parent_allows(
    client, db, login, create_user, create_course
):
    create_course("original", licence="CC-BY-4.0", id="original-id")
    user = create_user("jean")
    create_course("fork", maintainer=user, forked_from="original-id", licence="CC-BY-4.0")
    login(user)
    page = client.get("/courses/fork/settings").get_data(as_text=True)
    assert 'value="CC-BY-SA-4.0"' in page and 'value="CC0-1.0"' not in page
    data = {"title": "Fork", "summary": "A practical course.", "language": "en", "tags": "",
            "licence": "CC0-1.0", "base_version": settings_version_of(page)}  # fmt: skip
    response = client.submit("/courses/fork/settings", data)
    assert response.status_code == 422
    assert db.session.scalar(select(Course.licence).where(Course.slug == "fork")) == "CC-BY-4.0"
    assert (
        client.submit("/courses/fork/settings", {**data, "licence": "CC-BY-SA-4.0"}).status_code
        == 302
    )
    assert db.session.scalar(select(Course.licence).where(Course.slug == "fork")) == "CC-BY-SA-4.0"


def test_add_maintainers(client, db, editor, create_user, events):
    create_user("jean")
    response = client.submit("/courses/biogas/maintainers", {"username": " Jean "})
    assert response.status_code == 302
    page = client.get("/courses/biogas/maintainers").get_data(as_text=True)
    assert "jean" in page and "maria" in page
    assert [e.kind for e in events()] == ["maintainer_added"]

    again = client.submit("/courses/biogas/maintainers", {"username": "jean"})
    assert again.status_code == 422
    assert "jean already maintains this course." in again.get_data(as_text=True)
    unknown = client.submit("/courses/biogas/maintainers", {"username": "nobody"})
    assert unknown.status_code == 422
    assert "There is no user called “nobody”." in unknown.get_data(as_text=True)
    assert db.session.query(CourseMaintainer).count() == 2
    history = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Added jean as a maintainer." in history


@pytest.mark.parametrize("path", ["/courses/biogas/settings", "/courses/biogas/maintainers"])
def test_course_admin_permissions(client, db, login, create_user, create_course, path):
    create_course("biogas")
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(create_user())
    assert client.get(path).status_code == 403
    assert client.submit(path, {"username": "x", "title": "Hacked"}).status_code == 403
    assert client.post(path, data={"title": "Hacked"}).status_code == 400
    assert client.get(path.replace("biogas", "nope")).status_code == 404
    assert db.session.scalar(select(Course.title)) == "Course 1"


def test_admins_may_edit_any_course(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user("root", is_admin=True))
    assert client.get("/courses/biogas/settings").status_code == 200


def test_course_history_is_public_and_paginated(client, db, editor, create_user):
    for i in range(25):
        create_user(f"helper{i}")
        client.submit("/courses/biogas/maintainers", {"username": f"helper{i}"})
    client.submit("/logout")
    first = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Added helper24 as a maintainer." in first and "helper0 " not in first
    assert "Page 1 of 2" in first
    second = client.get("/courses/biogas/history?page=2").get_data(as_text=True)
    assert "Added helper0 as a maintainer." in second
    assert client.get("/courses/biogas/history?page=3").status_code == 404
    assert client.get("/courses/biogas/history?page=0").status_code == 404
    assert client.get("/courses/nope/history").status_code == 404


def test_settings_with_missing_or_odd_fields_are_form_errors(client, db, editor):
    assert client.submit("/courses/biogas/settings", {}).status_code in (302, 422)
    odd = {"title": ["A", "B"], "tags": "x" * 5000, "language": "en", "licence": "CC0-1.0"}
    response = client.submit("/courses/biogas/settings", odd)
    assert response.status_code == 422
    assert db.session.scalar(select(Course.title)) == "Course 1"
