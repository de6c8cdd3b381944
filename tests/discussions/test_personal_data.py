"""A person's posts are in their data download; deleting the account keeps their posts
(credited with the chosen name) and removes what was about them alone."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from peerlearn.discussions.models import Follower, Thread
from peerlearn.extensions import db
from peerlearn.personal_data.deletion import delete_account
from tests.fixtures.discussions import latest_thread, posts_of, start, visible


def test_the_data_download_holds_the_posts_not_the_deleted_ones(client, login, place):
    login(place.amina)
    thread = start(client, place, body="Kept words.")
    client.submit(f"/discussions/{thread.id}", {"body": "Regretted words."})
    client.submit(f"/discussions/posts/{posts_of(thread)[1].id}/delete")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/settings/data.zip").data))
    data = json.loads(archive.read("peerlearn-data.json"))
    posts = data["discussion_posts"]
    assert [(p["thread"], p["body"]) for p in posts] == [("How deep is the trench?", "Kept words.")]


def test_deleting_an_account_keeps_posts_under_the_chosen_name(client, login, as_user, place):
    login(place.amina)
    thread = start(client, place, body="Line the trench.")
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "Thanks!"})
    delete_account(place.amina, credit_name="A builder from Sorata")
    db.session.commit()
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "Line the trench." in text and "A builder from Sorata" in text
    assert db.session.scalar(select(func.count()).select_from(Follower)) == 1  # baraka's


def test_threads_about_a_deleted_persons_build_log_go_with_it(client, login, world):
    login(world.learner)
    client.submit(f"/logs/{world.log.id}/discussions", {"title": "Gauge", "body": "0.8?"})
    thread_id = latest_thread().id
    delete_account(world.learner)
    db.session.commit()
    assert db.session.get(Thread, thread_id) is None
