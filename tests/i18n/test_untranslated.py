"""Every page, rendered in each interface language, shows no English interface text and
says its language in ``<html lang>``."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from babel.messages.pofile import read_po

from tests.fixtures.app import ASSIGNMENT_YAML
from tests.settings import ROOT

#: Every interface language but the English source.
TRANSLATED = ["es", "fr", "rw", "sw", "qu"]


def english_phrases(locale: str = "es") -> set[str]:
    """Interface messages whose translation differs from the English, without placeholders."""
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    phrases = set()
    translated: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated.extend(strings)
        if isinstance(message.id, tuple) or "%(" in message.id:
            continue
        if message.string != message.id and len(message.id) > 3:
            phrases.add(message.id)
    # A short English message that is also a word of the translation ("Note" and "Comment"
    # in French) is no sign of a leak.
    words = "\n".join(translated)
    return {p for p in phrases if not re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", words)}


def leaks_in(page: str, phrases: set[str], locale: str) -> list[str]:
    """English phrases left in the page, and a wrong ``<html lang>`` if it is."""
    found = [] if f'<html lang="{locale}"' in page else [f"<html lang> is not {locale}"]
    text = visible_text(page)
    return found + sorted(
        p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)
    )


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # Language names in the switcher are each written in their own language.
    page = re.sub(r'<option [^>]*lang="[^"]*"[^>]*>[^<]*</option>', " ", page)
    page = re.sub(r'\b(?:href|src|action|value|name|id|for|class|rel)="[^"]*"', " ", page)
    return html_lib.unescape(page)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_foundation_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, locale
):
    create_course("biogas", title="Biogas", modules=[("Uno", "Texto."), ("Dos", "Más.")])
    user = create_user("amina", locale=locale)
    anonymous_pages = [
        "/",
        "/?q=zzz",
        "/login",
        "/register",
        "/courses/biogas",
        "/users/amina",
        "/nope",
    ]
    found: dict[str, list[str]] = {}
    phrases = english_phrases(locale)

    def check(path: str) -> None:
        response = client.get(path, headers={"Accept-Language": locale})
        leaks = leaks_in(response.get_data(as_text=True), phrases, locale)
        if leaks:
            found[path] = leaks

    for path in anonymous_pages:
        check(path)
    login(user)
    client.submit("/courses/biogas/enrol")
    for path in ["/dashboard", "/settings", "/courses/biogas", "/courses/biogas/m/module-1"]:
        check(path)
    client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    check("/courses/biogas/m/module-1")
    check("/dashboard")
    assert found == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_authoring_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, locale
):
    from peerlearn.authoring.forking import fork_course
    from peerlearn.authoring.proposals import create_proposal, proposable_modules
    from peerlearn.content.models import Module
    from peerlearn.content.revisions import add_revision
    from peerlearn.extensions import db

    owner = create_user("amina", locale=locale)
    original = create_course(
        "biogas", title="Biogas", modules=[("Uno", "Texto.\n")], maintainer=owner
    )
    fork = fork_course(owner, original, slug="biogas-rw", title="Biogas RW", licence="CC-BY-SA-4.0")
    module = db.session.scalar(db.select(Module).where(Module.course_id == fork.id))
    add_revision(
        module, "Texto nuevo.\n", author=owner, kind="edit", parent=module.current, title="Uno"
    )
    upstream = db.session.scalar(db.select(Module).where(Module.course_id == original.id))
    first = upstream.current
    add_revision(upstream, "Texto.\n\nMás.\n", author=owner, kind="edit", parent=first, title="Uno")
    create_proposal(owner, fork, [m.id for m in proposable_modules(fork)], "Mejoras", "")
    db.session.commit()
    phrases = english_phrases(locale)
    login(owner)
    pages = [
        "/courses/new", "/courses/biogas/settings", "/courses/biogas/maintainers",
        "/courses/biogas/history", "/courses/biogas/modules", "/courses/biogas/modules/new",
        "/courses/biogas/m/module-1/edit", "/courses/biogas/m/module-1/history",
        f"/courses/biogas/m/module-1/diff?from={first.id}&to={upstream.current_revision_id}",
        "/courses/biogas/m/module-1/remove", "/courses/biogas/fork", "/courses/biogas/network",
        "/courses/biogas-rw", "/courses/biogas-rw/sync", "/courses/biogas-rw/propose",
        "/courses/biogas/proposals", "/proposals/1",
    ]  # fmt: skip
    assert pages_leaking(client, pages, phrases, locale) == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_assignment_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, create_assignment, locale
):
    owner = create_user("amina", locale=locale)
    course = create_course(
        "biogas", title="Biogas", modules=[("Uno", "Texto.\n")], maintainer=owner
    )
    create_assignment(course, slug="gas-test", submission_deadline="2030-03-01T18:00:00-04:00")
    # The test assignment's own rubric is English content, not interface text.
    phrases = {p for p in english_phrases(locale) if p not in ASSIGNMENT_YAML}
    login(owner)
    client.submit("/courses/biogas/enrol")
    client.submit("/courses/biogas/a/gas-test/log/start")
    client.submit(
        "/courses/biogas/a/gas-test/log/entries", {"entry_date": "2026-05-01", "text": "Cavamos."}
    )
    pages = [
        "/courses/biogas/a/gas-test", "/courses/biogas/a/gas-test/log",
        "/courses/biogas/a/gas-test/submissions", "/courses/biogas/assignments",
        "/courses/biogas/assignments/new", "/courses/biogas/assignments/gas-test/edit",
        "/courses/biogas/assignments/gas-test/history", "/courses/biogas/m/module-1",
    ]  # fmt: skip
    assert pages_leaking(client, pages, phrases, locale) == {}


def pages_leaking(client, pages: list[str], phrases: set[str], locale: str) -> dict[str, list[str]]:
    found = {}
    for path in pages:
        response = client.get(path, headers={"Accept-Language": locale})
        assert response.status_code == 200, path
        leaks = leaks_in(response.get_data(as_text=True), phrases, locale)
        if leaks:
            found[path] = leaks
    return found


@pytest.mark.parametrize("locale", TRANSLATED)
def test_peer_review_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, create_assignment, locale
):
    from peerlearn.catalog.models import Enrolment
    from peerlearn.extensions import db
    from peerlearn.review.models import Review
    from tests.fixtures.review import submit_log

    owner = create_user("amina", locale=locale)
    course = create_course(
        "biogas", title="Biogas", modules=[("Uno", "Texto.\n")], maintainer=owner
    )
    assignment = create_assignment(
        course, slug="gas-test", must_review=1, must_be_reviewed=1, self_assessment=True,
        calibration_examples=1,
    )  # fmt: skip
    learners = [create_user(name, locale=locale) for name in ("keza", "amaru")]
    for learner in learners:
        db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
        db.session.flush()
        submit_log(learner, assignment, title="Bitácora")
    db.session.commit()
    base = "/courses/biogas/a/gas-test"
    complete = {"level-build": "2", "overall": "Buen trabajo, fotos claras.", "action": "submit"}
    phrases = {p for p in english_phrases(locale) if p not in ASSIGNMENT_YAML}
    found: dict[str, list[str]] = {}

    def location(response) -> str:
        return response.headers["Location"].split("http://localhost")[-1]

    # The maintainer makes the second learner's log a calibration example.
    login(owner)
    example_log = submit_log(learners[1], assignment, title="Bitácora")
    reference = location(client.submit(base + "/calibration", {"log_id": str(example_log.id)}))
    client.submit(reference, complete)
    client.submit("/logout")
    # Each learner reviews the other; the first practises, rates, reports and asks for a regrade.
    for learner in learners:
        login(learner)
        review_path = location(client.submit(base + "/reviews/next"))
        found.update(pages_leaking(client, [review_path, base], phrases, locale))
        client.submit(review_path, complete)
        client.submit("/logout")
    first = learners[0]
    login(first)
    example_id = db.session.scalar(db.select(Review.id).where(Review.kind == "reference"))
    practice = location(client.submit(f"{base}/practice/1"))
    client.submit(practice, complete)
    self_review = location(client.submit(base + "/self-assessment"))
    found.update(pages_leaking(client, [self_review], phrases, locale))
    client.submit(self_review, complete)
    received = db.session.scalar(
        db.select(Review.id).where(Review.kind == "peer", Review.reviewer_id == learners[1].id)
    )
    client.submit(f"/reviews/{received}/helpfulness", {"rating": "4", "comment": "Útil."})
    client.submit(f"/reviews/{received}/flag", {"reason": "Grosero."})
    pages = [
        base, base + "/feedback", base + "/my-reviews", base + "/practice",
        f"{practice}/calibration", base + "/regrade", "/notifications",
    ]  # fmt: skip
    found.update(pages_leaking(client, pages, phrases, locale))
    client.submit(base + "/regrade", {"reason": "Por favor revise el criterio."})
    client.submit("/logout")
    assert example_id is not None
    login(owner)
    log_id = db.session.scalar(db.select(Review.log_id).where(Review.id == received))
    pages = [
        base + "/gradebook", f"{base}/gradebook/{log_id}", base + "/standings", base + "/waiting",
        base + "/flags", base + "/calibration", base + "/submissions",
    ]  # fmt: skip
    found.update(pages_leaking(client, pages, phrases, locale))
    assert found == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_learning_circle_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, create_assignment, locale
):
    from datetime import time

    from peerlearn.circles.services import CircleDetails, join_circle, start_circle
    from peerlearn.db import utcnow
    from peerlearn.extensions import db

    facilitator = create_user("amina", locale=locale)
    course = create_course("biogas", title="Biogas", modules=[("Uno", "Texto.\n")])
    create_assignment(course, slug="gas-test")
    phrases = {p for p in english_phrases(locale) if p not in ASSIGNMENT_YAML}
    circle = start_circle(
        facilitator, course,
        CircleDetails(
            name="Sorata", language=locale, starts_on=utcnow().date(), meeting_place="Sala",
            meeting_weekday=1, meeting_time=time(18, 0), timezone="America/La_Paz",
        ),
    )  # fmt: skip
    join_circle(create_user("bruno", locale=locale), circle)
    db.session.commit()
    login(facilitator)
    base = f"/circles/{circle.id}"
    pages = [
        base, f"{base}/invite", f"{base}/schedule", f"{base}/edit", "/courses/biogas",
        "/courses/biogas/circles/new", "/dashboard", f"/circles/join/{circle.invite_code}",
        "/courses/biogas/a/gas-test",
    ]  # fmt: skip
    assert pages_leaking(client, pages, phrases, locale) == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_facilitator_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, create_assignment, locale
):
    """The view before the meeting (with a stuck learner and a submitted log), the circle's
    messages, and the circle's gradebook, waiting list and reports, as its facilitator."""
    from datetime import timedelta

    from peerlearn.circles.services import CircleDetails, join_circle, start_circle
    from peerlearn.db import utcnow
    from peerlearn.extensions import db
    from peerlearn.facilitation.messages import post_message
    from tests.fixtures.review import submit_log

    facilitator = create_user("amina", locale=locale)
    course = create_course("biogas", title="Biogas", modules=[("Uno", "Texto.\n")])
    assignment = create_assignment(course, slug="gas-test", calibration_examples=1)
    phrases = {p for p in english_phrases(locale) if p not in ASSIGNMENT_YAML}
    circle = start_circle(
        facilitator,
        course,
        CircleDetails(name="Sorata", language=locale, starts_on=utcnow().date()),
    )
    for name in ("bruno", "chen"):
        member = join_circle(create_user(name, locale=locale), circle)
        member.joined_at = utcnow() - timedelta(days=30)
    submit_log(member.user, assignment)
    post_message(facilitator, circle, "Hola.")
    db.session.commit()
    login(facilitator)
    base, a = f"/circles/{circle.id}", "/courses/biogas/a/gas-test"
    pages = [
        f"{base}/facilitate", f"{base}/facilitate?show=stuck&days=1", f"{base}/messages",
        f"{a}/gradebook", f"{a}/waiting", f"{a}/flags",
    ]  # fmt: skip
    assert pages_leaking(client, pages, phrases, locale) == {}
