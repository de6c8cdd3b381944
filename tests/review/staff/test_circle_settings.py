"""A facilitator sets when their circle's peer review stays inside it."""

from __future__ import annotations

from peerlearn.extensions import db


def test_the_facilitator_changes_the_circles_review_settings(client, login, world):
    circle = world.circle
    login(world.facilitator)
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "Peer review settings" in page
    form = client.get(f"/circles/{circle.id}/review-settings").get_data(as_text=True)
    assert "Review inside the circle once this many members have submitted" in form
    response = client.submit(
        f"/circles/{circle.id}/review-settings", {"review_min_pool": "6"}
    )  # fmt: skip  (box left unticked)
    assert response.status_code == 302
    db.session.refresh(circle)
    assert (circle.review_min_pool, circle.review_fallback) == (6, False)


def test_a_nonsense_pool_is_refused_with_a_sentence(client, login, world):
    login(world.facilitator)
    response = client.submit(f"/circles/{world.circle.id}/review-settings",
                             {"review_min_pool": "1", "review_fallback": "y"})  # fmt: skip
    assert response.status_code == 200
    assert "Between 2 and 500 members." in response.get_data(as_text=True)
    db.session.refresh(world.circle)
    assert world.circle.review_min_pool == 4


def test_members_and_maintainers_may_not_change_them(client, login, world):
    for user in (world.learner, world.maintainer):
        login(user)
        assert client.get(f"/circles/{world.circle.id}/review-settings").status_code == 403
        client.submit("/logout")
