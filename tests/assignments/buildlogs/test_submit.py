"""Submitting: versions are snapshots, resubmitting works until the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from peerlearn.assignments.models import Submission
from peerlearn.extensions import db
from tests.fixtures.buildlogs import LOG, PAGE


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Submission.id)))


def test_submit_is_refused_without_a_title_or_entries(client, started, add_entry):
    """The learner lands back on the log, at the field to fix, with the reason: no dead end."""
    response = client.submit(LOG + "/submit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LOG + "#title")
    page = client.get(LOG).get_data(as_text=True)
    assert "Give your build log a title" in page and 'id="title"' in page
    client.submit(LOG, {"title": "Digester", "summary": ""})
    response = client.submit(LOG + "/submit")
    assert response.headers["Location"].endswith(LOG + "#new-entry")
    assert "Add at least one entry" in client.get(LOG).get_data(as_text=True)
    assert _count() == 0


def test_submit_resubmit_and_view_every_version(client, started, add_entry):
    client.submit(LOG, {"title": "Digester", "summary": ""})
    entry = add_entry("Dug the trench.")
    assert client.submit(LOG + "/submit").status_code == 302
    page = client.get(LOG).get_data(as_text=True)
    assert "You submitted version 1 on" in page
    assert "Your draft is the same as the version you submitted." in page

    client.submit(
        f"{LOG}/entries/{entry}",
        {f"e{entry}-entry_date": "2026-05-01", f"e{entry}-text": "Dug a deeper trench."},
    )
    assert "Your draft has changes since then" in client.get(LOG).get_data(as_text=True)
    client.submit(LOG + "/submit")
    assert "You submitted version 2 on" in client.get(PAGE).get_data(as_text=True)
    assert [s.version for s in db.session.scalars(db.select(Submission))] == [1, 2]

    first = client.get(LOG + "/versions/1").get_data(as_text=True)
    assert "Submitted version 1" in first and "Dug the trench." in first
    assert "Dug a deeper trench." not in first
    assert "Dug a deeper trench." in client.get(LOG + "/versions/2").get_data(as_text=True)
    assert client.get(LOG + "/versions/3").status_code == 404


def test_a_double_click_makes_one_version(client, started, add_entry):
    client.submit(LOG, {"title": "Digester", "summary": ""})
    add_entry()
    client.submit(LOG + "/submit")
    assert client.submit(LOG + "/submit").status_code == 302
    assert "no new version was made" in client.get(PAGE).get_data(as_text=True)
    assert _count() == 1


def test_submitting_after_the_deadline_is_refused_and_changes_nothing(
    client, started, add_entry, assignment
):
    from peerlearn.assignments import buildlogs

    client.submit(LOG, {"title": "Digester", "summary": ""})
    add_entry()
    client.submit(LOG + "/submit")
    client.submit(LOG, {"title": "Digester, improved", "summary": ""})
    real = buildlogs.utcnow
    buildlogs.utcnow = lambda: datetime(2099, 3, 5, 4, 0, tzinfo=UTC) + timedelta(minutes=1)
    try:
        response = client.submit(LOG + "/submit")
        assert response.status_code == 409
        assert "the deadline has passed" in response.get_data(as_text=True)
        assert "Submissions are closed" in client.get(PAGE).get_data(as_text=True)
    finally:
        buildlogs.utcnow = real
    assert _count() == 1
