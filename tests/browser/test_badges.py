"""A learner finishes a course in the browser, without JavaScript, and downloads a badge
whose baked assertion is the one the site hosts: the step a learner takes before putting
the badge in a backpack or a CV."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.fixtures.app import PASSWORD
from tests.fixtures.recognition import klass, review  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _log_in(page: Any, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_a_learner_completes_a_course_and_downloads_a_badge_that_verifies(
    server,
    chromium,
    klass,  # noqa: F811
):
    review(klass.classmate, klass.assignment, points=2)  # the assignment is passed
    context = chromium.new_context(
        java_script_enabled=False, accept_downloads=True, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, server, klass.learner.username)

    for module in klass.modules:
        page.goto(f"{server}/courses/{klass.course.slug}/m/{module.slug}")
        page.get_by_role("button", name="Mark as done").click()
        page.wait_for_load_state()

    page.goto(f"{server}/users/{klass.learner.username}")
    page.get_by_role("link", name="Completed: Tube digester").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{server}/badges/")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the badge image").click()
    baked = Image.open(waiting.value.path())
    baked.load()
    assertion = baked.text["openbadges"]

    # A verifier's steps: fetch the assertion's id, compare, check the recipient and badge.
    claimed = json.loads(assertion)
    hosted = page.request.get(server + urlsplit(claimed["id"]).path)
    assert hosted.status == 200
    assert hosted.text() == assertion
    recipient = claimed["recipient"]
    salted = (klass.learner.email + recipient["salt"]).encode()
    assert recipient["identity"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    badge = page.request.get(server + urlsplit(claimed["badge"]).path).json()
    assert badge["name"] == "Completed: Tube digester"
    context.close()
