"""A circle of 500 members: its page fits the page budget in every interface language,
because the member list comes a page at a time (all 500 names on one page were 30.5 KB)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from peerlearn.accounts.models import User
from peerlearn.accounts.services import hash_password
from peerlearn.catalog.models import Enrolment
from peerlearn.circles.models import LEARNER, CircleMember
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.fixtures import facilitation as circles
from tests.fixtures.pages import LANGUAGES, Page, stylesheet

#: The circle fixture of the facilitation tests, used here too.
circle_scene = circles.circle_scene

#: A long name (40 characters, the most a username may have), so the page is weighed at
#: its heaviest.
NAME = "umunyeshuri-wishuri-ryabaturage-{:04d}xx"


def _fill(scene, n: int) -> None:
    """``n`` learners in the circle, inserted in bulk (the page is what is measured)."""
    now = utcnow()
    secret = hash_password("lentils-and-tortillas")
    ids = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "username": NAME.format(i),
                    "email": f"member{i:04d}@example.org",
                    "password_hash": secret,
                    "locale": "en",
                }
                for i in range(n)
            ],
        )
    )
    db.session.execute(
        insert(CircleMember),
        [
            {
                "circle_id": scene.circle.id,
                "user_id": user_id,
                "role": LEARNER,
                "joined_at": now - timedelta(minutes=n - i),
            }
            for i, user_id in enumerate(ids)
        ],
    )
    db.session.execute(
        insert(Enrolment), [{"user_id": user_id, "course_id": scene.course.id} for user_id in ids]
    )
    db.session.commit()


def test_a_500_member_circle_page_fits_the_budget_in_every_language(client, login, circle_scene):
    scene = circle_scene(0)
    _fill(scene, 499)  # and the facilitator: 500 members
    login(scene.facilitator)
    url = f"/circles/{scene.circle.id}"

    for language in LANGUAGES:
        client.submit("/settings", {"language": language, "timezone": "UTC"})
        client.get("/settings")  # shows the "saved" message, so the measured page has none
        response = client.get(url)
        html = response.get_data()
        page = Page(f"circle of 500 [{language}]", url, html, stylesheet(client, html))

        assert response.status_code == 200
        assert page.within_budget, (language, page.raw, page.gzip)
        assert b"fatima" in html  # the facilitator heads the first page
        assert html.count(b'href="/users/umunyeshuri') == 99
        assert b'rel="next"' in html


def test_every_member_is_on_some_page_of_the_list(client, login, circle_scene):
    scene = circle_scene(0)
    _fill(scene, 249)
    login(scene.facilitator)
    url = f"/circles/{scene.circle.id}"

    names = set()
    for page in (1, 2, 3):
        html = client.get(f"{url}?page={page}").get_data(as_text=True)
        names |= {name for name in html.split('href="/users/')[1:]}
    listed = {chunk.split('"', 1)[0] for chunk in names}

    assert listed == {"fatima"} | {NAME.format(i) for i in range(249)}
    last = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in last and 'rel="next"' not in last
    assert client.get(f"{url}?page=4").status_code == 404
