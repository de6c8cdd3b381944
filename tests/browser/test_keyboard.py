"""A learner who uses only the keyboard logs in, enrols, starts a build log, adds an entry
and submits it: Tab, Shift+Tab, Enter and Space, never the mouse, and every link, button and
field they stop on shows where the focus is."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser

#: More key presses than any page here needs to reach a control; a page that needs more
#: has a problem worth failing on.
MAX_PRESSES = 80

#: What the focused element is, and whether a sighted keyboard user can see it.
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(),
    name: (label || e.innerText || e.value || e.getAttribute('aria-label') || '').trim(),
    inMain: !!e.closest('main'),
    section: (e.closest('section[id]') || {}).id || '',
    focusVisible: e.matches(':focus-visible'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < window.innerWidth && box.top < window.innerHeight,
  };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    return page.evaluate(_FOCUSED)


def assert_focus_visible(page: Any, what: str) -> None:
    element = focused(page)
    assert element is not None, f"nothing has the focus on {what}"
    outlined = element["outlineStyle"] != "none" and element["outlineWidth"] > 0
    assert element["focusVisible"], (what, element)
    assert outlined or element["boxShadow"] != "none", f"no visible focus on {what}: {element}"
    assert element["onScreen"], f"{what} has the focus but is off screen: {element}"


def tab_to(page: Any, name: str, *, back: bool = False, section: str | None = None) -> None:
    """Press Tab (Shift+Tab with ``back``) until the control called ``name`` (optionally
    inside ``<section id=section>``) has the focus, and check that the focus shows."""
    seen: list[str] = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        element = focused(page)
        if element is None:
            continue
        seen.append(f"{element['tag']}:{element['name'][:30]}")
        if element["name"] == name and (section is None or element["section"] == section):
            assert_focus_visible(page, repr(name))
            return
    raise AssertionError(f"{name!r} not reached with the keyboard on {page.url}; went {seen}")


def press_and_go(page: Any, key: str = "Enter") -> None:
    """Activate the focused link or button with ``key`` and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page: Any, label: str, text: str, **where: Any) -> None:
    tab_to(page, label, **where)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def test_log_in_enrol_start_a_build_log_add_an_entry_and_submit_with_the_keyboard_only(
    server, chromium, create_user, create_course, create_assignment
):
    course = create_course("biogas", title="Tube biogas digester")
    create_assignment(course, slug="gas-test", title="Gas production test")
    create_user("wanjiru")
    # JavaScript is on only so that the test can ask the browser what has the focus; the
    # pages have no scripts of their own.
    context = chromium.new_context(locale="en-GB", java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(server + "/")
    # The first stop is the skip link, shown when focused; it leads past the navigation.
    tab_to(page, "Skip to content")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first is not None and first["inMain"], first

    tab_to(page, "Log in", back=True)  # back up into the site navigation
    press_and_go(page)
    assert page.url.endswith("/login")
    type_into(page, "Username or email", "wanjiru")
    type_into(page, "Password", PASSWORD)
    tab_to(page, "Username or email", back=True)  # check what was typed, then go on
    assert page.get_by_label("Username or email").input_value() == "wanjiru"
    tab_to(page, "Log in")
    assert focused(page)["inMain"], "Tab reached the navigation's link, not the form's button"
    press_and_go(page)
    page.get_by_role("button", name="Log out").wait_for()

    tab_to(page, "Courses")
    press_and_go(page)
    tab_to(page, "Tube biogas digester")
    press_and_go(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Tube biogas digester"
    tab_to(page, "Enrol in this course")
    press_and_go(page, "Space")
    page.get_by_text("You are enrolled in").wait_for()

    tab_to(page, "Gas production test")
    press_and_go(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Gas production test"
    tab_to(page, "Start your build log")
    press_and_go(page)
    page.get_by_role("heading", level=1, name="Your build log").wait_for()

    type_into(page, "Title", "Our digester in Nyeri")
    tab_to(page, "Save title and summary")
    press_and_go(page)
    page.get_by_text("Saved.", exact=True).wait_for()

    type_into(page, "What you did", "Dug the trench, 1 m deep.", section="new-entry")
    tab_to(page, "Add entry", section="new-entry")
    press_and_go(page)
    page.get_by_text("Entry added.").wait_for()

    # After adding, the page scrolls to the new entry; the submit button is back above it.
    tab_to(page, "Submit your build log", back=True)
    press_and_go(page)
    page.get_by_text("Submitted version 1.").wait_for()
    context.close()


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[int, ...], other: tuple[int, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _colours(css: str) -> list[tuple[int, ...]]:
    return [
        tuple(int(float(v)) for v in m.split(",")[:3]) for m in re.findall(r"rgba?\(([^)]*)\)", css)
    ]


def test_the_focus_indicator_stands_out_from_the_page(server, chromium):
    context = chromium.new_context(locale="en-GB", java_script_enabled=True)
    page = context.new_page()
    page.goto(server + "/")
    tab_to(page, "Courses")
    style = page.evaluate(
        """() => {
          const s = getComputedStyle(document.activeElement);
          return {outline: s.outlineColor, shadow: s.boxShadow,
                  page: getComputedStyle(document.documentElement).backgroundColor};
        }"""
    )
    context.close()
    background = _colours(style["page"])[0]
    indicator = _colours(style["outline"]) + _colours(style["shadow"])
    best = max(contrast(colour, background) for colour in indicator)
    assert best >= 3, f"focus indicator contrast {best:.2f}:1 against the page ({style})"
