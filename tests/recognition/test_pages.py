"""The public badge page and the badges on a profile: shareable, in the reader's language,
without JavaScript, and respecting the learner's privacy setting for learning activity."""

from __future__ import annotations

import re

import pytest

from peerlearn.extensions import db
from peerlearn.personal_data.deletion import delete_account
from peerlearn.personal_data.export import collect
from peerlearn.recognition import awarding
from peerlearn.recognition.models import Assertion

SCRIPT = re.compile(r"<script|<[^>]+\son[a-z]+\s*=|javascript:", re.IGNORECASE)
HOSTILE = '<img src=x onerror=alert(1)> "><script>alert(2)</script>'


@pytest.fixture
def issued(klass):
    assertion = awarding.issue(klass.learner, awarding.course_badge(klass.course))
    db.session.commit()
    return assertion


def test_the_badge_page_is_public_and_links_the_verifiable_forms(app, issued):
    anonymous = app.test_client()
    response = anonymous.get(f"/badges/{issued.public_id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Completed: Tube digester" in page and "amina" in page
    for suffix in ("/baked.png", "/credential.jwt", ""):
        assert f'href="/badges/assertions/{issued.public_id}{suffix}"' in page
    assert not SCRIPT.search(page)
    assert 'width="128" height="128"' in page


@pytest.mark.parametrize("language", ["es", "fr", "rw", "sw", "qu"])
def test_the_badge_page_speaks_the_readers_language(app, issued, language):
    page = (
        app.test_client()
        .get(f"/badges/{issued.public_id}", headers={"Accept-Language": language})
        .get_data(as_text=True)
    )
    for english in ("Earned by", "Download the badge image", "How it is earned"):
        assert english not in page, (language, english)


def test_badges_show_on_the_learners_own_profile_but_not_to_others_while_private(
    app, client, login, klass, issued
):
    assert not klass.learner.activity_public
    assert "Completed: Tube digester" not in app.test_client().get("/users/amina").get_data(
        as_text=True
    )
    login(klass.learner)
    own = client.get("/users/amina").get_data(as_text=True)
    assert "Completed: Tube digester" in own
    assert f'href="/badges/{issued.public_id}"' in own


def test_badges_show_to_everyone_when_learning_activity_is_public(app, klass, issued):
    klass.learner.activity_public = True
    db.session.commit()
    page = app.test_client().get("/users/amina").get_data(as_text=True)
    assert f'href="/badges/{issued.public_id}"' in page


def test_a_revoked_badge_leaves_the_profile(app, klass, issued):
    klass.learner.activity_public = True
    awarding.revoke(klass.maintainer, issued, "Mistake.")
    db.session.commit()
    assert "Badges" not in app.test_client().get("/users/amina").get_data(as_text=True)


def test_hostile_course_titles_and_reasons_stay_text(app, klass, issued):
    klass.course.title = HOSTILE
    klass.learner.activity_public = True
    db.session.commit()
    anonymous = app.test_client()

    for url in (f"/badges/{issued.public_id}", "/users/amina"):
        page = anonymous.get(url).get_data(as_text=True)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, url
        assert not SCRIPT.search(page), url
    document = anonymous.get(f"/badges/classes/{issued.badge_class_id}").get_json()
    assert document["name"] == f"Completed: {HOSTILE}"

    awarding.revoke(klass.maintainer, issued, HOSTILE)
    db.session.commit()
    page = anonymous.get(f"/badges/{issued.public_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and not SCRIPT.search(page)


def test_badges_are_in_the_data_export_and_go_with_the_account(app, klass, issued):
    data, _photos = collect(klass.learner)
    (badge,) = data["badges"]
    assert badge["course"] == "digester" and badge["public_id"] == issued.public_id

    delete_account(klass.learner)
    db.session.commit()

    assert db.session.get(Assertion, issued.id) is None
    assert app.test_client().get(f"/badges/assertions/{issued.public_id}").status_code == 404
