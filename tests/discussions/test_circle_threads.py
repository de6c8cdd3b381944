"""A circle's discussion is for its members, moderated by its facilitators; a facilitator
also reads the build-log threads of the circle's learners."""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.extensions import db
from peerlearn.notifications import Notification
from tests.fixtures.discussions import latest_thread, visible


def test_members_talk_in_their_circle_and_the_facilitator_moderates(
    client, login, create_user, world
):
    url = f"/circles/{world.circle.id}/discussions"
    login(world.learner)
    # Members find the discussion from the circle's page.
    assert f'href="{url}"' in client.get(f"/circles/{world.circle.id}").get_data(as_text=True)
    response = client.submit(url, {"title": "Next meeting", "body": "Bring gloves, @facilitator"})
    assert response.status_code == 302
    thread = latest_thread()
    mentioned = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "discussion_mention")
    ).all()
    assert mentioned == [world.facilitator.id]
    client.submit("/logout")

    login(world.reviewer)
    assert "Next meeting" in visible(client.get(url))
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "amina" in text  # circle members see each other's names
    assert (
        client.submit(f"/discussions/{thread.id}/moderate", {"action": "lock"}).status_code == 403
    )
    client.submit("/logout")

    login(world.facilitator)
    assert (
        client.submit(f"/discussions/{thread.id}/moderate", {"action": "lock"}).status_code == 302
    )
    assert "This thread is locked." in visible(client.get(f"/discussions/{thread.id}"))
    client.submit("/logout")

    # Outsiders, the course's maintainer included, neither read nor write.
    for outsider in (world.maintainer, create_user("stranger")):
        login(outsider)
        assert client.get(url).status_code == 403
        assert client.get(f"/discussions/{thread.id}").status_code == 403
        client.submit("/logout")
    assert client.get(url).headers["Location"].startswith("/login")


def test_the_facilitator_reads_and_moderates_a_learners_build_log_thread(client, login, world):
    login(world.learner)
    client.submit(f"/logs/{world.log.id}/discussions", {"title": "Gauge", "body": "Is 0.8 ok?"})
    thread = latest_thread()
    client.submit("/logout")
    login(world.facilitator)
    page = client.get(f"/discussions/{thread.id}")
    assert page.status_code == 200
    client.submit(f"/discussions/{thread.id}", {"body": "Yes, that is a good figure."})
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "Facilitator" in text and "Author of the build log" in text
    assert client.submit(f"/discussions/{thread.id}/moderate", {"action": "pin"}).status_code == 302
