"""Every build-log route: anonymous → login, another learner → 403, unknown → 404, no CSRF → 400."""

from __future__ import annotations

import pytest

from tests.fixtures.buildlogs import COURSE, LOG, PAGE


@pytest.fixture
def owned(client, started, add_entry):
    """amina's log with one entry, a photo and a measurement; returns the ids."""
    from peerlearn.assignments.models import EntryMeasurement, EntryPhoto
    from peerlearn.extensions import db
    from tests.fixtures.buildlogs import jpeg_bytes, upload

    client.submit(LOG, {"title": "Digester", "summary": ""})
    entry = add_entry()
    upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(), f"p{entry}")
    client.submit(
        f"{LOG}/entries/{entry}/measurements",
        {f"m{entry}-name": "Depth", f"m{entry}-value": "1", f"m{entry}-unit": "m"},
    )
    client.submit(LOG + "/submit")
    photo = db.session.scalar(db.select(EntryPhoto.id))
    measurement = db.session.scalar(db.select(EntryMeasurement.id))
    return entry, photo, measurement


def _entry_posts(entry: int, photo: int, measurement: int) -> list[str]:
    return [
        f"{LOG}/entries/{entry}",
        f"{LOG}/entries/{entry}/delete",
        f"{LOG}/entries/{entry}/photos",
        f"{LOG}/entries/{entry}/photos/{photo}/delete",
        f"{LOG}/entries/{entry}/measurements",
        f"{LOG}/entries/{entry}/measurements/{measurement}/delete",
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, owned):
    client.submit("/logout")
    for path in [LOG, LOG + "/versions/1"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
    for path in [LOG, LOG + "/start", LOG + "/entries", LOG + "/submit", *_entry_posts(*owned)]:
        response = client.submit(path)
        assert response.status_code == 302 and "/login" in response.location, path


def test_another_learner_cannot_touch_someone_elses_log(client, login, create_user, owned):
    from peerlearn.assignments.models import EntryPhoto
    from peerlearn.extensions import db

    login(create_user("intruder"))
    client.submit(f"/courses/{COURSE}/enrol")
    client.submit(LOG + "/start")
    for path in _entry_posts(*owned):
        response = client.submit(path, {"p1-caption": "x", "m1-name": "x", "m1-value": "2"})
        assert response.status_code == 403, path
    assert db.session.scalar(db.select(db.func.count(EntryPhoto.id))) == 1
    # Their own log page shows their own (empty) log, never amina's.
    page = client.get(LOG).get_data(as_text=True)
    assert "Digester" not in page
    assert client.get(LOG + "/versions/1").status_code == 404


def test_a_learner_not_enrolled_is_refused(client, login, create_user, owned):
    login(create_user("visitor"))
    assert client.submit(LOG + "/start").status_code == 403
    assert client.get(LOG).status_code == 403


def test_unknown_things_are_404(client, owned):
    entry = owned[0]
    assert client.submit(f"{LOG}/entries/999999").status_code == 404
    assert client.submit(f"{LOG}/entries/{entry}/photos/999999/delete").status_code == 404
    assert client.submit(f"{LOG}/entries/{entry}/measurements/999999/delete").status_code == 404
    assert client.get(f"/courses/{COURSE}/a/nope/log").status_code == 404
    assert client.get(PAGE.replace(COURSE, "nope") + "/log").status_code == 404


def test_posts_without_csrf_are_refused(client, owned):
    for path in [LOG, LOG + "/start", LOG + "/entries", LOG + "/submit", *_entry_posts(*owned)]:
        assert client.post(path, data={}).status_code == 400, path
