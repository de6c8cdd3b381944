"""Rough layout edges a reader would notice: a diff shown double-spaced in boxes inside
boxes, a sync diff squeezed into a narrow column, a conflict to resolve in a proportional
font, the decline reason sitting under "Accept", and the keyboard focus thrown back to the
top of a module after "Mark as done"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from peerlearn.content.models import Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db
from tests.browser.test_accessibility import log_in
from tests.browser.test_keyboard import focused
from tests.fixtures.world import World

pytestmark = pytest.mark.browser

#: For every line of a block diff: how far it is from the previous line of its block
#: (0 when lines follow each other without a blank line between), and how many of its
#: ancestors inside <main> draw a border (1: the block's own box, no box inside a box).
_DIFF_LINES = """() => [...document.querySelectorAll('.diff .line')].map((line) => {
  const prev = line.previousElementSibling;
  let boxes = 0;
  for (let e = line.parentElement; e && e.tagName !== 'MAIN'; e = e.parentElement) {
    if (parseFloat(getComputedStyle(e).borderTopWidth) > 0) boxes += 1;
  }
  const gap = prev && prev.classList.contains('line')
    ? line.getBoundingClientRect().top - prev.getBoundingClientRect().bottom : 0;
  return {gap: Math.round(gap), boxes};
})"""


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A desktop-sized browser profile (JavaScript on only for measuring)."""
    context = chromium.new_context(viewport={"width": 1000, "height": 800}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def test_a_module_diff_is_single_spaced_in_one_box_per_block(
    page: Any, server: str, world: World
) -> None:
    old, new = world.module_revisions
    page.goto(
        f"{server}/courses/{world.course.slug}/m/{world.module.slug}/diff?from={old}&to={new}"
    )
    lines = page.evaluate(_DIFF_LINES)

    assert len(lines) > 2
    assert {line["gap"] for line in lines} == {0}, "blank space between the lines of a diff"
    assert {line["boxes"] for line in lines} == {1}, "a diff block drawn inside another box"


def test_the_sync_page_uses_the_width_of_the_page_and_a_monospaced_conflict_editor(
    page: Any, server: str, world: World
) -> None:
    # Upstream changes the passage the fork rewrote since: a conflict to resolve.
    module = db.session.get(Module, world.module.id)
    assert module is not None and module.current is not None
    body = module.current.body.replace("Text of module 1.", "Text of module 1, revised.")
    add_revision(module, body, author=world.maintainer, kind="edit",
                 parent=module.current, title=module.current.title)  # fmt: skip
    db.session.commit()
    log_in(page, server, world.maintainer.username)
    page.goto(f"{server}/courses/{world.fork.slug}/sync")
    main = page.locator("main").bounding_box()
    form = page.locator("form.sync").bounding_box()
    editor = page.locator("form.sync textarea").first

    assert form["width"] > 0.9 * main["width"], (form, main)
    font = editor.evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" in font, font


def test_accepting_and_declining_a_proposal_are_two_separate_forms(
    page: Any, server: str, world: World
) -> None:
    log_in(page, server, world.maintainer.username)
    page.goto(f"{server}/proposals/{world.proposal.id}")
    accept = page.get_by_role("region", name="Accept", exact=True)
    decline = page.get_by_role("region", name="Or decline")

    assert accept.get_by_role("button", name="Accept proposal").count() == 1
    assert accept.get_by_label("Reason").count() == 0
    assert decline.get_by_label("Reason").count() == 1
    assert decline.get_by_role("button", name="Decline proposal").count() == 1
    # The Decline form comes after the whole Accept part, not right under its button.
    assert decline.bounding_box()["y"] >= (
        accept.bounding_box()["y"] + accept.bounding_box()["height"]
    )


def test_after_mark_as_done_the_next_module_is_a_tab_or_two_away(
    page: Any, server: str, world: World
) -> None:
    log_in(page, server, world.learner.username)
    page.goto(f"{server}/courses/{world.course.slug}/m/{world.module.slug}")
    page.get_by_role("button", name="Mark as done").click()
    assert page.url.endswith("#progress")
    # The URL changes when the new page commits; its text may still be on its way.
    expect(page.get_by_text("You marked this module as done.")).to_be_visible()

    reached = []
    for _ in range(2):
        page.keyboard.press("Tab")
        element = focused(page)
        reached.append(element and element["name"])
        if element and element["name"].startswith("Next:"):
            break
    else:
        raise AssertionError(f"two Tabs after Mark as done reached {reached}, not Next")
