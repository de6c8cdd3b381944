"""A circle's page and its facilitator's view run the same SQL whether the circle has 5
learners or 500 (issue 13's bench bar): each figure is one grouped query over the circle, never a
query per member. Timings stay in ``bench/``; the counts are asserted here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from peerlearn.accounts.models import User
from peerlearn.accounts.services import hash_password
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.circles.models import LEARNER, CircleMember
from peerlearn.content.models import Module
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.fixtures import facilitation as circles
from tests.fixtures.review import submit_log

#: The circle fixture of the facilitation tests, used here too.
circle_scene = circles.circle_scene


def _grow(scene, prefix: str, n: int) -> None:
    """``n`` more learners in the circle (inserted in bulk: the page is what is measured),
    two in five with a submitted build log, some reviewed, each with a module done."""
    now = utcnow()
    secret = hash_password("lentils-and-tortillas")
    ids = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "username": f"{prefix}{i:04d}",
                    "email": f"{prefix}{i:04d}@example.org",
                    "password_hash": secret,
                    "locale": "en",
                }
                for i in range(n)
            ],
        )
    )
    module_id = db.session.scalar(
        select(Module.id).where(Module.course_id == scene.course.id).limit(1)
    )
    db.session.execute(
        insert(CircleMember),
        [
            {
                "circle_id": scene.circle.id,
                "user_id": user_id,
                "role": LEARNER,
                "joined_at": now - timedelta(days=i % 20),
            }
            for i, user_id in enumerate(ids)
        ],
    )
    db.session.execute(
        insert(Enrolment), [{"user_id": user_id, "course_id": scene.course.id} for user_id in ids]
    )
    db.session.execute(
        insert(ModuleProgress), [{"user_id": user_id, "module_id": module_id} for user_id in ids]
    )
    for user_id in ids[::5] + ids[1::5]:
        submit_log(db.session.get(User, user_id), scene.assignment)
    for user_id in ids[1::10]:
        circles.review_once(db.session.get(User, user_id), scene.assignment)
    db.session.commit()


@pytest.mark.parametrize("path", ["", "/facilitate", "/facilitate?show=stuck&days=3"])
def test_the_circle_page_and_the_facilitator_view_run_the_same_queries_for_5_or_500_learners(
    client,
    login,
    circle_scene,
    count_queries,
    path,
):
    scene = circle_scene(0)
    _grow(scene, "small", 5)
    login(scene.facilitator)
    url = f"/circles/{scene.circle.id}{path}"
    client.get(url)  # warm-up: caches of a running site
    with count_queries() as small:
        assert client.get(url).status_code == 200

    _grow(scene, "large", 495)
    with count_queries() as large:
        page = client.get(url)

    assert page.status_code == 200
    if path == "/facilitate":
        assert page.get_data(as_text=True).count("<tr") == 51  # a full first page
    assert large.count == small.count, large.statements
