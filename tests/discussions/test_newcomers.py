"""New accounts' first posts and links are limited; older accounts are not."""

from __future__ import annotations

from datetime import timedelta

from peerlearn.db import utcnow
from peerlearn.discussions.services import count_links, mentioned_names
from peerlearn.extensions import db
from tests.fixtures.discussions import posts_of, start, visible


def test_a_new_account_writes_three_posts_an_hour(client, login, place):
    login(place.amina)
    thread = start(client, place)
    client.submit(f"/discussions/{thread.id}", {"body": "Two"})
    client.submit(f"/discussions/{thread.id}", {"body": "Three"})
    response = client.submit(f"/discussions/{thread.id}", {"body": "Four"})
    assert response.status_code == 422
    assert "New accounts can write 3 posts an hour." in visible(response)
    assert len(posts_of(thread)) == 3


def test_a_new_account_posts_two_links_a_day(client, login, place):
    login(place.amina)
    thread = start(client, place, body="See https://example.org/a and www.example.org/b")
    response = client.submit(f"/discussions/{thread.id}", {"body": "And https://example.org/c"})
    assert response.status_code == 422
    assert "New accounts can post 2 links a day." in visible(response)
    # Without the link, the same reply goes through.
    assert client.submit(f"/discussions/{thread.id}", {"body": "And the third"}).status_code == 302


def test_an_older_account_is_not_limited(client, login, place):
    place.amina.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    login(place.amina)
    thread = start(client, place, body="https://a.example https://b.example https://c.example")
    for n in range(4):
        assert client.submit(f"/discussions/{thread.id}", {"body": f"Reply {n}"}).status_code == 302


def test_mentions_and_links_are_found_where_a_reader_sees_them():
    assert mentioned_names("Hi @Baraka, @amina. Mail me@example.org `@code` @baraka") == [
        "baraka",
        "amina",
    ]
    assert mentioned_names("amina wrote:\n> @baraka said so\n\nI agree, @chidi") == ["chidi"]
    assert count_links("http://a.example, https://b.example and www.c.example; not d.example") == 3
