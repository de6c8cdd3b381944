"""Maintainers write assignments in the browser: new, preview, save, merge and conflicts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from peerlearn.content.models import CourseEvent, Module
from peerlearn.extensions import db
from tests.fixtures.assignment_authoring import assignments, hidden_of, revisions, textarea_of

NEW = "/courses/biogas/assignments/new"
EDIT = "/courses/biogas/assignments/gas-test/edit"


@pytest.fixture
def maintainer(create_user):
    return create_user("ana")


@pytest.fixture
def biogas(create_course, maintainer):
    return create_course("biogas", maintainer=maintainer)


@pytest.fixture
def gas_test(biogas, create_assignment):
    return create_assignment(biogas, slug="gas-test")


@pytest.fixture
def signed_in(login, maintainer):
    login(maintainer)
    return maintainer


def _modules(course):
    return list(
        db.session.scalars(
            select(Module).where(Module.course_id == course.id).order_by(Module.position)
        )
    )


def _events(course, kind):
    return list(
        db.session.scalars(
            select(CourseEvent).where(CourseEvent.course_id == course.id, CourseEvent.kind == kind)
        )
    )


# --- New -----------------------------------------------------------------------------


def test_list_shows_assignments_and_a_new_link(client, signed_in, gas_test):
    page = client.get("/courses/biogas/assignments").get_data(as_text=True)
    assert "gas-test" in page
    assert 'href="/courses/biogas/assignments/new"' in page
    assert "New assignment" in page


def test_new_form_starts_from_a_valid_template_for_the_chosen_module(client, signed_in, biogas):
    second = _modules(biogas)[1]

    page = client.get(f"{NEW}?module={second.key}").get_data(as_text=True)

    text = textarea_of(page)
    assert f"module: {second.key}\n" in text
    assert "rubric:" in text and "levels:" in text


def test_create_saves_the_assignment_and_records_it(client, signed_in, biogas, maintainer):
    text = textarea_of(client.get(NEW).get_data(as_text=True))
    first = _modules(biogas)[0]

    response = client.submit(
        NEW, {"module": first.key, "slug": "trench-check", "text": text, "save": "Save"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/biogas/assignments/trench-check/edit")
    [assignment] = assignments(biogas.id)
    assert (assignment.slug, assignment.module_id) == ("trench-check", first.id)
    assert assignment.current.text == text
    [revision] = revisions(assignment)
    assert (revision.kind, revision.author_id) == ("create", maintainer.id)
    [event] = _events(biogas, "assignment_added")
    assert json.loads(event.detail)["slug"] == "trench-check"


def test_the_module_select_decides_the_module_line(client, signed_in, biogas):
    page = client.get(NEW).get_data(as_text=True)
    text, written_for = textarea_of(page), hidden_of(page, "written_for")
    third = _modules(biogas)[2]

    response = client.submit(
        NEW,
        {"module": third.key, "slug": "start-up", "text": text, "written_for": written_for,
         "save": "Save"},
    )  # fmt: skip

    assert response.status_code == 302
    [assignment] = assignments(biogas.id)
    assert assignment.module_id == third.id
    assert f"module: {third.key}\n" in assignment.current.text


def test_a_module_line_changed_by_hand_that_disagrees_with_the_select_is_a_form_error(
    client, signed_in, biogas
):
    first, second, third = _modules(biogas)[:3]
    page = client.get(NEW).get_data(as_text=True)
    text = textarea_of(page).replace(f"module: {first.key}", f"module: {second.key}")

    response = client.submit(
        NEW,
        {"module": third.key, "slug": "start-up", "text": text, "written_for": first.key,
         "save": "Save"},
    )  # fmt: skip

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"The Module menu says “{third.title}”" in page
    assert f"says “{second.title}”" in page
    assert textarea_of(page) == text  # their text, not silently rewritten
    assert assignments(biogas.id) == []

    response = client.submit(
        NEW,
        {"module": second.key, "slug": "start-up", "text": text, "written_for": first.key,
         "save": "Save"},
    )  # fmt: skip
    assert response.status_code == 302
    assert assignments(biogas.id)[0].module_id == second.id


def test_the_module_error_is_in_the_maintainers_language(client, login, create_user, create_course):
    lucia = create_user("lucia", locale="es")
    course = create_course("biogas", maintainer=lucia)
    login(lucia)
    first, second, third = _modules(course)[:3]
    text = textarea_of(client.get(NEW).get_data(as_text=True))
    text = text.replace(f"module: {first.key}", f"module: {second.key}")

    response = client.submit(
        NEW,
        {"module": third.key, "slug": "x", "text": text, "written_for": first.key, "save": "1"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The Module menu says" not in page
    assert f"El menú Módulo indica “{third.title}”" in page


def test_the_edit_page_is_headed_by_the_assignments_title(client, signed_in, gas_test):
    page = client.get(EDIT).get_data(as_text=True)
    assert "<h1>Edit the assignment “Gas production test”</h1>" in page


def test_a_taken_slug_or_id_is_a_form_error(client, signed_in, biogas, gas_test):
    text = textarea_of(client.get(NEW).get_data(as_text=True))
    key = _modules(biogas)[0].key
    response = client.submit(NEW, {"module": key, "slug": "gas-test", "text": text, "save": "Save"})
    assert response.status_code == 422
    assert "Another assignment of this course uses this address." in response.get_data(as_text=True)

    same_id = gas_test.current.text
    response = client.submit(NEW, {"module": key, "slug": "other", "text": same_id, "save": "Save"})
    assert response.status_code == 422
    assert f"already has the id “{gas_test.key}”" in response.get_data(as_text=True)
    assert len(assignments(biogas.id)) == 1


def test_new_without_modules_sends_the_maintainer_to_add_one(
    client, signed_in, create_course, maintainer
):
    create_course("empty", modules=0, maintainer=maintainer)
    response = client.get("/courses/empty/assignments/new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/empty/modules/new")


# --- Preview and validation ------------------------------------------------------------


def test_preview_shows_the_parsed_assignment_without_saving(client, signed_in, gas_test):
    text = gas_test.current.text.replace("Build it, measure it", "Build it *carefully*, measure it")

    response = client.submit(
        EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id, "preview": "Preview"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview — not saved yet." in page
    assert "<em>carefully</em>" in page  # the prompt is Markdown
    assert "Build quality" in page and "Built as described." in page  # the rubric table
    assert "Double-blind" in page
    assert textarea_of(page) == text
    assert len(revisions(gas_test)) == 1


def test_preview_of_an_invalid_file_says_why(client, signed_in, gas_test):
    text = gas_test.current.text.replace("anonymity: double-blind", "anonymity: secret")
    response = client.submit(
        EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id, "preview": "Preview"}
    )
    page = response.get_data(as_text=True)
    assert "The assignment cannot be shown:" in page
    assert "field &#39;anonymity&#39;" in page
    assert textarea_of(page) == text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: ", "title: [", "invalid YAML"),
        ("must_review: 4", "must_review: 2", "raise must_review or lower must_be_reviewed"),
        (
            "anonymity: double-blind",
            "anonymity: secret",
            "field &#39;anonymity&#39;: must be one of",
        ),
        (
            "submission_deadline: null\nreview_deadline: null",
            "submission_deadline: '2027-03-10T18:00:00-04:00'\n"
            "review_deadline: '2027-03-01T18:00:00-04:00'",
            "move review_deadline after submission_deadline",
        ),
        (
            "submission_deadline: null",
            "submission_deadline: 2027-03-10 18:00:00",
            "needs a UTC offset",
        ),
    ],
)
def test_an_invalid_file_is_not_saved_and_keeps_the_text(
    client, signed_in, gas_test, old, new, expected
):
    text = gas_test.current.text.replace(old, new, 1)
    assert text != gas_test.current.text

    response = client.submit(
        EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id, "save": "Save"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The assignment could not be saved:" in page
    assert expected in page
    assert textarea_of(page) == text
    assert len(revisions(gas_test)) == 1


def test_an_unknown_module_or_a_changed_id_is_refused(client, signed_in, gas_test):
    base = gas_test.current_revision_id
    text = gas_test.current.text.replace(f"module: {gas_test.module.key}", "module: elsewhere")
    page = client.submit(EDIT, {"text": text, "base_revision_id": base}).get_data(as_text=True)
    assert "this course has no module with the id “elsewhere”" in page

    text = gas_test.current.text.replace(f"id: {gas_test.key}", "id: another-id")
    response = client.submit(EDIT, {"text": text, "base_revision_id": base})
    assert response.status_code == 422
    assert f"its id must stay “{gas_test.key}”" in response.get_data(as_text=True)
    assert len(revisions(gas_test)) == 1


# --- Saving --------------------------------------------------------------------------


def test_save_adds_a_revision_and_follows_the_module(
    client, signed_in, biogas, gas_test, maintainer
):
    second = _modules(biogas)[1]
    text = gas_test.current.text.replace(f"module: {gas_test.module.key}", f"module: {second.key}")

    response = client.submit(
        EDIT,
        {
            "text": text.replace("\n", "\r\n"),
            "base_revision_id": gas_test.current_revision_id,
            "summary": "Move it",
        },
    )

    assert response.status_code == 302
    [assignment] = assignments(biogas.id)
    assert assignment.module_id == second.id
    assert assignment.current.text == text  # browsers send CRLF; stored as LF
    first, edit = revisions(assignment)
    assert (edit.kind, edit.parent_id, edit.author_id, edit.summary) == (
        "edit",
        first.id,
        maintainer.id,
        "Move it",
    )


def test_saving_the_same_text_changes_nothing(client, signed_in, gas_test):
    response = client.submit(
        EDIT, {"text": gas_test.current.text, "base_revision_id": gas_test.current_revision_id}
    )
    assert response.status_code == 302
    assert len(revisions(gas_test)) == 1


def test_an_unknown_base_is_a_bad_request(client, signed_in, gas_test):
    response = client.submit(EDIT, {"text": gas_test.current.text, "base_revision_id": "nope"})
    assert response.status_code == 400


def _save_other(client, gas_test, text):
    response = client.submit(EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id})
    assert response.status_code == 302


def test_a_stale_edit_on_other_lines_is_merged(client, signed_in, gas_test):
    base_id, base = gas_test.current_revision_id, gas_test.current.text
    _save_other(client, gas_test, base.replace("title: Gas production test", "title: Gas test"))

    mine = base.replace(
        "description: Built as described.", "description: Built as the module shows."
    )
    response = client.submit(EDIT, {"text": mine, "base_revision_id": base_id})

    assert response.status_code == 302
    [assignment] = assignments()
    assert "title: Gas test\n" in assignment.current.text
    assert "Built as the module shows." in assignment.current.text
    assert revisions(assignment)[-1].kind == "merge"


def test_a_stale_edit_of_the_same_line_is_an_edit_conflict(client, signed_in, gas_test):
    base_id, base = gas_test.current_revision_id, gas_test.current.text
    _save_other(client, gas_test, base.replace("title: Gas production test", "title: Gas test"))
    newest = assignments()[0].current_revision_id

    mine = base.replace("title: Gas production test", "title: Measuring the gas")
    response = client.submit(EDIT, {"text": mine, "base_revision_id": base_id})

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Edit conflict" in page
    assert textarea_of(page) == mine
    assert hidden_of(page, "base_revision_id") == str(newest)
    assert len(revisions(assignments()[0])) == 2


def test_a_clean_merge_that_breaks_a_rule_is_shown_not_saved(client, signed_in, gas_test):
    # must_be_reviewed moved away from must_review, so the two edits merge cleanly.
    spread = gas_test.current.text.replace("must_be_reviewed: 3\n", "").replace(
        "anonymity: double-blind\n", "anonymity: double-blind\nmust_be_reviewed: 3\n"
    )
    _save_other(client, gas_test, spread)
    base_id = assignments()[0].current_revision_id
    _save_other(client, gas_test, spread.replace("must_review: 4", "must_review: 3"))

    mine = spread.replace("must_be_reviewed: 3", "must_be_reviewed: 4")
    response = client.submit(EDIT, {"text": mine, "base_revision_id": base_id})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "raise must_review or lower must_be_reviewed" in page
    merged = textarea_of(page)
    assert "must_review: 3" in merged and "must_be_reviewed: 4" in merged
    assert hidden_of(page, "base_revision_id") == str(assignments()[0].current_revision_id)


def test_preview_on_the_new_page_saves_nothing(client, signed_in, biogas):
    text = textarea_of(client.get(NEW).get_data(as_text=True))
    key = _modules(biogas)[0].key

    response = client.submit(NEW, {"module": key, "slug": "trench", "text": text, "preview": "1"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview — not saved yet." in page and "Quality of the work" in page
    assert textarea_of(page) == text
    assert assignments(biogas.id) == []
