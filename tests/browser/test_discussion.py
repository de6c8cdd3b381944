"""Two learners discuss a module in a real browser with JavaScript off: one mentions the
other, who is notified; a post is reported, and the course's maintainer hides it from the
moderation queue."""

from __future__ import annotations

import pytest

from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_learners_discuss_a_module_and_the_maintainer_hides_a_reported_post(
    server, chromium, create_user, create_course
):
    maintainer = create_user("maintainer")
    create_course("biogas", modules=[("Digging the trench", "Dig 1 m deep.\n")],
                  maintainer=maintainer)  # fmt: skip
    create_user("amina")
    create_user("baraka")
    pages = {}
    for name in ("amina", "baraka", "maintainer"):
        context = chromium.new_context(java_script_enabled=False, locale="en-GB")
        pages[name] = context.new_page()
        pages[name].set_default_timeout(15_000)
        log_in(pages[name], server, name)
    amina, baraka, keeper = pages["amina"], pages["baraka"], pages["maintainer"]

    # Amina asks on the module's discussion.
    amina.goto(server + "/courses/biogas/m/module-1")
    amina.get_by_role("link", name="Discussion").click()
    amina.get_by_label("Title").fill("Clay walls keep slumping")
    amina.get_by_label("Message").fill("Mine slumped after the rain. How deep is yours?")
    amina.get_by_role("button", name="Start the thread").click()
    assert amina.get_by_role("heading", level=1).inner_text() == "Clay walls keep slumping"

    # Baraka answers and mentions her.
    baraka.goto(server + "/courses/biogas/m/module-1/discussions")
    baraka.get_by_role("link", name="Clay walls keep slumping").click()
    baraka.get_by_label("Message").fill("@amina line it with bricks before the rain. **1 m** deep.")
    baraka.get_by_role("button", name="Reply").click()
    assert "line it with bricks" in baraka.content()
    assert "<strong>1 m</strong>" in baraka.content()

    # Amina is notified, in the header and on her notifications page, and the notice
    # leads to the reply. The notice is written by a job that runs once the reply's
    # response has been sent, so on a busy machine it may land a moment after Baraka sees
    # his page: look again until it is there (a bounded wait, not a timing assertion).
    for _attempt in range(50):
        amina.goto(server + "/notifications")
        if "Notifications (1)" in amina.locator("header").inner_text():
            break
        amina.wait_for_timeout(200)
    assert "Notifications (1)" in amina.locator("header").inner_text()
    amina.get_by_role("button", name="You were mentioned in “Clay walls keep slumping”.").click()
    assert "line it with bricks" in amina.content()

    # A third message, from Baraka, is spam; Amina reports it.
    baraka.get_by_label("Message").fill("Cheap cement at spam.example, call now")
    baraka.get_by_role("button", name="Reply").click()
    amina.reload()
    spam = amina.locator("article", has_text="Cheap cement")
    spam.get_by_role("link", name="Report").click()
    amina.get_by_label("What is wrong?").fill("Advertising")
    amina.get_by_role("button", name="Send the report").click()
    assert "The maintainers will look at it." in amina.content()

    # The maintainer finds it in the moderation queue and hides it.
    keeper.goto(server + "/courses/biogas")
    keeper.get_by_role("link", name="Moderation").click()
    report = keeper.locator("article", has_text="Cheap cement")
    assert "Advertising" in report.inner_text()
    report.get_by_role("button", name="Hide").click()
    assert "Nothing is waiting for a decision." in keeper.content()

    # Learners see a stub where the post was; the conversation around it stays.
    amina.reload()
    assert "This post was hidden by a moderator." in amina.content()
    assert "Cheap cement" not in amina.content()
    assert "line it with bricks" in amina.content()
