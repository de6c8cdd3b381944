"""A facilitator starts a circle in Spanish, prints its invitation, three learners join by
the link, and each sees the circle's own deadline (not another circle's, not the course's),
in a real browser with JavaScript turned off."""

from __future__ import annotations

import gettext
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from peerlearn.circles.services import CircleDetails, join_circle, start_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.conftest import PASSWORD
from tests.settings import ROOT

pytestmark = pytest.mark.browser

ES = gettext.translation("messages", ROOT / "translations", ["es"]).gettext
LEARNERS = ("amaru", "wayra", "killa")
ZONE = "America/La_Paz"
ASSIGNMENT = "/courses/biogas/a/gas-test"


def _log_in(page, server, username):
    page.goto(server + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name=ES("Log out")).click()


def _shown(day: date) -> str:
    """A deadline's day as the Spanish pages write it (23:59 in La Paz, read in La Paz)."""
    return format_date(day, "medium", locale="es")


def test_a_spanish_circle_invites_three_learners_who_each_see_its_own_deadline(
    server, page_without_js, create_user, create_course, create_assignment
):
    course = create_course("biogas", title="Biodigestor tubular", language="es")
    create_assignment(
        course, slug="gas-test", title="Prueba de gas",
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
    join_circle(create_user("sisa", locale="es", timezone=ZONE), later)
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
