"""Download my data: a zip with everything about the person, and nothing about reviewers."""

from __future__ import annotations

import io
import json
import re
import zipfile

from peerlearn.extensions import db
from peerlearn.notifications import Notification
from tests.fixtures.buildlogs import LOG, jpeg_bytes, upload
from tests.fixtures.review import seed_review

PHOTO = re.compile(r'<a href="(/photos/([0-9a-f]{64})\.jpg)">')


def _download(client):
    response = client.get("/settings/data.zip")
    assert response.status_code == 200
    return response, zipfile.ZipFile(io.BytesIO(response.data))


def test_the_zip_holds_the_json_and_the_photo_bytes(client, started, add_entry):
    entry = add_entry("Dug the trench, 1 m deep.")
    upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(color="red"), f"p{entry}", "Trench")
    url, sha = PHOTO.search(client.get(LOG).get_data(as_text=True)).groups()
    served = client.get(url).data

    response, archive = _download(client)

    assert response.headers["Content-Type"] == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(archive.read("peerlearn-data.json"))
    assert data["profile"]["username"] == "amina"
    assert data["profile"]["email"] == "amina@example.org"
    assert [e["course"] for e in data["enrolments"]] == ["biogas"]
    assert data["notification_settings"] == {"email": "immediate", "turned_off": {}}
    (log,) = data["build_logs"]
    (written,) = log["entries"]
    assert written["text"] == "Dug the trench, 1 m deep."
    assert written["photos"] == [{"file": f"photos/{sha}.jpg", "caption": "Trench"}]
    assert archive.read(f"photos/{sha}.jpg") == served


def test_the_export_is_for_the_signed_in_person_only(client):
    response = client.get("/settings/data.zip")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_reviews_received_never_name_the_reviewer_and_reviews_given_keep_their_words(
    client, login, graded_class
):
    klass = graded_class(3, grading="median")
    author, reviewer, _third = klass.learners
    log = klass.logs[author.id]
    seed_review(
        log, reviewer, {"build": 4, "docs": 3}, overall="Lovely gas flame photos.",
        comments={"build": "Solid trench."},
    )  # fmt: skip
    db.session.add(Notification(user_id=author.id, kind="review_received", params="{}"))
    db.session.commit()

    login(author)
    _response, archive = _download(client)
    raw = archive.read("peerlearn-data.json").decode()
    data = json.loads(raw)
    (received,) = data["reviews_received"]
    assert received["overall_comment"] == "Lovely gas flame photos."
    assert received["reviewer"] == "Reviewer 1"
    assert {"criterion": "build", "points": 4, "comment": "Solid trench."} in received["scores"]
    assert reviewer.username not in raw and reviewer.email not in raw
    assert [n["kind"] for n in data["notifications"]] == ["review_received"]

    client.submit("/logout")
    login(reviewer)
    _response, archive = _download(client)
    raw = archive.read("peerlearn-data.json").decode()
    (given,) = json.loads(raw)["reviews_given"]
    assert given["overall_comment"] == "Lovely gas flame photos."
    assert given["scores"][0]["points"] == 4
    assert author.username not in raw  # double-blind: whose log it was is not theirs to know
