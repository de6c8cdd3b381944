"""A learner writes and submits a build log in a real browser with JavaScript turned off."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser


def test_learner_writes_a_build_log_with_a_photo_and_a_chart_and_submits_it(
    server, page_without_js, create_user, create_course, create_assignment, tmp_path
):
    course = create_course("biogas", title="Tube biogas digester")
    create_assignment(course, slug="gas-test", submission_deadline="2099-03-04T23:59:00-04:00")
    create_user("wanjiru")
    photo = tmp_path / "trench.jpg"
    Image.new("RGB", (800, 600), "sienna").save(photo, "JPEG")
    page = page_without_js

    page.goto(server + "/login")
    page.get_by_label("Username or email").fill("wanjiru")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(server + "/courses/biogas/m/module-1")
    page.get_by_role("link", name="Gas production test").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Gas production test"
    page.get_by_role("button", name="Enrol in this course").click()
    # Enrolling from the assignment page comes back to it, ready to start.
    assert page.get_by_role("heading", level=1).inner_text() == "Gas production test"
    page.get_by_role("button", name="Start your build log").click()

    page.get_by_label("Title").fill("Our digester in Nyeri")
    page.get_by_role("button", name="Save title and summary").click()

    new_entry = page.locator("#new-entry")
    for day, text in (("2026-05-01", "Dug the trench."), ("2026-05-08", "Filled it."),
                      ("2026-05-15", "First gas!")):  # fmt: skip
        new_entry = page.locator("#new-entry")
        new_entry.get_by_label("Date").fill(day)
        new_entry.get_by_label("What you did").fill(text)
        if text == "Dug the trench.":
            new_entry.get_by_label("Photo (optional)").set_input_files(str(photo))
            new_entry.get_by_label("Caption").fill("The trench, 1 m deep")
        new_entry.get_by_role("button", name="Add entry").click()
        assert "Entry added." in page.content()

    for text, value in (("Filled it.", "0.2"), ("First gas!", "0.8")):
        entry = page.locator("section.entry-editor", has=page.get_by_text(text, exact=True))
        entry.get_by_label("Measurement").fill("Gas production")
        entry.get_by_label("Value").fill(value)
        entry.get_by_label("Unit").fill("m³/day")
        entry.get_by_role("button", name="Add measurement").click()
        assert "Measurement added." in page.content()

    preview = page.locator(".preview")
    assert preview.locator("img[alt='The trench, 1 m deep']").count() == 1
    assert preview.locator("svg").count() == 1
    assert "Gas production (m³/day)" in preview.inner_text()

    page.get_by_role("button", name="Submit your build log").click()
    assert "Submitted version 1." in page.content()
    assert re.search(r"You submitted version 1 on", page.content())
    page.get_by_role("link", name="See what you submitted").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Submitted version 1"
    assert page.locator("svg").count() == 1
