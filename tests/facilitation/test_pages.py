"""The facilitators' pages as people use them: the view before the meeting, its CSV, the
circle's messages and co-facilitation, with who may open what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from peerlearn.circles.membership import is_facilitator
from peerlearn.circles.services import join_circle
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.facilitation.messages import KIND
from peerlearn.notifications import Notification
from tests.fixtures.facilitation import start


def overview(scene) -> str:
    return f"/circles/{scene.circle.id}/facilitate"


def test_the_facilitator_sees_every_learner_and_who_is_stuck(client, login, circle_scene):
    scene = circle_scene(3, submitted=1)
    login(scene.facilitator)
    circle_page = client.get(f"/circles/{scene.circle.id}").get_data(as_text=True)
    assert f'href="{overview(scene)}"' in circle_page

    page = client.get(overview(scene))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(f"<td>{learner.username}</td>" in html for learner in scene.learners)
    assert "<td>fatima</td>" not in html  # the facilitator reads the list, is not in it
    assert html.count("<td>Submitted</td>") == 1 and html.count("<td>Not started</td>") == 2
    assert "3 learners" in html and "0 stuck" in html

    only_stuck = client.get(overview(scene) + "?show=stuck&days=1").get_data(as_text=True)
    assert "Nobody is stuck." in only_stuck


def test_the_csv_has_a_row_per_learner(client, login, circle_scene):
    scene = circle_scene(2, submitted=1)
    login(scene.facilitator)

    response = client.get(overview(scene) + ".csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Username", "Modules done", "Build log"]
    assert [(row[0], row[2]) for row in rows[1:]] == [
        ("learner001", "Submitted"),
        ("learner002", "Not started"),
    ]


def test_only_the_circles_facilitators_and_the_course_maintainers_open_it(
    client, login, circle_scene, create_user
):
    scene = circle_scene(1)
    other = create_user("other-facilitator")
    start(other, scene.course, name="Another circle")
    db.session.commit()

    assert client.get(overview(scene)).status_code == 302  # to the login page
    for who, status in (
        (scene.learners[0], 403),
        (other, 403),
        (scene.maintainer, 200),
        (scene.facilitator, 200),
    ):
        client.submit("/logout")
        login(who)
        assert client.get(overview(scene)).status_code == status, who.username
        assert client.get(overview(scene) + ".csv").status_code == status, who.username


def test_an_unknown_assignment_or_page_is_not_found(client, login, circle_scene):
    scene = circle_scene(1)
    login(scene.facilitator)
    assert client.get(overview(scene) + "?a=nothing-here").status_code == 404
    assert client.get(overview(scene) + "?page=3").status_code == 404
    assert client.get("/circles/999999/facilitate").status_code == 404


def test_a_message_reaches_every_current_member_but_its_author(client, login, circle_scene):
    scene = circle_scene(3)
    login(scene.facilitator)
    url = f"/circles/{scene.circle.id}/messages"

    response = client.submit(url, {"body": "We meet **at the library** on Thursday."})

    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<strong>at the library</strong>" in page
    notified = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == KIND))
    )
    assert notified == {learner.id for learner in scene.learners}

    client.submit("/logout")
    login(scene.learners[0])
    notices = client.get("/notifications").get_data(as_text=True)
    assert "A new message from the facilitators of “Biogas at the library”." in notices
    assert "at the library" in client.get(url).get_data(as_text=True)


def test_learners_read_messages_but_do_not_send_them(client, login, circle_scene, create_user):
    scene = circle_scene(1)
    url = f"/circles/{scene.circle.id}/messages"
    login(scene.learners[0])
    assert "<textarea" not in client.get(url).get_data(as_text=True)
    assert client.submit(url, {"body": "Hello"}).status_code == 403
    client.submit("/logout")
    login(create_user("stranger"))
    assert client.get(url).status_code == 403


def test_an_empty_message_is_refused_and_nothing_is_sent(client, login, circle_scene):
    scene = circle_scene(1)
    login(scene.facilitator)
    response = client.submit(f"/circles/{scene.circle.id}/messages", {"body": "  "})
    assert response.status_code == 422
    assert "Write the message." in response.get_data(as_text=True)
    assert db.session.scalar(select(Notification.id).where(Notification.kind == KIND)) is None


def test_a_message_without_the_csrf_token_is_refused(client, login, circle_scene):
    scene = circle_scene(1)
    login(scene.facilitator)
    response = client.post(f"/circles/{scene.circle.id}/messages", data={"body": "Hi"})
    assert response.status_code == 400


def test_hostile_text_in_a_message_and_a_circle_name_stays_text(
    client, login, circle_scene, create_user
):
    scene = circle_scene(1)
    scene.circle.name = '<script>alert("name")</script>'
    db.session.commit()
    login(scene.facilitator)
    url = f"/circles/{scene.circle.id}/messages"
    client.submit(url, {"body": "<img src=x onerror=alert(1)> [x](javascript:alert(2))"})

    for page in (client.get(url), client.get(overview(scene))):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html
        assert "onerror=" not in html and 'href="javascript' not in html, html
        assert "&lt;script&gt;" in html


def test_a_facilitator_names_a_co_facilitator_who_can_then_step_down(client, login, circle_scene):
    scene = circle_scene(2)
    login(scene.facilitator)
    base = f"/circles/{scene.circle.id}/facilitators"

    assert client.submit(base + "/step-down").status_code == 409  # the only facilitator
    response = client.submit(base, {"username": "Learner001"})
    assert response.status_code == 302
    assert is_facilitator(scene.learners[0].id, scene.circle)
    assert client.submit(base, {"username": "learner001"}).status_code == 409  # already
    assert client.submit(base, {"username": "nobody"}).status_code == 409
    empty = client.submit(base, {"username": " "})
    assert empty.status_code == 422
    assert "Enter the username of a member of the circle." in empty.get_data(as_text=True)

    assert client.submit(base + "/step-down").status_code == 302
    assert not is_facilitator(scene.facilitator.id, scene.circle)
    assert scene.facilitator.id in [m.user_id for m in scene.circle.members if m.left_at is None]
    # Now a learner again: no more facilitating.
    assert client.get(overview(scene)).status_code == 403
    assert client.submit(base, {"username": "learner002"}).status_code == 403


def test_a_learner_cannot_name_facilitators(client, login, circle_scene):
    scene = circle_scene(2)
    login(scene.learners[0])
    response = client.submit(f"/circles/{scene.circle.id}/facilitators", {"username": "learner001"})
    assert response.status_code == 403
    assert not is_facilitator(scene.learners[0].id, scene.circle)


@pytest.mark.parametrize("language", ["en", "es", "fr", "qu", "rw", "sw"])
def test_a_50_learner_circle_fits_the_page_budget(
    client, login, circle_scene, create_user, language
):
    from tests.fixtures.pages import Page, stylesheet

    scene = circle_scene(0)
    for n in range(50):
        member = join_circle(create_user(f"umunyeshuri-wishuri-ryabaturage-{n:02d}"), scene.circle)
        member.joined_at = utcnow() - timedelta(days=20)  # every row says why it is stuck
    db.session.commit()
    login(scene.facilitator)
    client.submit("/settings", {"language": language, "timezone": "UTC"})

    response = client.get(overview(scene) + "?days=1")
    html = response.get_data()
    page = Page(f"facilitator view [{language}]", overview(scene), html, stylesheet(client, html))

    assert response.status_code == 200
    assert html.count(b"<tr") == 51  # every learner on one page, with the header
    assert html.count(b'class="stuck"') == 50
    assert page.within_budget, (page.raw, page.gzip)


def test_a_facilitators_messages_are_in_their_data_download(client, login, circle_scene):
    import json
    import zipfile

    scene = circle_scene(1)
    login(scene.facilitator)
    client.submit(f"/circles/{scene.circle.id}/messages", {"body": "Bring the gas meter."})

    archive = zipfile.ZipFile(io.BytesIO(client.get("/settings/data.zip").get_data()))
    data = json.loads(archive.read("peerlearn-data.json"))
    assert [(m["circle"], m["text"]) for m in data["circle_messages"]] == [
        ("Biogas at the library", "Bring the gas meter.")
    ]


def test_the_notices_of_a_message_cost_the_same_queries_for_3_or_60_members(
    circle_scene, create_user, count_queries
):
    from peerlearn.facilitation.messages import fan_out, post_message

    scene = circle_scene(3)
    first = post_message(scene.facilitator, scene.circle, "Bring the gas meter.")
    second = post_message(scene.facilitator, scene.circle, "And the hose.")
    db.session.commit()
    db.session.query(Notification).delete()
    db.session.commit()
    with count_queries() as small:
        assert fan_out(first.id) == 3

    for n in range(57):
        join_circle(create_user(f"late{n:02d}"), scene.circle)
    db.session.commit()
    with count_queries() as large:
        assert fan_out(second.id) == 60

    assert large.count == small.count, large.statements
    assert fan_out(second.id) == 0  # run again, nobody gets a second notice
