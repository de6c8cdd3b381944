"""A maintainer on a 360 px phone, JavaScript off, finds the rubric editor and changes a level."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peerlearn.assignments.revisions import spec_of
from tests.fixtures.app import PASSWORD
from tests.fixtures.assignment_authoring import assignments

pytestmark = pytest.mark.browser


def test_a_maintainer_adds_a_level_on_a_phone(
    server, chromium, create_user, create_course, create_assignment
):
    ana = create_user("ana")
    create_assignment(create_course("biogas", maintainer=ana), slug="gas-test")
    context = chromium.new_context(
        java_script_enabled=False, locale="en-GB", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(server + "/login")
        page.get_by_label("Username or email").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.goto(server + "/courses/biogas")
        page.get_by_role("link", name="Assignments", exact=True).last.click()
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_role("button", name="Add a level").click()
        page.get_by_label("Title").last.fill("Outstanding")
        page.get_by_label("Description").last.fill("Others could copy it.")
        page.get_by_label("Edit summary").fill("A top level")
        page.get_by_role("button", name="Save").click()

        assert "Your changes are saved." in page.content()
        shot = page.screenshot(full_page=True)
        if os.environ.get("PEERLEARN_SCREENSHOTS"):
            Path(os.environ["PEERLEARN_SCREENSHOTS"], "assignment-form-360.png").write_bytes(shot)
        # A PNG's width is bytes 16-20 of its header: nothing is wider than the phone.
        assert int.from_bytes(shot[16:20], "big") == 360
    finally:
        context.close()
    levels = spec_of(assignments()[0]).rubric[0].levels
    assert (levels[-1].points, levels[-1].title) == (3, "Outstanding")
