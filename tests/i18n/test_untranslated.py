"""Every page of the foundation, rendered in Spanish, shows no English interface text."""

from __future__ import annotations

import html as html_lib
import re

from babel.messages.pofile import read_po

from tests.conftest import ASSIGNMENT_YAML
from tests.settings import ROOT


def english_phrases() -> set[str]:
    """Interface messages whose Spanish differs from the English, without placeholders."""
    with (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    phrases = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "%(" in message.id:
            continue
        if message.string != message.id and len(message.id) > 3:
            phrases.add(message.id)
    return phrases


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'\b(?:href|src|action|value|name|id|for|class|rel)="[^"]*"', " ", page)
    return html_lib.unescape(page)


def test_foundation_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course
):
    create_course("biogas", title="Biogas", modules=[("Uno", "Texto."), ("Dos", "Más.")])
    user = create_user("amina", locale="es")
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
    phrases = english_phrases()

    def check(path: str) -> None:
        response = client.get(path, headers={"Accept-Language": "es"})
        text = visible_text(response.get_data(as_text=True))
        leaks = sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))
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


def test_authoring_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course
):
    from peerlearn.authoring.forking import fork_course
    from peerlearn.authoring.models import Module
    from peerlearn.authoring.proposals import create_proposal, proposable_modules
    from peerlearn.authoring.revisions import add_revision
    from peerlearn.extensions import db

    owner = create_user("amina", locale="es")
    original = create_course(
        "biogas", title="Biogas", modules=[("Uno", "Texto.\n")], maintainer=owner
    )
    fork = fork_course(owner, original, slug="biogas-rw", title="Biogas RW", licence="CC-BY-SA-4.0")
    module = db.session.scalar(db.select(Module).where(Module.course_id == fork.id))
    add_revision(module, "Uno", "Texto nuevo.\n", author=owner, kind="edit", parent=module.current)
    upstream = db.session.scalar(db.select(Module).where(Module.course_id == original.id))
    first = upstream.current
    add_revision(upstream, "Uno", "Texto.\n\nMás.\n", author=owner, kind="edit", parent=first)
    create_proposal(owner, fork, [m.id for m in proposable_modules(fork)], "Mejoras", "")
    db.session.commit()
    phrases = english_phrases()
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
    found = {}
    for path in pages:
        response = client.get(path, headers={"Accept-Language": "es"})
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        leaks = sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))
        if leaks:
            found[path] = leaks
    assert found == {}


def test_assignment_pages_have_no_untranslated_interface_text(
    client, login, create_user, create_course, create_assignment
):
    owner = create_user("amina", locale="es")
    course = create_course(
        "biogas", title="Biogas", modules=[("Uno", "Texto.\n")], maintainer=owner
    )
    create_assignment(course, slug="gas-test", submission_deadline="2030-03-01T18:00:00-04:00")
    # The test assignment's own rubric is English content, not interface text.
    phrases = {p for p in english_phrases() if p not in ASSIGNMENT_YAML}
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
    found = {}
    for path in pages:
        response = client.get(path, headers={"Accept-Language": "es"})
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        leaks = sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))
        if leaks:
            found[path] = leaks
    assert found == {}
