"""A facilitator starts a circle in Spanish, prints its invitation, three learners join by
the link, and each sees the circle's own deadline (not another circle's, not the course's),
submits a build log and reviews within the circle (not the log of a learner outside it),
and the facilitator's view shows their progress: issue 13's quality bar, in a real browser
with JavaScript turned off."""

from __future__ import annotations

import gettext
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD
from tests.fixtures.review import submit_log
from tests.settings import ROOT

pytestmark = pytest.mark.browser

SPANISH = gettext.translation("messages", ROOT / "translations", ["es"])
ES = SPANISH.gettext
LEARNERS = ("amaru", "wayra", "killa")
ZONE = "America/La_Paz"
ASSIGNMENT = "/courses/biogas/a/gas-test"
#: The build log of a learner of another circle of the course, waiting for reviews.
OUTSIDER_LOG = "Biodigestor de sisa, del otro círculo"


def _log_in(page, server, username):
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name=ES("Log out")).click()


def _submit_build_log(page, server, username):
    page.goto(server + ASSIGNMENT)
    page.get_by_role("button", name=ES("Start your build log")).click()
    page.get_by_label(ES("Title"), exact=True).fill(f"Biodigestor de {username}")
    page.get_by_role("button", name=ES("Save title and summary")).click()
    entry = page.locator("#new-entry")
    entry.get_by_label(ES("Date")).fill("2026-05-01")
    entry.get_by_label(ES("What you did")).fill("Cavamos la zanja y pusimos la manga.")
    entry.get_by_role("button", name=ES("Add entry")).click()
    page.get_by_role("button", name=ES("Submit your build log")).click()
    expect(page.locator("body")).to_contain_text(ES("Submitted version %(n)s.") % {"n": 1})


def _review_two(page, server, username):
    """Two reviews by ``username``: each of a circle member's log, never the outsider's."""
    points = SPANISH.ngettext("%(num)s point", "%(num)s points", 2) % {"num": 2}
    for _ in range(2):
        page.goto(server + ASSIGNMENT)
        page.get_by_role("button", name=ES("Review a build log")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ES("Review a build log"))
        log = page.locator("body")
        expect(log).to_contain_text("Biodigestor de")
        expect(log).not_to_contain_text(OUTSIDER_LOG)
        expect(log).not_to_contain_text(f"Biodigestor de {username}")
        page.get_by_label(points).first.check()
        page.get_by_label(ES("Overall comment for the author")).fill(
            "La zanja está bien documentada; agregue una foto de la manga."
        )
        page.get_by_role("button", name=ES("Submit review")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Prueba de gas")


def _shown(day: date) -> str:
    """A deadline's day as the Spanish pages write it (23:59 in La Paz, read in La Paz)."""
    return format_date(day, "medium", locale="es")


def test_a_spanish_circle_invites_three_learners_who_see_its_deadline_and_review_within_it(
    server, page_without_js, create_user, create_course, create_assignment
):
    course = create_course("biogas", title="Biodigestor tubular", language="es")
    assignment = create_assignment(
        course, slug="gas-test", title="Prueba de gas", must_review=2, must_be_reviewed=2,
        grading="median",
        submission_deadline="2026-02-01T12:00:00-04:00",  # the course's own date, long past
    )  # fmt: skip
    create_user("rosa", locale="es", timezone=ZONE)
    for username in LEARNERS:
        create_user(username, locale="es", timezone=ZONE)
    today = utcnow().date()
    # Another circle of the same course, a month later, with a learner of its own.
    later = start_circle(
        create_user("otra", timezone=ZONE), course,
        CircleDetails(name="Otro círculo", language="es", starts_on=today + timedelta(days=30),
                      timezone=ZONE),
    )  # fmt: skip
    sisa = create_user("sisa", locale="es", timezone=ZONE)
    join_circle(sisa, later)
    db.session.flush()
    # Her log waits longest for reviews: allocated course-wide, it would come first.
    submit_log(sisa, assignment, title=OUTSIDER_LOG)
    db.session.commit()
    page = page_without_js

    _log_in(page, server, "rosa")
    page.goto(server + "/courses/biogas")
    page.get_by_role("link", name=ES("Start a learning circle")).click()
    starts = today + timedelta(days=2)
    page.get_by_label(ES("Name of the circle")).fill("Círculo de Sorata")
    page.get_by_label(ES("Language the circle meets in")).select_option("es")
    page.get_by_label(ES("First day")).fill(starts.isoformat())
    page.get_by_label(ES("Where you meet")).fill("Biblioteca municipal")
    page.get_by_label(ES("Meeting day each week")).select_option(str(starts.weekday()))
    page.get_by_label(ES("Meeting time")).fill("18:00")
    page.get_by_label(ES("Time zone of the meetings and deadlines")).select_option(ZONE)
    page.get_by_label(ES("Seats")).fill("5")
    page.get_by_label(ES("Only people with the invitation link")).check()
    page.get_by_role("button", name=ES("Start the circle")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Círculo de Sorata")
    page.get_by_role("link", name=ES("Invitation and QR code")).click()
    expect(page.locator("svg.qr")).to_be_visible()
    link = page.locator("figcaption code").inner_text()
    _log_out(page)

    due = _shown(starts + timedelta(days=7))
    for username in LEARNERS:
        _log_in(page, server, username)
        page.goto(link)
        page.get_by_role("button", name=ES("Join this circle")).click()
        expect(page.locator("body")).to_contain_text(
            ES("You are in this circle: its dates are your deadlines.")
        )
        page.goto(server + ASSIGNMENT)
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text(due)
        expect(facts).to_contain_text(ES("(your circle's date)"))
        _log_out(page)

    _log_in(page, server, "sisa")
    page.goto(server + ASSIGNMENT)
    other = _shown(today + timedelta(days=37))
    expect(page.locator("dl.facts")).to_contain_text(other)
    expect(page.locator("dl.facts")).not_to_contain_text(due)
    _log_out(page)

    _log_in(page, server, "rosa")
    page.goto(server + "/courses/biogas")
    page.get_by_role("link", name="Círculo de Sorata").click()
    members = page.locator("ul").filter(has_text="amaru")
    for username in LEARNERS:
        expect(members).to_contain_text(username)

    circle_url = page.url

    # Review stays inside the circle once its three learners have submitted.
    page.get_by_role("link", name=ES("Peer review settings")).click()
    pool = ES("Review inside the circle once this many members have submitted")
    page.get_by_label(pool).fill("3")
    page.get_by_role("button", name=ES("Save")).click()
    expect(page.locator("body")).to_contain_text(ES("The circle's review settings are saved."))
    _log_out(page)

    for username in LEARNERS:
        _log_in(page, server, username)
        _submit_build_log(page, server, username)
        _log_out(page)

    for username in LEARNERS:
        _log_in(page, server, username)
        _review_two(page, server, username)
        _log_out(page)

    _log_in(page, server, "rosa")
    page.goto(circle_url)
    page.get_by_role("link", name=ES("Before the meeting")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Círculo de Sorata")
    rows = page.locator("table.roster tbody tr")
    expect(rows).to_have_count(3)
    graded = SPANISH.pgettext("build log", "Graded")
    for username in LEARNERS:
        cells = rows.filter(has_text=username).locator("td")
        expect(cells.nth(0)).to_have_text(username)
        expect(cells.nth(2)).to_have_text(graded)
        expect(cells.nth(3)).to_have_text("2/2")  # reviews given
        expect(cells.nth(4)).to_have_text("2/2")  # reviews received
    expect(page.locator("table.roster")).not_to_contain_text("sisa")
