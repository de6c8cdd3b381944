"""A photo removed from every build-log entry that used it stops being served.

Before, ``/photos/<sha256>.jpg`` served every photo ever uploaded, for ever, with
``public, max-age=31536000, immutable``: a photo a learner removed (a child's face, the
house number) stayed public to anyone who had its address, and in every cache. Now a photo
is served only while a draft entry or a submitted version shows it; a draft's photo is
revalidated on each view and a submitted one kept at most a week, privately.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from peerlearn.assignments.models import EntryPhoto, PhotoBlob, SubmissionPhoto
from peerlearn.extensions import db
from tests.fixtures.buildlogs import LOG, jpeg_bytes, upload

PHOTO_URLS = re.compile(
    r'<a href="(/photos/[0-9a-f]{64}\.jpg)"><img src="(/photos/[0-9a-f]{64}-thumb\.jpg)"'
)


def _add_photo(client, entry: int, color: str = "green") -> tuple[str, str]:
    """Upload a photo to ``entry``; its display and thumbnail addresses."""
    response = upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(color=color), f"p{entry}")
    assert response.status_code == 302
    sha = db.session.scalar(
        select(PhotoBlob.sha256).join(EntryPhoto).order_by(EntryPhoto.id.desc()).limit(1)
    )
    page = client.get(LOG).get_data(as_text=True)
    return next((d, t) for d, t in PHOTO_URLS.findall(page) if sha in d)


def _photo_ids(entry: int) -> list[int]:
    return list(
        db.session.scalars(
            select(EntryPhoto.id).where(EntryPhoto.entry_id == entry).order_by(EntryPhoto.id)
        )
    )


def _remove(client, entry: int, photo: int) -> None:
    assert client.submit(f"{LOG}/entries/{entry}/photos/{photo}/delete").status_code == 302


def test_a_removed_photo_is_404_even_for_a_browser_that_had_it(client, started, add_entry):
    entry = add_entry()
    display, thumb = _add_photo(client, entry)
    served = client.get(display)
    assert served.status_code == 200 and client.get(thumb).status_code == 200
    assert served.headers["Cache-Control"] == "private, no-cache"
    etag = served.headers["ETag"]
    assert client.get(display, headers={"If-None-Match": etag}).status_code == 304

    _remove(client, entry, _photo_ids(entry)[0])

    assert client.get(display).status_code == 404
    assert client.get(thumb).status_code == 404
    # A browser revalidating its cached copy is told the photo is gone, not "still fresh".
    assert client.get(display, headers={"If-None-Match": etag}).status_code == 404


def test_a_photo_stays_while_another_entry_uses_it(client, started, add_entry):
    first, second = add_entry(), add_entry(text="Again", day="2026-05-02")
    display, _thumb = _add_photo(client, first)
    assert _add_photo(client, second)[0] == display  # the same picture, stored once

    _remove(client, first, _photo_ids(first)[0])
    assert client.get(display).status_code == 200

    _remove(client, second, _photo_ids(second)[0])
    assert client.get(display).status_code == 404


def test_deleting_the_entry_removes_its_photos(client, started, add_entry):
    entry = add_entry()
    display, thumb = _add_photo(client, entry)

    assert client.submit(f"{LOG}/entries/{entry}/delete").status_code == 302

    assert client.get(display).status_code == 404
    assert client.get(thumb).status_code == 404


def test_a_submitted_photo_stays_for_reviewers_and_is_cached_privately(client, started, add_entry):
    entry = add_entry()
    display, thumb = _add_photo(client, entry)
    client.submit(LOG, {"title": "Digester", "summary": ""})
    assert client.submit(f"{LOG}/submit").status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(SubmissionPhoto)) == 1

    _remove(client, entry, _photo_ids(entry)[0])

    served = client.get(display)
    assert served.status_code == 200 and client.get(thumb).status_code == 200
    cache = served.headers["Cache-Control"]
    assert "private" in cache and "max-age=604800" in cache
    assert "public" not in cache and "immutable" not in cache
    version = client.get(f"{LOG}/versions/1").get_data(as_text=True)
    assert display in version


def test_unknown_photos_are_404(client, started):
    assert client.get("/photos/" + "a" * 64 + ".jpg").status_code == 404
    assert client.get("/photos/" + "a" * 64 + "-thumb.jpg").status_code == 404


def test_the_migration_lists_the_photos_of_existing_submissions(
    empty_database, create_user, create_course, create_assignment
):
    """Photos of versions submitted before the upgrade stay served after it."""
    from datetime import date

    from flask_migrate import downgrade, upgrade

    from peerlearn import create_app
    from peerlearn.assignments.models import BuildLog, BuildLogEntry, Submission
    from peerlearn.assignments.snapshots import snapshot_json
    from tests.settings import ROOT

    app = create_app({"ENV": "testing", **empty_database})
    migrations = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=migrations)
        user = create_user("amina")
        assignment = create_assignment(create_course("biogas"))
        log = BuildLog(assignment_id=assignment.id, user_id=user.id, title="Digester")
        blob = PhotoBlob(
            sha256="c" * 64, content_type="image/jpeg", display=b"d", display_width=1,
            display_height=1, thumbnail=b"t", thumbnail_width=1, thumbnail_height=1,
        )  # fmt: skip
        entry = BuildLogEntry(entry_date=date(2026, 5, 1), text="Dug.")
        entry.photos.append(EntryPhoto(blob=blob, caption="Trench"))
        log.entries.append(entry)
        db.session.add_all([log, blob])
        db.session.flush()
        db.session.add(Submission(log_id=log.id, version=1, snapshot=snapshot_json(log)))
        db.session.commit()
        blob_id = blob.id
        db.session.remove()

        downgrade(directory=migrations, revision="0006")
        upgrade(directory=migrations)

        rows = db.session.execute(select(SubmissionPhoto.submission_id, SubmissionPhoto.blob_id))
        assert [tuple(row) for row in rows] == [(1, blob_id)]
        db.session.remove()
        db.engine.dispose()
