"""The commons in a real browser with JavaScript off: author a course, fork it, improve
the fork, propose the change back, accept it, and pull a later upstream change."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "clay pots and rain tanks"


def shot(page, name: str) -> None:
    """Screenshots for a person to look at, when PEERLEARN_SCREENSHOTS names a folder."""
    folder = os.environ.get("PEERLEARN_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def register(page, server: str, username: str) -> None:
    page.goto(server + "/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def log_in(page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_fork_improve_propose_accept_and_sync(server, chromium):
    ana_context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    jean_context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    ana, jean = ana_context.new_page(), jean_context.new_page()
    for page in (ana, jean):
        page.set_default_timeout(15_000)

    # Ana writes a course with one module.
    register(ana, server, "ana")
    ana.get_by_role("link", name="New course").click()
    ana.get_by_label("Title").fill("Ferrocement rainwater tank")
    ana.get_by_label("Web address").fill("rain-tank")
    ana.get_by_label("Summary").fill("Build a 10 m³ tank from cement, sand and mesh.")
    ana.get_by_label("Topics").fill("water, building")
    ana.get_by_role("button", name="Create course").click()
    assert "Your course is ready" in ana.content()  # and the module form is open
    ana.get_by_label("Title").fill("Choosing the site")
    ana.get_by_label("Text").fill("## Ground\n\nFirm, level ground.\n\n## Roof\n\nA clean roof.\n")
    ana.get_by_role("button", name="Save").click()
    assert ana.get_by_role("heading", level=1).inner_text() == "Choosing the site"

    # Jean forks it; the licence offered is only the ShareAlike one.
    register(jean, server, "jean")
    jean.goto(server + "/courses/rain-tank")
    jean.get_by_role("link", name="Fork this course").click()
    options = jean.get_by_label("Licence").locator("option").all_inner_texts()
    assert len(options) == 1 and "ShareAlike" in options[0]
    jean.get_by_label("Address").fill("rain-tank-rw")
    jean.get_by_label("Title").fill("Ferrocement rainwater tank (Rwanda)")
    jean.get_by_role("button", name="Create my copy").click()
    assert "Forked from" in jean.content()
    shot(jean, "fork-course-page")

    # Jean improves the module in the fork and proposes it back.
    jean.get_by_role("link", name="Choosing the site").first.click()
    jean.get_by_role("link", name="Edit", exact=True).click()
    text = jean.get_by_label("Text").input_value()
    jean.get_by_label("Text").fill(
        text.replace("Firm, level ground.", "Firm, level ground, away from trees.")
    )
    jean.get_by_label("Edit summary").fill("Roots crack tanks")
    jean.get_by_role("button", name="Save").click()
    assert "away from trees" in jean.content()
    jean.goto(server + "/courses/rain-tank-rw")
    jean.get_by_role("link", name="Propose changes upstream").click()
    jean.get_by_label(re.compile("Choosing the site")).check()
    jean.get_by_label("Title").fill("Keep tanks away from trees")
    jean.get_by_role("button", name="Send proposal").click()
    shot(jean, "proposal")

    # Ana sees the proposal with its diff and accepts it; Jean is credited.
    log_in(ana, server, "ana")
    ana.goto(server + "/courses/rain-tank")
    ana.get_by_role("link", name=re.compile("1 open change proposal")).click()
    ana.get_by_role("link", name="Keep tanks away from trees").click()
    assert ana.locator("ins", has_text="away from trees").count() >= 1
    ana.get_by_role("button", name="Accept proposal").click()
    ana.goto(server + "/courses/rain-tank/m/choosing-the-site")
    assert "away from trees" in ana.locator("article.module").inner_text()
    assert "jean" in ana.locator(".attribution").inner_text()

    # Ana changes another part upstream; Jean's fork offers it and takes it cleanly.
    ana.get_by_role("link", name="Edit", exact=True).click()
    text = ana.get_by_label("Text").input_value()
    ana.get_by_label("Text").fill(text.replace("A clean roof.", "A clean metal roof."))
    ana.get_by_role("button", name="Save").click()
    jean.goto(server + "/courses/rain-tank-rw")
    assert "1 upstream change not taken" in jean.content()
    jean.get_by_role("link", name="Review and take them").click()
    shot(jean, "sync")
    jean.get_by_role("button", name="Take these changes").click()
    jean.goto(server + "/courses/rain-tank-rw/m/choosing-the-site")
    article = jean.locator("article.module").inner_text()
    assert "away from trees" in article and "clean metal roof" in article

    # The history and the diff tell the story.
    jean.get_by_role("link", name="History").click()
    shot(jean, "history")
    expect(jean.locator("table, ol, ul").first).to_be_visible()
    ana_context.close()
    jean_context.close()
