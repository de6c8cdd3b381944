"""Three learners submit build logs, review each other, rate the reviews' helpfulness and
see their grades, in a real browser with JavaScript turned off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerlearn.catalog.models import Enrolment
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser

LEARNERS = ("amaru", "wanjiru", "keza")
ASSIGNMENT = "/courses/biogas/a/gas-test"


def _log_in(page, server, username):
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()


def _submit_build_log(page, server, username):
    page.goto(server + ASSIGNMENT)
    page.get_by_role("button", name="Start your build log").click()
    page.get_by_label("Title").fill(f"Digester of {username}")
    page.get_by_role("button", name="Save title and summary").click()
    entry = page.locator("#new-entry")
    entry.get_by_label("Date").fill("2026-05-01")
    entry.get_by_label("What you did").fill("Dug the trench and laid the tube.")
    entry.get_by_role("button", name="Add entry").click()
    page.get_by_role("button", name="Submit your build log").click()
    expect(page.locator("body")).to_contain_text("Submitted version 1.")


def _review_two(page, server, levels):
    for level in levels:
        page.goto(server + ASSIGNMENT)
        page.get_by_role("button", name="Review a build log").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Review a build log"
        page.get_by_label(f"{level} points").check()
        page.get_by_label("Overall comment for the author").fill(
            "The trench is well documented; add a photo of the tube."
        )
        page.get_by_role("button", name="Submit review").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Gas production test"


def test_three_learners_review_each_other_rate_the_reviews_and_see_their_grades(
    server, page_without_js, create_user, create_course, create_assignment
):
    course = create_course("biogas", title="Tube biogas digester")
    create_assignment(course, slug="gas-test", must_review=2, must_be_reviewed=2, grading="median")
    for username in LEARNERS:
        user = create_user(username)
        db.session.add(Enrolment(user_id=user.id, course_id=course.id))
    db.session.commit()
    page = page_without_js

    for username in LEARNERS:
        _log_in(page, server, username)
        _submit_build_log(page, server, username)
        _log_out(page)

    for username in LEARNERS:
        _log_in(page, server, username)
        _review_two(page, server, levels=(2, 2))
        expect(page.locator("body")).to_contain_text("Reviews given: 2 of 2.")
        _log_out(page)

    for username in LEARNERS:
        _log_in(page, server, username)
        page.goto(server + ASSIGNMENT)
        assert "Your grade is ready." in page.content()
        page.get_by_role("link", name="Reviews of your build log and your grade").click()
        content = page.content()
        assert "Reviewer 1" in content and "Reviewer 2" in content
        assert not any(other in content for other in LEARNERS if other != username)
        assert "2 of 2 points" in page.locator(".grade").inner_text()
        first = page.locator("article.review").first
        first.get_by_label("4").check()
        first.get_by_label("What helped, or what was missing? (optional)").fill("Concrete tip.")
        first.get_by_role("button", name="Send rating").click()
        expect(page.locator("body")).to_contain_text(
            "You rated this review 4 of 5 for helpfulness."
        )
        _log_out(page)
