"""Every key page a learner opens, rendered with the sample courses, and what each weighs.

Shared by ``tests/pages/test_budget.py`` (which asserts the budget) and
``bench/page_weight.py`` (which prints the table for docs/performance.md), so both measure
the same pages with the same data:

* the three courses in ``courses/`` and a class of four learners enrolled in all three,
  each with a submitted build log of three dated entries with measurements for the gas
  production test of the tubular biogas digester course;
* the three classmates each reviewed every other log (so the main learner, amina, has
  received three complete reviews and has notices), and amina asked for a log to review
  (so her review form is the one a learner fills in);
* amina facilitates a learning circle of the course that her classmates joined.

The budget (issue 6): HTML + CSS of a page at most 30 KB, and at most 10 KB once gzipped,
photos excluded. The stylesheet is counted with every page, as on a first visit.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from peerlearn.accounts.models import User
from peerlearn.accounts.services import register_user
from peerlearn.assignments import buildlogs
from peerlearn.assignments.measurements import Measurement
from peerlearn.assignments.models import Assignment
from peerlearn.catalog import services as catalog
from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.content.models import Course, Module, ModuleContent, ModuleRevision
from peerlearn.db import utcnow
from peerlearn.edge import GZIP_LEVEL
from peerlearn.extensions import db
from peerlearn.recognition import awarding
from peerlearn.review.allocation import queue
from peerlearn.review.reviewing import reviewing
from peerlearn.review.reviewing.reviewing import ScoreInput

RAW_BUDGET = 30 * 1024
GZIP_BUDGET = 10 * 1024
PASSWORD = "lentils-and-tortillas"
NAMES = ("amina", "bruno", "chen", "dolores")
COURSE = "tubular-biogas-digester"
ASSIGNMENT = "gas-production-test"
#: Every interface language: the budget holds for long Quechua and Kinyarwanda words too.
LANGUAGES = ("en", "es", "fr", "rw", "sw", "qu")
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

ENTRIES = (
    (
        date(2026, 3, 2),
        "Filled the bag for the first time: **400 kg** of fresh cow dung mixed with "
        "1,200 litres of water, plus two buckets of slurry from Don Mario's digester as "
        "seed. Closed the outlet with a plug and checked the safety valve bottle.\n\n"
        "- water level in the valve bottle at the 10 cm mark\n"
        "- bag fully under the greenhouse roof",
        (("Manure", "400", "kg"), ("Water", "1200", "L")),
    ),
    (
        date(2026, 3, 16),
        "The bag has been round for three days. Let the first gas out **outdoors**, far "
        "from the kitchen, three times, then tested it on the burner: it burned blue on "
        "the second try. Feeding 20 kg of dung and 60 litres of water every morning.",
        (("Manure", "20", "kg/day"), ("Water", "60", "L/day")),
    ),
    (
        date(2026, 3, 30),
        "Timed the burner on a full bag on three days: 2 h 10 min, 2 h 25 min and "
        "2 h 15 min. That is about 0.8 m³ of gas a day, a little under the 1 m³ I sized "
        "for in module 2. I think the nights are too cold; I will add a second plastic "
        "sheet to the greenhouse.",
        (("Burner time", "2.25", "h"), ("Gas production", "0.8", "m³/day")),
    ),
)

COMMENTS = {
    "build-quality": "The trench floor slopes well and the bag has no folds. Add a fence: "
    "the goats could reach the inlet.",
    "measurements": "Every feeding is recorded in kg and litres, and the burner was timed "
    "on three days. Show the gas estimate step by step.",
    "safety": "Good: the first gas was released outdoors and the valve bottle was checked.",
    "documentation": "Dated entries in order and a clear closing paragraph.",
}
OVERALL = (
    "A careful build and an honest comparison with your sizing. The one thing I would "
    "change: insulate the bag at night, as you suggest, and measure again after a week."
)


@dataclass(frozen=True)
class Page:
    """A rendered key page: its name, URL and bytes (HTML and the stylesheet it links)."""

    name: str
    url: str
    html: bytes
    css: bytes

    @property
    def raw(self) -> int:
        return len(self.html) + len(self.css)

    @property
    def html_gzip(self) -> int:
        return gzipped_size(self.html)

    @property
    def css_gzip(self) -> int:
        return gzipped_size(self.css)

    @property
    def gzip(self) -> int:
        return self.html_gzip + self.css_gzip

    @property
    def within_budget(self) -> bool:
        return self.raw <= RAW_BUDGET and self.gzip <= GZIP_BUDGET


@dataclass(frozen=True)
class Scene:
    """The URLs that depend on the data made by :func:`build_class`."""

    module_url: str
    review_url: str = ""
    #: amina's badge for the digester course (issued directly: the page is what is weighed).
    badge_url: str = ""
    #: The learning circle amina facilitates, her classmates its members.
    circle_url: str = ""


def gzipped_size(data: bytes) -> int:
    """Bytes after gzip at the app's level: what it sends to a browser that accepts gzip."""
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _write_log(user: User, assignment: Assignment) -> None:
    log = buildlogs.start_log(user, assignment)
    buildlogs.save_log(
        user,
        log,
        f"A 6 m³ tube digester behind {user.username}'s kitchen",
        "Built with my family over two weekends, fed with cow dung every morning.",
    )
    for day, text, readings in ENTRIES:
        entry = buildlogs.add_entry(user, log, day, text)
        for name, value, unit in readings:
            buildlogs.add_measurement(user, entry, Measurement(name, Decimal(value), unit))
    db.session.expire(log)
    assert buildlogs.submit(user, log) is not None


def _review_everyone(reviewer: User, assignment: Assignment, count: int) -> None:
    for _ in range(count):
        review = queue.request_review(reviewer, assignment)
        scores = {criterion: ScoreInput(1, comment) for criterion, comment in COMMENTS.items()}
        reviewing.submit_review(reviewer, review, scores, OVERALL)
        db.session.flush()


def longest_module() -> Module:
    """The module of the sample courses with the longest current text."""
    module = db.session.scalar(
        select(Module)
        .join(ModuleRevision, ModuleRevision.id == Module.current_revision_id)
        .join(ModuleContent, ModuleContent.id == ModuleRevision.content_id)
        .where(Module.removed_at.is_(None))
        .order_by(func.length(ModuleContent.body).desc(), Module.id)
        .limit(1)
    )
    assert module is not None
    return module


def build_class() -> Scene:
    """The class described in the module docstring; the sample courses must be imported.

    Runs in a request context (the notices hold URLs) and commits.
    """
    course = catalog.course_by_slug(COURSE)
    assert course is not None, "import the sample courses first"
    assignment = buildlogs.assignment_by_slug(course, ASSIGNMENT)
    assert assignment is not None
    learners = [register_user(name, f"{name}@example.org", PASSWORD, "en") for name in NAMES]
    for learner in learners:
        for one in db.session.scalars(select(Course).order_by(Course.id)):
            catalog.enrol(learner, one)
        db.session.flush()
        _write_log(learner, assignment)
    for classmate in learners[1:]:
        _review_everyone(classmate, assignment, len(learners) - 1)
    module = longest_module()
    assertion = awarding.issue(learners[0], awarding.course_badge(course))
    assert assertion is not None
    circle = start_circle(
        learners[0], course,
        CircleDetails(
            name="Círculo de biogás de Sorata", language="es", starts_on=utcnow().date(),
            meeting_place="Biblioteca municipal, segundo piso", meeting_weekday=1,
            meeting_time=time(18, 0), timezone="America/La_Paz",
        ),
    )  # fmt: skip
    for classmate in learners[1:]:
        join_circle(classmate, circle)
    scene = Scene(
        f"/courses/{module.course.slug}/m/{module.slug}",
        badge_url=f"/badges/{assertion.public_id}",
        circle_url=f"/circles/{circle.id}",
    )
    db.session.commit()
    return scene


def ask_for_review(client: FlaskClient, scene: Scene) -> Scene:
    """Sign amina in on ``client`` and ask for a log to review, as she would (a POST)."""
    login(client, NAMES[0])
    response = post(client, f"/courses/{COURSE}/a/{ASSIGNMENT}/reviews/next")
    assert response.status_code == 302, response.status_code
    return Scene(scene.module_url, response.headers["Location"], scene.badge_url, scene.circle_url)


def login(client: FlaskClient, username: str) -> None:
    response = post(client, "/login", {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def post(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> Any:
    """POST a form with the CSRF token of the client's session, as a browser does."""
    token = _CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    return client.post(url, data={"csrf_token": token.group(1), **(data or {})})


def key_urls(scene: Scene) -> list[tuple[str, str]]:
    """(name, URL) of every key page; those in SIGNED_OUT are fetched without a session."""
    base = f"/courses/{COURSE}/a/{ASSIGNMENT}"
    return [
        ("home", "/"),
        ("catalog search", "/?q=solar"),
        ("course", f"/courses/{COURSE}"),
        ("module (longest)", scene.module_url),
        ("assignment", base),
        ("build log editor", base + "/log"),
        ("submitted version", base + "/log/versions/1"),
        ("review form", scene.review_url),
        ("reviews received", base + "/feedback"),
        ("notifications", "/notifications"),
        ("notification settings", "/settings/notifications"),
        ("dashboard", "/dashboard"),
        ("settings", "/settings"),
        ("badge", scene.badge_url),
        ("profile with badges", f"/users/{NAMES[0]}"),
        ("contributions", f"/users/{NAMES[0]}/contributions"),
        ("circle", scene.circle_url),
        ("circle invitation (printable)", scene.circle_url + "/invite"),
        ("circle dates", scene.circle_url + "/schedule"),
        ("start a circle", f"/courses/{COURSE}/circles/new"),
        ("login", "/login"),
        ("register", "/register"),
    ]


SIGNED_OUT = ("/login", "/register")


def render_pages(
    client: FlaskClient, anonymous: FlaskClient, scene: Scene, language: str
) -> list[Page]:
    """Every key page in ``language``: amina's pages on ``client`` (her language saved in
    her settings, as she would), the signed-out ones on ``anonymous`` (Accept-Language)."""
    response = post(client, "/settings", {"language": language, "timezone": "UTC"})
    assert response.status_code == 302, response.status_code
    client.get("/settings")  # shows the "saved" message, so no measured page has it
    headers = {"Accept-Language": language}
    pages = []
    for name, url in key_urls(scene):
        who = anonymous if url in SIGNED_OUT else client
        response = who.get(url, headers=headers)
        assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
        html = response.get_data()
        pages.append(Page(f"{name} [{language}]", url, html, stylesheet(who, html)))
    return pages


def stylesheet(client: FlaskClient, html: bytes) -> bytes:
    links = STYLESHEET.findall(html.decode())
    assert len(links) == 1, f"expected one stylesheet, found {links}"
    response = client.get(links[0])
    assert response.status_code == 200
    return response.get_data()


def table(pages: Iterable[Page]) -> str:
    """The Markdown table for docs/performance.md."""
    rows = [
        "| page | HTML | HTML gzip | CSS | CSS gzip | total | total gzip | within budget |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for page in pages:
        rows.append(
            f"| {page.name} | {len(page.html):,} | {page.html_gzip:,} | {len(page.css):,} | "
            f"{page.css_gzip:,} | {page.raw:,} | {page.gzip:,} | "
            f"{'yes' if page.within_budget else 'no'} |"
        )
    return "\n".join(rows)
