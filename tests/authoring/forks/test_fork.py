"""Forking a course through the browser form: address, title, licence, translation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from peerlearn.content.models import Course, CourseMaintainer, Module
from peerlearn.licences import FORK_LICENCES
from tests.fixtures.forks import course


def licence_options(page: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="licence".*?</select>', page, re.S)
    assert select_html
    return re.findall(r'<option[^>]*value="([^"]+)"', select_html.group(0))


def test_fork_via_the_form(client, db, login, create_user, biogas):
    user = create_user("jean")
    login(user)
    page = client.get("/courses/biogas").get_data(as_text=True)
    assert 'href="/courses/biogas/fork"' in page and "Fork this course" in page
    form = client.get("/courses/biogas/fork")
    assert form.status_code == 200
    assert 'value="biogas-jean"' in form.get_data(as_text=True)
    response = client.submit(
        "/courses/biogas/fork",
        {"slug": "biogas-rwanda", "title": "Biogas for Rwanda", "licence": "CC-BY-SA-4.0",
         "language": "rw"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/biogas-rwanda"
    page = client.get("/courses/biogas-rwanda").get_data(as_text=True)
    assert "Biogas for Rwanda" in page
    assert "Forked from" in page and 'href="/courses/biogas"' in page
    assert "Materials" in page and "Trench" in page and "Start" in page
    new = course(db, "biogas-rwanda")
    assert new.language == "en" and new.forked_from == "biogas-id" and new.translation_of is None
    assert (
        db.session.scalar(
            select(CourseMaintainer.user_id).where(CourseMaintainer.course_id == new.id)
        )
        == user.id
    )
    copies = db.session.scalars(select(Module).where(Module.course_id == new.id)).all()
    assert {m.upstream_module.course_id for m in copies} == {biogas.id}
    assert "Up to date with" in page


def test_fork_as_translation(client, db, login, create_user, biogas):
    login(create_user())
    response = client.submit(
        "/courses/biogas/fork",
        {"slug": "biogas-rw", "title": "Biyogaze", "licence": "CC-BY-SA-4.0",
         "as_translation": "y", "language": "rw"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert "Translation of" in page and 'href="/courses/biogas"' in page
    assert "Kinyarwanda" in page
    assert course(db, "biogas-rw").translation_of == "biogas-id"


def test_translation_must_change_language(client, db, login, create_user, biogas):
    login(create_user())
    page = client.get("/courses/biogas/fork").get_data(as_text=True)
    language = re.search(r'<select[^>]*name="language".*?</select>', page, re.S).group(0)
    assert 'value="en"' not in language and 'value="rw"' in language
    response = client.submit(
        "/courses/biogas/fork",
        {"slug": "biogas-en", "title": "Again", "licence": "CC-BY-SA-4.0",
         "as_translation": "y", "language": "en"},
    )  # fmt: skip
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Course.id))) == 1


@pytest.mark.parametrize("parent_licence", sorted(FORK_LICENCES))
def test_form_offers_only_compatible_licences(
    client, db, login, create_user, create_course, parent_licence
):
    create_course("orig", licence=parent_licence)
    login(create_user())
    page = client.get("/courses/orig/fork").get_data(as_text=True)
    assert licence_options(page) == list(FORK_LICENCES[parent_licence])


@pytest.mark.parametrize(
    ("parent_licence", "refused"),
    [("CC-BY-SA-4.0", "CC-BY-4.0"), ("CC-BY-SA-4.0", "CC0-1.0"),
     ("CC-BY-NC-SA-4.0", "CC-BY-SA-4.0"), ("CC-BY-4.0", "CC0-1.0"),
     ("CC-BY-4.0", "MIT")],
)  # fmt: skip
def test_server_refuses_incompatible_licence(
    client, db, login, create_user, create_course, parent_licence, refused
):
    create_course("orig", licence=parent_licence)
    login(create_user())
    response = client.submit(
        "/courses/orig/fork", {"slug": "mine", "title": "Mine", "licence": refused}
    )
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_cc0_may_become_anything(client, db, login, create_user, create_course):
    create_course("orig", licence="CC0-1.0")
    login(create_user())
    response = client.submit(
        "/courses/orig/fork", {"slug": "mine", "title": "Mine", "licence": "CC-BY-NC-SA-4.0"}
    )
    assert response.status_code == 302
    assert course(db, "mine").licence == "CC-BY-NC-SA-4.0"


def test_taken_or_bad_address_is_a_form_error(client, db, login, create_user, biogas):
    login(create_user())
    taken = client.submit(
        "/courses/biogas/fork", {"slug": "biogas", "title": "X", "licence": "CC-BY-SA-4.0"}
    )
    assert taken.status_code == 422
    assert "already uses this address" in taken.get_data(as_text=True)
    bad = client.submit(
        "/courses/biogas/fork", {"slug": "Not OK!", "title": "X", "licence": "CC-BY-SA-4.0"}
    )
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_fork_permissions(client, db, login, create_user, biogas):
    page = client.get("/courses/biogas").get_data(as_text=True)
    assert "Fork this course" not in page and 'href="/courses/biogas/network"' in page
    anonymous = client.get("/courses/biogas/fork")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.submit("/courses/biogas/fork", {"slug": "x-y"}).status_code == 302
    login(create_user())
    assert client.get("/courses/nope/fork").status_code == 404
    data = {"slug": "mine", "title": "Mine", "licence": "CC-BY-SA-4.0"}
    assert client.post("/courses/biogas/fork", data=data).status_code == 400  # no CSRF
    assert db.session.scalar(select(func.count(Course.id))) == 1
