"""A build log's discussion: its author, its reviewers once their review is in, and no one
else; double-blind review stays blind in it."""

from __future__ import annotations

import re

from sqlalchemy import select

from peerlearn.extensions import db
from peerlearn.notifications import Notification
from tests.fixtures.discussions import latest_thread


def main_text(response) -> str:
    """What the page itself says (the header names whoever is signed in)."""
    body = response.get_data(as_text=True)
    main = body.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_author_and_reviewer_talk_as_author_and_reviewer_1(client, login, world):
    url = f"/logs/{world.log.id}/discussions"
    login(world.learner)
    response = client.submit(url, {"title": "About my photos", "body": "Can you see the gauge?"})
    assert response.status_code == 302
    thread = latest_thread()
    client.submit("/logout")
    login(world.reviewer)
    client.submit(f"/discussions/{thread.id}", {"body": "Yes, 0.8 on the gauge."})

    for reader in (world.reviewer, world.learner):
        client.submit("/logout")
        login(reader)
        text = main_text(client.get(f"/discussions/{thread.id}"))
        assert "Author of the build log" in text and "Reviewer 1" in text
        assert world.learner.username not in text and world.reviewer.username not in text
        listing = main_text(client.get(url))
        assert "About my photos" in listing and world.learner.username not in listing
    # The author hears of the reply; the notice names no one.
    [notice] = db.session.scalars(
        select(Notification).where(
            Notification.user_id == world.learner.id, Notification.kind == "discussion_reply"
        )
    ).all()
    assert "baraka" not in notice.params


def test_no_one_else_reads_a_build_logs_thread(client, login, create_user, world):
    url = f"/logs/{world.log.id}/discussions"
    login(world.learner)
    client.submit(url, {"title": "Private", "body": "Only for my reviewers."})
    thread = latest_thread()
    client.submit("/logout")
    assert client.get(url).headers["Location"].startswith("/login")
    assert client.get(f"/discussions/{thread.id}").headers["Location"].startswith("/login")
    for outsider in (world.maintainer, create_user("stranger")):
        login(outsider)
        assert client.get(url).status_code == 403
        assert client.get(f"/discussions/{thread.id}").status_code == 403
        assert client.submit(f"/discussions/{thread.id}", {"body": "Hi"}).status_code == 403
        client.submit("/logout")


def test_a_reviewer_whose_review_is_not_done_cannot_read_it(client, login, world):
    from peerlearn.review.models import ReviewState

    world.review.state = ReviewState.LEASED.value
    db.session.commit()
    login(world.reviewer)
    assert client.get(f"/logs/{world.log.id}/discussions").status_code == 403


def test_mentioning_someone_who_cannot_read_the_thread_tells_them_nothing(client, login, world):
    login(world.learner)
    client.submit(
        f"/logs/{world.log.id}/discussions",
        {"title": "Gauge", "body": "@maintainer please look, and @baraka too"},
    )
    mentions = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "discussion_mention")
    ).all()
    assert mentions == [world.reviewer.id]
