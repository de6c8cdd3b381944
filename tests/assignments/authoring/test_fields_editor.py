"""The structured editor: the assignment as a form, saved as the same YAML, by the same rules.

Every button is a plain submit button, so each test posts what a browser without
JavaScript would: all the inputs of the page plus the name and value of the button.
"""

from __future__ import annotations

import gzip
import html
import re
from decimal import Decimal

import pytest

from peerlearn.assignments.revisions import spec_of
from tests.fixtures.assignment_authoring import assignments, hidden_of, revisions, textarea_of
from tests.fixtures.pages import GZIP_BUDGET, RAW_BUDGET
from tests.settings import ROOT

FORM = "/courses/biogas/assignments/gas-test/form"
EDIT = "/courses/biogas/assignments/gas-test/edit"


@pytest.fixture
def maintainer(create_user):
    return create_user("ana")


@pytest.fixture
def gas_test(create_course, create_assignment, maintainer):
    return create_assignment(create_course("biogas", maintainer=maintainer), slug="gas-test")


@pytest.fixture
def signed_in(login, maintainer):
    login(maintainer)
    return maintainer


def inputs(page: str) -> dict[str, str]:
    """What the browser would send: every input, textarea and selected option."""
    found: dict[str, str] = {}
    for tag in re.finditer(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag.group(0))
        value = re.search(r'value="([^"]*)"', tag.group(0))
        if name is None or ('type="checkbox"' in tag.group(0) and "checked" not in tag.group(0)):
            continue
        found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        found[area.group(1)] = html.unescape(area.group(2))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(2))
        if chosen:
            found[select.group(1)] = html.unescape(chosen.group(1))
    return found


def press(client, page: str, button: str, **changes: str):
    data = {**inputs(page), "action": button, **changes}
    data.pop("csrf_token", None)
    return client.submit(FORM, data)


def test_the_form_shows_settings_and_every_level_of_the_rubric(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)

    values = inputs(page)
    assert values["title"] == "Gas production test"
    assert values["module"] == gas_test.module.key
    assert (values["must_review"], values["must_be_reviewed"]) == ("4", "3")
    assert values["anonymity"] == "double-blind"
    assert (values["c0-id"], values["c0-title"], values["c0-weight"]) == (
        "build",
        "Build quality",
        "1",
    )
    assert (values["c0-l1-points"], values["c0-l1-title"]) == ("2", "Sound")
    assert "<script" not in page


def test_adding_a_criterion_and_a_level_changes_only_the_form(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)

    page = press(client, page, "add-criterion").get_data(as_text=True)
    assert "Criterion 2" in page
    assert inputs(page)["c1-id"] == "criterion-2"
    assert (inputs(page)["c1-l0-points"], inputs(page)["c1-l1-points"]) == ("0", "1")

    page = press(client, page, "add-level-0", **{"c0-title": "Solid build"}).get_data(as_text=True)
    values = inputs(page)
    assert values["c0-l2-points"] == "3"  # one more than the highest so far
    assert values["c0-title"] == "Solid build"  # what was typed survives the round trip
    assert len(revisions(gas_test)) == 1


def test_removing_a_level_and_a_criterion(client, signed_in, gas_test):
    page = press(client, client.get(FORM).get_data(as_text=True), "add-criterion")
    page = page.get_data(as_text=True)

    page = press(client, page, "remove-level-0-0").get_data(as_text=True)
    assert inputs(page)["c0-l0-title"] == "Sound"
    assert "c0-l1-title" not in inputs(page)

    page = press(client, page, "remove-criterion-0").get_data(as_text=True)
    assert inputs(page)["c0-id"] == "criterion-2"
    assert "c1-id" not in inputs(page)


def test_saving_writes_the_yaml_as_a_new_revision(client, signed_in, gas_test, maintainer):
    page = press(client, client.get(FORM).get_data(as_text=True), "add-criterion")
    page = page.get_data(as_text=True)
    changes = {
        "c0-l1-title": "Solid",
        "c1-id": "photos",
        "c1-title": "Photos",
        "c1-description": "Does each step have a photo?",
        "c1-weight": "1,5",  # a decimal comma, as many of our languages write it
        "c1-l0-title": "None",
        "c1-l0-description": "No photos.",
        "c1-l1-points": "2",
        "c1-l1-title": "All",
        "c1-l1-description": "A photo of every step.",
        "must_review": "5",
        "summary": "Photos count",
    }

    response = press(client, page, "save", **changes)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(FORM)
    [assignment] = assignments()
    spec = spec_of(assignment)
    assert [c.id for c in spec.rubric] == ["build", "photos"]
    assert spec.rubric[0].levels[1].title == "Solid"
    assert spec.rubric[1].weight == Decimal("1.5")
    assert spec.must_review == 5
    first, edit = revisions(assignment)
    assert (edit.kind, edit.parent_id, edit.author_id, edit.summary) == (
        "edit",
        first.id,
        maintainer.id,
        "Photos count",
    )
    assert "weight: 1.5\n" in assignment.current.text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("c0-l1-points", "many", "must be a whole number from 0 to 100"),
        ("c0-l1-points", "0", "level 1 already gives the same number of points"),
        ("c0-weight", "0", "must be greater than 0"),
        ("c0-l0-title", " ", "must not be empty"),
        ("must_review", "2", "raise must_review or lower must_be_reviewed"),
        ("submission_deadline", "2027-03-10 18:00", "needs a UTC offset"),
    ],
)
def test_the_yaml_editors_rules_apply_and_the_error_sits_at_its_input(
    client, signed_in, gas_test, field, value, expected
):
    page = client.get(FORM).get_data(as_text=True)

    response = press(client, page, "save", **{field: value})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert expected in html.unescape(page)
    assert f'id="f-{field}" name="{field}"' in page
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', page)
    assert f'id="f-{field}-error"' in page
    assert inputs(page)[field] == value.strip() or inputs(page)[field] == value
    assert len(revisions(gas_test)) == 1


def test_saving_without_changes_keeps_the_file_as_written(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)

    response = press(client, page, "save")

    assert response.status_code == 302
    assert len(revisions(gas_test)) == 1


def test_a_stale_form_that_overlaps_another_edit_is_an_edit_conflict(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)
    other = gas_test.current.text.replace("title: Sound", "title: Strong")
    assert (
        client.submit(
            EDIT, {"text": other, "base_revision_id": gas_test.current_revision_id}
        ).status_code
        == 302
    )

    response = press(client, page, "save", **{"c0-l1-title": "Solid"})

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Edit conflict" in page
    assert "title: Solid" in textarea_of(page)
    assert len(revisions(assignments()[0])) == 2


def test_a_stale_form_on_other_lines_is_merged(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)
    other = gas_test.current.text.replace("title: Sound", "title: Strong")
    client.submit(EDIT, {"text": other, "base_revision_id": gas_test.current_revision_id})

    response = press(client, page, "save", must_review="6")

    assert response.status_code == 302
    spec = spec_of(assignments()[0])
    assert (spec.must_review, spec.rubric[0].levels[1].title) == (6, "Strong")


def test_switching_to_yaml_and_back_keeps_unsaved_changes(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)

    page = press(client, page, "yaml", **{"c0-l1-title": "Solid", "summary": "Wording"})
    page = page.get_data(as_text=True)
    text = textarea_of(page)
    assert "title: Solid\n" in text
    assert hidden_of(page, "base_revision_id") == str(gas_test.current_revision_id)
    assert 'formaction="/courses/biogas/assignments/gas-test/form"' in page

    text = text.replace("must_review: 4", "must_review: 7")
    response = client.submit(
        FORM,
        {"text": text, "base_revision_id": hidden_of(page, "base_revision_id"),
         "summary": "Wording", "from_yaml": "1"},
    )  # fmt: skip

    values = inputs(response.get_data(as_text=True))
    assert (values["c0-l1-title"], values["must_review"]) == ("Solid", "7")
    assert values["summary"] == "Wording"
    assert len(revisions(gas_test)) == 1


def test_an_invalid_draft_still_switches_to_yaml(client, signed_in, gas_test):
    page = client.get(FORM).get_data(as_text=True)

    page = press(client, page, "yaml", **{"c0-l1-points": "many"}).get_data(as_text=True)

    assert "points: many\n" in textarea_of(page)


def test_unreadable_yaml_stays_in_the_yaml_editor_with_the_reason(client, signed_in, gas_test):
    text = gas_test.current.text.replace("title: ", "title: [", 1)

    response = client.submit(
        FORM, {"text": text, "base_revision_id": gas_test.current_revision_id, "from_yaml": "1"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The form can only open a readable assignment: invalid YAML" in page
    assert textarea_of(page) == text


def test_learners_cannot_open_or_post_the_form(client, login, create_user, gas_test):
    login(create_user("bea"))
    assert client.get(FORM).status_code == 403
    assert client.submit(FORM, {"action": "save", "title": "Mine"}).status_code == 403
    assert len(revisions(gas_test)) == 1


def test_a_full_form_fits_the_page_budget(client, signed_in, gas_test):
    """Three criteria of four levels, in the longest of our languages' words, still fit."""
    page = client.get(FORM).get_data(as_text=True)
    for action in ("add-criterion", "add-criterion", "add-level-0", "add-level-0"):
        page = press(client, page, action).get_data(as_text=True)
    for action in ("add-level-1", "add-level-1", "add-level-2", "add-level-2"):
        page = press(client, page, action).get_data(as_text=True)
    assert inputs(page)["c2-l3-points"] == "3"
    css = (ROOT / "peerlearn" / "static" / "style.css").read_bytes()

    size = len(page.encode()) + len(css)
    zipped = len(gzip.compress(page.encode())) + len(gzip.compress(css))

    assert size <= RAW_BUDGET, size
    assert zipped <= GZIP_BUDGET, zipped
