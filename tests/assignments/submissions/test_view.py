"""Viewing one submitted version as it was submitted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peerlearn.assignments.models import Submission
from peerlearn.extensions import db
from tests.fixtures.submissions import add_entry, submit


def test_submission_shows_the_snapshot_not_the_draft(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any],
) -> None:  # fmt: skip
    learner = create_user("lucia")
    log = make_log(learner, setting["assignment"], entries=2, photos=1, submissions=1)
    first = db.session.scalar(db.select(Submission).where(Submission.log_id == log.id))
    add_entry(log, 9, "Added <script>alert(1)</script> after version 1.")
    db.session.commit()
    second = submit(log)
    add_entry(log, 12, "Draft only, never submitted.")
    db.session.commit()

    login(setting["maintainer"])
    html = client.get(f"{setting['list']}/{first.id}").get_data(as_text=True)
    assert "lucia, version 1" in html
    assert "<strong>dug</strong>" in html  # Markdown rendered
    assert "Trench 1.0" in html and 'loading="lazy"' in html
    assert "-thumb.jpg" in html
    assert "Gas production" in html and "m³/day" in html
    assert "after version 1" not in html and "Draft only, never" not in html
    assert f'href="{setting["list"]}/{second.id}"' in html  # link to the other version

    latest = client.get(f"{setting['list']}/{second.id}").get_data(as_text=True)
    assert "after version 1" in latest
    assert "<script>" not in latest
    assert "Draft only, never" not in latest


def test_submission_of_another_assignment_is_not_found(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any], create_assignment: Callable[..., Any],
) -> None:  # fmt: skip
    other = create_assignment(setting["course"], slug="other")
    log = make_log(create_user(), other, submissions=1)
    submission_id = log.submissions[0].id
    login(setting["maintainer"])
    assert client.get(f"{setting['list']}/{submission_id}").status_code == 404
    assert client.get(f"{setting['list']}/999999").status_code == 404
    other_path = f"/courses/{setting['course'].slug}/a/other/submissions/{submission_id}"
    assert client.get(other_path).status_code == 200


def test_submission_photos_load_as_thumbnails_and_open_full_size(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any],
) -> None:  # fmt: skip
    import re

    from peerlearn.assignments.models import PhotoBlob

    log = make_log(create_user(), setting["assignment"], entries=1, photos=1, submissions=1)
    blob = db.session.scalars(db.select(PhotoBlob)).one()
    login(setting["maintainer"])
    html = client.get(f"{setting['list']}/{log.submissions[0].id}").get_data(as_text=True)
    (src,) = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert client.get(src).get_data() == blob.thumbnail
    (href,) = re.findall(r'<a href="(/photos/[^"]+)"', html)
    assert client.get(href).get_data() == blob.display
