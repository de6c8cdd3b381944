"""Every field that shows user or translator text, filled with the hostile-text corpus
(tests/data/hostile/xss.txt), opened in Chromium: nothing runs, nothing becomes markup.

The fields, found by reading the templates and forms: course title, summary, tags and
authors; module titles and Markdown bodies (in block and inline context) and edit
summaries, with the corpus also inside each construct lesson Markdown adds (callout titles
and bodies, collapsed solutions, fenced-div callouts, footnotes, task lists, inline and
display math); assignment title; build log title, summary and entries, photo captions (the
photos' alt text), measurement names and units (in the table and in the SVG charts); review
comments (per criterion and overall) and the report (flag) reason; regrade requests' reasons
and answers, and the grade override an answer gives; proposal title, description and
comments (and the notice of a proposal, on the maintainer's notifications); a fork's
title; a learning circle's name and meeting place and a facilitator's message; module
titles and edit summaries on a person's contributions page; badge names (made of course
titles) on the badge page and the profile; discussion thread titles, posts and report
reasons (the moderation queue); usernames (the form allows only a-z, digits, '.', '_'
and '-', but a name from elsewhere — the command line, an old account — must not
matter); translation suggestions and approved translations; and search queries echoed
back.

Each page is checked twice: with the Content-Security-Policy enforced (no violation may
be reported, so the escaping and the sanitizer alone kept the page clean) and with it
bypassed (no dialog may open, so nothing would run even without the policy). Payloads are
batched: one field holds the whole corpus wherever it can, so the test stays quick.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from peerlearn.assignments import buildlogs
from peerlearn.assignments.measurements import (
    MAX_NAME_LENGTH,
    MAX_UNIT_LENGTH,
    normalize_name,
    parse_measurement,
)
from peerlearn.assignments.models import BuildLog, BuildLogEntry, Submission
from peerlearn.authoring import editing, forking, proposals
from peerlearn.catalog.models import Enrolment
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
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
from peerlearn.discussions import services as discussions
from peerlearn.discussions.models import ReportKind, TargetKind
from peerlearn.extensions import db
from peerlearn.facilitation.messages import post_message
from peerlearn.recognition import awarding
from peerlearn.review.flags import flags
from peerlearn.review.grading import regrades
from peerlearn.review.grading.overrides import MAX_REASON
from peerlearn.review.models import Review
from tests.fixtures.app import PASSWORD
from tests.fixtures.world import png_bytes

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
#: Photo captions are at most 300 characters, and an entry holds at most six photos.
CAPTION_LENGTH = 300


def _packed(limit: int) -> list[str]:
    """The payloads that fit in ``limit`` characters, packed a few to a string: for fields
    too short for the whole corpus (a caption, a reason, a measurement name)."""
    packed: list[str] = []
    for payload in PAYLOADS:
        if len(payload) > limit:
            continue
        if packed and len(packed[-1]) + 1 + len(payload) <= limit:
            packed[-1] += " " + payload
        else:
            packed.append(payload)
    return packed


def _in_constructs(payloads: list[str]) -> str:
    """Each payload inside each construct lesson Markdown adds to CommonMark: a callout's
    title and body (MkDocs admonition, collapsed solution, fenced div), a footnote, a task
    list item, inline math as TeX and as text, display math."""
    blocks: list[str] = []
    for number, payload in enumerate(payloads, start=1):
        blocks += [
            f'!!! note "{payload}"\n    {payload}',
            f'??? solution "{payload}"\n    {payload}',
            f"::: callout {payload}\n{payload}\n:::",
            f"Footnote[^{number}]\n\n[^{number}]: {payload}",
            f"- [ ] {payload}\n- [x] {payload}",
            f"${payload}$ and $\\text{{{payload}}}$",
            f"$$\n\\text{{{payload}}}\n$$",
        ]
    return "\n\n".join(blocks)


#: The corpus in lesson Markdown's own constructs (the module body that carries it).
CONSTRUCTS = _in_constructs(PAYLOADS)
#: Measurement names (payloads packed into 60 characters; each must pass the form's
#: normalization) and units: two written to fit 20 characters, then the payloads short
#: enough. The corpus' ``<plaintext>`` comes last: shown as markup, it would turn the rest
#: of the page into text and hide what the units after it did.
MEASUREMENT_NAMES = [name for name in _packed(MAX_NAME_LENGTH) if normalize_name(name) == name]
UNITS = sorted(
    ["<svg onload=alert()>", "<img src=x onerror=>"]
    + [p for p in PAYLOADS if len(p) <= MAX_UNIT_LENGTH],
    key=lambda unit: unit == "<plaintext>",
)
#: The names measured twice, so that they become SVG charts (named in a ``<title>``).
CHARTED = MEASUREMENT_NAMES[:4] + [
    name for name in MEASUREMENT_NAMES[4:] if "title" in name or "svg" in name.lower()
]

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
  // MathML is lesson content now ($...$ and the sanitizer's MathML allowlist); what could
  // run inside it (script, style, handlers, javascript: links) is caught like anywhere else,
  // and the elements that only serve namespace-confusion tricks may not survive.
  const foreign = 'script, iframe, object, embed, frame, frameset, base, applet, ' +
                  'meta[http-equiv], link:not([rel=stylesheet]), style, svg script, ' +
                  'maction, mglyph, malignmark, math svg, math foreignObject';
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
        modules=[
            (PAYLOADS[0], BLOCKS + "\n\n" + CONSTRUCTS),
            ("<img src=x onerror=alert(91)>", INLINE),
        ],
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
        _photos_and_measurements(learner, log)
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
    db.session.commit()

    # The author reviews too (give to get), so their page shows the grade and the regrade
    # section; one request answered with a new grade (an override), one left open.
    login(log_author)
    asked = client.submit(base + "/reviews/next")
    assert asked.status_code == 302, asked.get_data(as_text=True)
    given = int(asked.headers["Location"].rsplit("/", 1)[1])
    sent = client.submit(
        f"/reviews/{given}",
        {"level-build": "0", "comment-build": INLINE, "overall": INLINE, "action": "submit"},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    client.submit("/logout")
    reasons = _packed(MAX_REASON)
    answered = regrades.request_regrade(log_author, reviewed, reasons[0])
    regrades.answer_regrade(admin, answered, reviewed, reasons[-1], Decimal(1), f"{base}/feedback")
    regrades.request_regrade(log_author, reviewed, reasons[1 % len(reasons)])

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
    # A badge named after the hostile course, earned by the hostile name, on a public
    # profile: the badge page, and the profile's badge list.
    badge = awarding.issue(mallory, awarding.course_badge(course))
    assert badge is not None
    mallory.activity_public = True
    # A discussion of the first module by the hostile name (an old account, so its links
    # are not limited): thread title, posts, and a report's reason in the moderation queue.
    mallory.created_at = utcnow() - timedelta(days=30)
    first_module = editing.active_modules(course)[0]
    thread = discussions.start_thread(
        mallory, TargetKind.MODULE, first_module.id, course.id, PAYLOADS[8][:200], BLOCKS
    )
    hostile_reply = discussions.reply(mallory, thread, INLINE)
    discussions.report(log_author, ReportKind.POST, hostile_reply.id, course.id, INLINE[:1000])
    # A learning circle with a hostile name and meeting place, started by the hostile name,
    # the log's author a member (their dashboard lists it).
    circle = start_circle(
        mallory, course,
        CircleDetails(
            name=PAYLOADS[8][:120], language="es", starts_on=utcnow().date(),
            meeting_place=INLINE[:300], meeting_weekday=2, meeting_time=time(18, 0),
            timezone="America/La_Paz",
        ),
    )  # fmt: skip
    join_circle(log_author, circle)
    post_message(mallory, circle, BLOCKS)  # the facilitator's message, on its page
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
            f"/users/{quote(mallory.username, safe='')}/contributions",
            f"/badges/{badge.public_id}",
            f"/courses/hostile/m/{module_slugs[0]}/discussions", f"/discussions/{thread.id}",
            f"/circles/{circle.id}", f"/circles/join/{circle.invite_code}",
        ],
        "es": ["/", "/courses/hostile", f"/circles/{circle.id}"],
        admin.username: [
            f"{a}/submissions", f"{a}/submissions/{submission_id}",
            f"{a}/gradebook", f"{a}/gradebook/{reviewed.id}", f"{a}/flags",
            f"{a}/calibration/results",
            f"/proposals/{proposal.id}", "/courses/hostile/proposals",
            "/courses/hostile/maintainers", f"/badges/{badge.public_id}",
            f"/translate/es/m/{message_key('Search courses')}", f"/translate/es?q={query}",
            "/notifications",
            "/moderation",
            f"/circles/{circle.id}", f"/circles/{circle.id}/edit",
            f"/circles/{circle.id}/schedule", f"/circles/{circle.id}/invite",
            f"/circles/{circle.id}/facilitate", f"/circles/{circle.id}/messages",
        ],
        log_author.username: ["/dashboard", f"{a}/log", f"{a}/feedback", "/notifications"],
    }  # fmt: skip


def _photos_and_measurements(learner: Any, log: BuildLog) -> None:
    """Captioned photos and measurements through the services the forms call (the caption is
    the photo's alt text), on two dates so that the repeated measurements become charts."""
    first = log.entries[0]
    second = buildlogs.add_entry(learner, log, date(2025, 3, 8), INLINE)
    entries = [first, second]
    for index, caption in enumerate(_packed(CAPTION_LENGTH)):
        while index // buildlogs.MAX_PHOTOS_PER_ENTRY >= len(entries):
            entries.append(buildlogs.add_entry(learner, log, date(2025, 4, len(entries)), INLINE))
        entry = entries[index // buildlogs.MAX_PHOTOS_PER_ENTRY]
        buildlogs.add_photo(learner, entry, png_bytes(), caption)
    for index, name in enumerate(MEASUREMENT_NAMES):
        unit = UNITS[index % len(UNITS)]
        buildlogs.add_measurement(learner, first, parse_measurement(name, "1.5", unit, "en"))
        if name in CHARTED:
            buildlogs.add_measurement(learner, second, parse_measurement(name, "2.5", unit, "en"))


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
        '<math><mi>x</mi></math><math><maction actiontype="statusline">y</maction></math>'
    )
    page.wait_for_timeout(300)
    found = page.evaluate(INSPECT)
    context.close()
    assert dialogs == ["1"]
    assert any("onerror" in item for item in found)
    assert any(item.startswith("A href=") for item in found)  # the tab does not hide it
    assert [item for item in found if "<m" in item] == [
        '<maction actiontype="statusline">y</maction>'
    ]


def test_the_corpus_is_read_whole():
    assert "<script>alert(1)</script>" in PAYLOADS
    assert len(PAYLOADS) == len(set(PAYLOADS))
