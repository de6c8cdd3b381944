"""Two maintainers editing the course settings at once: a stale form saves nothing.

Before, the form carried no version: whoever saved last silently put back every setting the
other had just changed. Now the form carries the settings' version, like the module editor
carries its base revision, and a save from an older version is refused with both sets of
values side by side.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from peerlearn.content.models import Course, CourseEvent
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD
from tests.fixtures.authoring import settings_version_of, textarea_of

SETTINGS = "/courses/biogas/settings"
ORIGINAL = {"title": "Course 1", "summary": "A practical course.", "language": "en",
            "tags": "energy", "licence": "CC-BY-SA-4.0"}  # fmt: skip
CONFLICT = "Someone else saved the course settings while you were editing them."


@pytest.fixture
def maria(create_user, create_course, login):
    """Signed in with ``client``; maintains "biogas"."""
    user = create_user("maria")
    create_course("biogas", maintainer=user)
    login(user)
    return user


@pytest.fixture
def jean(app, maria, create_user):
    """A second maintainer in a browser of his own."""
    from peerlearn.content.models import CourseMaintainer

    user = create_user("jean")
    course = db.session.scalar(select(Course).where(Course.slug == "biogas"))
    db.session.add(CourseMaintainer(course_id=course.id, user_id=user.id))
    db.session.commit()
    browser = app.test_client()
    response = browser.submit("/login", {"login": "jean", "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _course() -> Course:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == "biogas"))


def _metadata_events() -> list[dict]:
    events = db.session.scalars(select(CourseEvent).where(CourseEvent.kind == "metadata"))
    return [json.loads(event.detail)["fields"] for event in events]


def test_a_save_from_a_stale_form_changes_nothing_and_shows_both(client, jean):
    maria_version = settings_version_of(client.get(SETTINGS).get_data(as_text=True))
    jean_version = settings_version_of(jean.get(SETTINGS).get_data(as_text=True))
    saved = client.submit(
        SETTINGS, {**ORIGINAL, "title": "Tubular digesters", "base_version": maria_version}
    )
    assert saved.status_code == 302

    mine = {**ORIGINAL, "summary": "Build one in a weekend.", "base_version": jean_version}
    response = jean.submit(SETTINGS, mine)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert CONFLICT in page and "Nothing has been saved yet." in page
    assert "Saved now: <span" in page and "Tubular digesters" in page  # maria's title
    assert "Build one in a weekend." in textarea_of(page, "summary")  # his own values stay
    course = _course()
    assert (course.title, course.summary) == ("Tubular digesters", "A practical course.")
    assert [set(fields) for fields in _metadata_events()] == [{"title"}]

    # Having seen maria's title, jean saves again from the form he was given: his values win.
    again = jean.submit(SETTINGS, {**mine, "base_version": settings_version_of(page)})
    assert again.status_code == 302
    course = _course()
    assert (course.title, course.summary) == ("Course 1", "Build one in a weekend.")


def test_the_conflict_lists_only_the_settings_that_differ(client, jean):
    jean_version = settings_version_of(jean.get(SETTINGS).get_data(as_text=True))
    client.submit(
        SETTINGS,
        {**ORIGINAL, "language": "es", "tags": "biogas",
         "base_version": settings_version_of(client.get(SETTINGS).get_data(as_text=True))},
    )  # fmt: skip

    page = jean.submit(SETTINGS, {**ORIGINAL, "base_version": jean_version}).get_data(as_text=True)

    conflict = page[page.index("<dl") : page.index("</dl>")]
    assert "Course language" in conflict and "Spanish" in conflict and "English" in conflict
    assert "Topics" in conflict and "biogas" in conflict and "energy" in conflict
    assert "Title" not in conflict and "Licence" not in conflict


def test_a_form_without_a_version_is_treated_as_stale(client, maria):
    response = client.submit(SETTINGS, {**ORIGINAL, "title": "Hand-made request"})

    assert response.status_code == 409
    assert _course().title == "Course 1"
    assert settings_version_of(response.get_data(as_text=True))


def test_making_the_same_change_as_the_other_maintainer_is_no_conflict(client, jean):
    jean_version = settings_version_of(jean.get(SETTINGS).get_data(as_text=True))
    version = settings_version_of(client.get(SETTINGS).get_data(as_text=True))
    client.submit(SETTINGS, {**ORIGINAL, "title": "Digesters", "base_version": version})

    response = jean.submit(
        SETTINGS, {**ORIGINAL, "title": "Digesters", "base_version": jean_version}
    )

    assert response.status_code == 302
    assert len(_metadata_events()) == 1


def test_editing_a_module_does_not_make_the_settings_form_stale(client, maria):
    version = settings_version_of(client.get(SETTINGS).get_data(as_text=True))
    edit = client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True)
    from tests.fixtures.authoring import base_revision_of

    client.submit(
        "/courses/biogas/m/module-1/edit",
        {"title": "Module 1", "body": "New text.\n", "base_revision_id": base_revision_of(edit)},
    )

    response = client.submit(SETTINGS, {**ORIGINAL, "title": "Digesters", "base_version": version})

    assert response.status_code == 302
    assert _course().title == "Digesters"


def test_the_conflict_is_explained_in_the_maintainers_language(client, jean):
    jean.submit("/settings", {"language": "es", "timezone": "UTC"})
    jean_version = settings_version_of(jean.get(SETTINGS).get_data(as_text=True))
    version = settings_version_of(client.get(SETTINGS).get_data(as_text=True))
    client.submit(SETTINGS, {**ORIGINAL, "title": "Digesters", "base_version": version})

    response = jean.submit(SETTINGS, {**ORIGINAL, "summary": "Otro.", "base_version": jean_version})

    assert response.status_code == 409
    assert "Otra persona guardó" in response.get_data(as_text=True)
