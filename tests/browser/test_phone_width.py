"""No page scrolls sideways on a 360 px phone, in any of the six interface languages.

Every GET route that answers with an HTML page is opened, filled with the real objects of
the ``world`` fixture (tests/fixtures/world.py) and as the user the route walker
(tests/core/test_every_route.py) names for it, in Chromium with a 360x740 viewport. The
page may not be wider than the screen: ``document.documentElement.scrollWidth <= 360``.
A table or a chart that is genuinely wide may scroll inside its own box; the page may not.
A few forms are also sent back with their errors, since an error message is often the
longest line of a form.

Languages differ most in the length of their words (Quechua and Kinyarwanda labels are
often twice as long as English ones), so every page is checked in every language. The pages
have no JavaScript of their own; the browser profile has JavaScript on only so that the
test can measure the layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from peerlearn.accounts.models import User
from peerlearn.extensions import db
from tests.browser.test_accessibility import log_in
from tests.core.test_every_route import ARRIVES_FROM, PRIVATE, PUBLIC
from tests.fixtures.world import World

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
LOCALES = ("en", "es", "fr", "sw", "rw", "qu")
#: GET endpoints that answer with something other than a page: files and downloads.
NOT_PAGES = {
    "static", "catalog.media", "assignments.photos.photo", "offline.package", "site.healthz",
    "review.gradebook.export", "submissions.export", "community_i18n.export",
    "personal_data.download_data", "badges.issuer", "badges.issuer_key", "badges.badge_class",
    "badges.badge_image", "badges.assertion", "badges.baked_image", "badges.credential",
    "circles.calendar_file", "circles.my_calendar", "facilitation.export",
}  # fmt: skip
#: Forms sent empty (or wrong) to see them with their errors: who, endpoint, the form.
WITH_ERRORS = [
    (None, "accounts.register", "main form.stack"),
    ("maintainer", "authoring.new_course", "main form.stack"),
    ("maintainer", "forks.fork", "main form.stack"),
    ("learner", "accounts.settings", "main form[action$='/password']"),
    ("learner", "assignments.log", "#new-entry form"),
    ("learner", "circles.new_circle", "main form.stack"),
]

#: Whether the page is wider than the viewport and, if so, what sticks out: the outermost
#: elements whose right edge passes the viewport (their parent does not), outside any box
#: that scrolls or clips on its own.
_MEASURE = """(width) => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= width) return null;
  const clips = (e) => {
    for (let p = e.parentElement; p && p !== doc; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + [...e.classList].map((c) => '.' + c).join('');
  const path = (e) => {
    const parts = [];
    for (let p = e; p && p !== document.body; p = p.parentElement) parts.unshift(name(p));
    return parts.join(' > ');
  };
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const right = e.getBoundingClientRect().right;
    if (right <= width + 0.5 || clips(e)) continue;
    const parent = e.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 0.5) continue;
    out.push(`${path(e)} reaches ${Math.round(right)} px: `
      + JSON.stringify((e.innerText || e.value || '').trim().slice(0, 60)));
  }
  return {scrollWidth: doc.scrollWidth, widest: out.slice(0, 4)};
}"""


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """Opens 360x740 browser profiles in one language, closed after the test."""
    contexts: list[Any] = []

    def open_context(locale: str, server: str) -> Any:
        context = chromium.new_context(
            viewport={"width": WIDTH, "height": HEIGHT}, locale=locale, bypass_csp=True
        )
        context.add_cookies([{"name": "peerlearn_lang", "value": locale, "url": server}])
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def overflow(page: Any) -> dict[str, Any] | None:
    """None when the page fits in the viewport, otherwise its width and what sticks out."""
    result: dict[str, Any] | None = page.evaluate(_MEASURE, WIDTH)
    return result


def describe(what: str, found: dict[str, Any]) -> str:
    lines = [f"{what} is {found['scrollWidth']} px wide:"]
    lines += [f"    {one}" for one in found["widest"]]
    return "\n".join(lines)


def who_opens(endpoint: str) -> str | None:
    """The world's user a page is for (None: anyone), as the route walker classifies it.
    A page the walker has not classified yet is opened as the learner."""
    if endpoint in PUBLIC:
        return None
    return PRIVATE.get(endpoint, "learner")


def pages_by_user(app: Flask, world: World) -> dict[str | None, list[tuple[str, str]]]:
    """Every HTML page of the app: user -> [(endpoint, path)], in URL order."""
    by_user: dict[str | None, list[tuple[str, str]]] = {}
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
    with app.test_request_context():
        for rule in rules:
            if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
                continue
            values = {**world.fill(rule), **world.query(rule.endpoint)}
            path = rule.build(values, append_unknown=True)[1]  # type: ignore[index]
            by_user.setdefault(who_opens(rule.endpoint), []).append((rule.endpoint, path))
    # A page reached only through another (the reset form, through its emailed link) is
    # opened right after it, in the same browser profile.
    for pages in by_user.values():
        endpoints = [endpoint for endpoint, _ in pages]
        for later, earlier in ARRIVES_FROM.items():
            if later in endpoints and earlier in endpoints:
                pages.append(pages.pop(endpoints.index(later)))
                endpoints = [endpoint for endpoint, _ in pages]
    return by_user


@pytest.mark.parametrize("locale", LOCALES)
def test_no_page_is_wider_than_a_360_px_phone(
    locale: str, app: Flask, server: str, phone: Any, world: World
) -> None:
    db.session.execute(update(User).values(locale=locale))
    db.session.commit()
    by_user = pages_by_user(app, world)
    paths = {endpoint: path for pages in by_user.values() for endpoint, path in pages}
    failures: list[str] = []
    checked = 0
    for who in sorted(by_user, key=lambda name: name or ""):
        page = phone(locale, server).new_page()
        page.set_default_timeout(15_000)
        if who is not None:
            log_in(page, server, getattr(world, who).username)
        for endpoint, path in by_user[who]:
            response = page.goto(server + path)
            assert response is not None and response.status == 200, (who, path, response)
            assert response.headers["content-type"].startswith("text/html"), (
                f"{endpoint} ({path}) is not a page: add it to NOT_PAGES"
            )
            assert page.locator("html").get_attribute("lang") == locale, path
            found = overflow(page)
            if found:
                failures.append(describe(f"{path} ({endpoint}, {who or 'anonymous'})", found))
            checked += 1
        for sender, endpoint, form in WITH_ERRORS:
            if sender != who:
                continue
            page.goto(server + paths[endpoint])
            sent = page.locator(form)
            sent.evaluate("f => { f.noValidate = true; }")
            for field in sent.locator("input[type=text], input[type=password], textarea").all():
                field.fill("")
            sent.locator("button").last.click()
            assert page.locator("[aria-invalid=true], .error").count() > 0, (endpoint, form)
            found = overflow(page)
            if found:
                failures.append(describe(f"{paths[endpoint]} with errors ({endpoint})", found))
            checked += 1
    assert checked > 60, f"only {checked} pages checked"
    assert not failures, f"pages wider than {WIDTH} px in {locale}:\n" + "\n".join(failures)
