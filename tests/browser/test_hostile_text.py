"""Every field that shows user or translator text, filled with the hostile-text corpus
(tests/data/hostile/xss.txt), opened in Chromium: nothing runs, nothing becomes markup.

The fields, found by reading the templates and forms: course title, summary, tags and
authors; module titles and Markdown bodies (in block and inline context) and edit
summaries; assignment title; build log title, summary and entries; review comments (per
criterion and overall) and the report (flag) reason; proposal title, description and
comments; a fork's title; usernames (the form allows only a-z, digits, '.', '_' and '-',
but a name from elsewhere — the command line, an old account — must not matter);
translation suggestions and approved translations; and search queries echoed back.

Each page is checked twice: with the Content-Security-Policy enforced (no violation may
be reported, so the escaping and the sanitizer alone kept the page clean) and with it
bypassed (no dialog may open, so nothing would run even without the policy). Payloads are
batched: one field holds the whole corpus wherever it can, so the test stays quick.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from peerlearn.assignments import buildlogs
from peerlearn.assignments.models import BuildLog, BuildLogEntry, Submission
from peerlearn.authoring import editing, forking, proposals
from peerlearn.catalog.models import Enrolment
from peerlearn.community_i18n.catalog import message_key
from peerlearn.community_i18n.models import (
    SuggestionStatus,
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    Translator,
    encode_forms,
)
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review import flags
from peerlearn.review.models import Review
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile" / "xss.txt"
PAYLOADS = [
    line for line in CORPUS.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]  # fmt: skip
#: The whole corpus as Markdown blocks, and as one inline paragraph.
BLOCKS = "\n\n".join(PAYLOADS)
INLINE = " ".join(PAYLOADS)
#: A username no form would accept, as an account made elsewhere might have.
HOSTILE_NAME = '"><svg onload=alert(90)>'

#: Run in the page: every sign that text became markup that could run.
INSPECT = """() => {
  const found = [];
  const url = /^(javascript|vbscript|data:text\\/html)/i;
  const attrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
                 'poster', 'srcdoc', 'content'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}=${a.value}`);
      const value = a.value.replace(/[\\s\\u0000-\\u001f]/g, '');
      if (attrs.includes(name) && url.test(value)) found.push(`${el.tagName} ${name}=${a.value}`);
    }
  }
  const foreign = 'script, iframe, object, embed, frame, frameset, base, applet, ' +
                  'meta[http-equiv], link:not([rel=stylesheet]), style, svg script, math';
  for (const el of document.querySelectorAll(foreign)) found.push(el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('link[rel=stylesheet]')) {
    if (new URL(el.href).origin !== location.origin) found.push(el.outerHTML.slice(0, 80));
  }
  return found;
}"""


def _approved(locale: str, msgid: str, text: str) -> None:
    """An approved translation put straight into the database, as one approved before
    markup was refused would be (the form refuses it now)."""
    suggestion = TranslationSuggestion(
        locale=locale, msg_key=message_key(msgid), msgid=msgid, msgid_plural=None,
        context=None, text=encode_forms((text,)), author_id=None,
        status=SuggestionStatus.APPROVED.value, reviewed_at=utcnow(),
    )  # fmt: skip
    db.session.add(suggestion)
    db.session.flush()
    override = TranslationOverride(
        locale=locale, msg_key=suggestion.msg_key, suggestion_id=suggestion.id, updated_at=utcnow()
    )
    db.session.add(override)


@pytest.fixture
def hostile_site(
    client: Any, login: Any, create_user: Any, create_course: Any, create_assignment: Any
) -> dict[str, Any]:
    """A site whose every text field holds the corpus; returns who sees which page."""
    admin = create_user("amina", is_admin=True)
    mallory = create_user(HOSTILE_NAME, email="mallory@example.org")
    reviewer, author = create_user("juma"), create_user("wanjiru")
    course = create_course(
        "hostile",
        modules=[(PAYLOADS[0], BLOCKS), ("<img src=x onerror=alert(91)>", INLINE)],
        maintainer=admin,
        title='<img src=x onerror=alert(92)> " autofocus onfocus="alert(93)" x="'[:200],
        summary=INLINE,
        tags=("<svg/onload=alert(94)>", "energy"),
        authors=('"><img src=x onerror=alert(95)>', "Ana"),
    )
    assignment = create_assignment(
        course, slug="digester", title=json.dumps('<svg onload=alert(96)> "x"'),
        must_review=1, must_be_reviewed=1,
    )  # fmt: skip
    for learner in (reviewer, author, mallory):
        db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.flush()
    logs: dict[int, BuildLog] = {}
    for learner in (reviewer, author):
        log = buildlogs.start_log(learner, assignment)
        buildlogs.save_log(learner, log, PAYLOADS[1][:200], INLINE)
        db.session.add(BuildLogEntry(log_id=log.id, entry_date=date(2025, 3, 1), text=BLOCKS))
        db.session.flush()
        db.session.expire(log, ["entries"])
        buildlogs.submit(learner, log)
        logs[learner.id] = log
    db.session.commit()

    # A review written through the form, its comments the whole corpus.
    login(reviewer)
    base = f"/courses/{course.slug}/a/{assignment.slug}"
    asked = client.submit(base + "/reviews/next")
    assert asked.status_code == 302, asked.get_data(as_text=True)
    review_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    sent = client.submit(
        f"/reviews/{review_id}",
        {"level-build": "2", "comment-build": BLOCKS, "overall": BLOCKS, "action": "submit"},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    client.submit("/logout")
    review = db.session.get(Review, review_id)
    reviewed = db.session.get(BuildLog, review.log_id)
    log_author = reviewer if reviewed.user_id == reviewer.id else author
    flags.flag_review(log_author, review, INLINE[:1000])

    # A fork by someone with a hostile name, a module added there, proposed back.
    fork = forking.fork_course(
        mallory, course, slug="hostile-fork", title=PAYLOADS[5][:200], licence=course.licence
    )
    added = editing.add_module(mallory, fork, title=PAYLOADS[6][:200], slug=None, body=BLOCKS)
    proposal = proposals.create_proposal(mallory, fork, [added.id], PAYLOADS[7][:200], BLOCKS)
    proposals.add_comment(mallory, proposal, BLOCKS)

    # Translations: a suggestion sent before markup was refused, and approved texts that
    # break out of an element and out of an attribute.
    db.session.add(Translator(user_id=admin.id, locale="es"))
    db.session.add(
        TranslationSuggestion(
            locale="es", msg_key=message_key("Search courses"), msgid="Search courses",
            msgid_plural=None, context=None, text=encode_forms((INLINE,)),
            author_id=mallory.id, status=SuggestionStatus.PENDING.value,
        )
    )  # fmt: skip
    _approved("es", "Search courses", "Sug <img src=x onerror=alert(97)>")
    _approved("es", "e.g. biogas, solar, cookstove", '" autofocus onfocus="alert(98)" x="')
    _approved("es", "Modules", "<script>alert(99)</script>")
    db.session.add(TranslationVersion(locale="es", version=uuid.uuid4().hex))
    db.session.commit()

    submission_id = db.session.scalar(select(Submission.id).where(Submission.log_id == reviewed.id))
    module_slugs = [m.slug for m in editing.active_modules(course)]
    query = quote(" ".join(PAYLOADS[:20]))
    a = f"/courses/hostile/a/{assignment.slug}"
    return {
        None: [
            "/", f"/?q={query}", "/courses/hostile", "/courses/hostile/history",
            *(f"/courses/hostile/m/{slug}" for slug in module_slugs),
            f"/courses/hostile/m/{module_slugs[0]}/history", a, "/courses/hostile-fork",
            f"/users/{quote(mallory.username, safe='')}", "/courses/hostile/network",
        ],
        "es": ["/", "/courses/hostile"],
        admin.username: [
            f"{a}/submissions", f"{a}/submissions/{submission_id}",
            f"{a}/gradebook", f"{a}/gradebook/{reviewed.id}", f"{a}/flags",
            f"/proposals/{proposal.id}", "/courses/hostile/proposals",
            "/courses/hostile/maintainers",
            f"/translate/es/m/{message_key('Search courses')}", f"/translate/es?q={query}",
        ],
        log_author.username: ["/dashboard", f"{a}/log", f"{a}/feedback", "/notifications"],
    }  # fmt: skip


def _log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"could not log in as {username}"


def _watch(page: Any, problems: list[tuple[str, str]], current: list[str]) -> None:
    """Record any dialog, script error or CSP violation, with the page it happened on."""

    def dialog(opened: Any) -> None:
        problems.append((current[0], f"dialog {opened.message}"))
        opened.dismiss()

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            problems.append((current[0], f"console {message.text}"))

    page.on("dialog", dialog)
    page.on("pageerror", lambda error: problems.append((current[0], f"error {error}")))
    page.on("console", console)


def _visit(
    browser: Any, base_url: str, pages: dict[Any, list[str]], bypass_csp: bool
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for who, paths in pages.items():
        locale = "es" if who == "es" else "en"
        context = browser.new_context(
            bypass_csp=bypass_csp, locale=locale, extra_http_headers={"Accept-Language": locale}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        current = [""]
        _watch(page, problems, current)
        if who not in (None, "es"):
            _log_in(page, base_url, who)
        for path in paths:
            current[0] = path
            response = page.goto(base_url + path)
            assert response is not None and response.status == 200, (who, path)
            page.wait_for_timeout(150)  # let any animation or focus event fire
            problems += [(path, found) for found in page.evaluate(INSPECT)]
            # The payloads are there (as text, or as an attribute's value such as a
            # search box's), or the page tested nothing.
            assert re.search(r"alert\(\d+\)", page.content()), f"{path}: no hostile text"
        context.close()
    return problems


def test_the_corpus_runs_nowhere_and_becomes_no_markup(chromium, server, hostile_site):
    assert len(PAYLOADS) >= 80
    assert _visit(chromium, server, hostile_site, bypass_csp=False) == []
    assert _visit(chromium, server, hostile_site, bypass_csp=True) == []


def test_the_inspection_would_notice(chromium, server):
    """The checks above can fail: a page that does let a payload through is caught."""
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(
        '<p>ok</p><img src=x onerror="alert(1)"><a href=" java\tscript:alert(2)">x</a>'
    )
    page.wait_for_timeout(300)
    found = page.evaluate(INSPECT)
    context.close()
    assert dialogs == ["1"]
    assert any("onerror" in item for item in found)
    assert any(item.startswith("A href=") for item in found)  # the tab does not hide it


def test_the_corpus_is_read_whole():
    assert "<script>alert(1)</script>" in PAYLOADS
    assert len(PAYLOADS) == len(set(PAYLOADS))
