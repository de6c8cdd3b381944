"""Talking about a module: threads, replies, quotes, mentions, edits and deletions."""

from __future__ import annotations

import re

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.discussions.models import Follower, PostEdit
from peerlearn.extensions import db
from peerlearn.notifications import Notification
from tests.fixtures.discussions import latest_thread, posts_of, start, visible


def notices_of(user, kind):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


def test_two_learners_discuss_a_module_and_the_first_hears_of_the_reply(
    client, login, as_user, place
):
    login(place.amina)
    thread = start(client, place)
    as_user(place.baraka)
    response = client.submit(f"/discussions/{thread.id}", {"body": "Mine is **1.2 m**."})
    assert response.status_code == 302

    page = client.get(f"/discussions/{thread.id}")
    text = visible(page)
    assert "How deep is the trench?" in text
    assert "Mine is 1 m." in text and "amina" in text and "baraka" in text
    assert "<strong>1.2 m</strong>" in page.get_data(as_text=True)
    [notice] = notices_of(place.amina, "discussion_reply")
    assert notice.url.startswith(f"/discussions/{thread.id}")
    assert notices_of(place.baraka, "discussion_reply") == []  # not for one's own reply

    as_user(place.amina)
    assert "New reply in “How deep is the trench?”." in visible(client.get("/notifications"))
    # The notice leads to the reply, on its page of the thread.
    opened = client.get(notice.url)
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        f"page=1#p{posts_of(thread)[1].id}"
    )


def test_the_module_page_links_to_its_discussion_which_lists_threads(client, login, place):
    login(place.amina)
    start(client, place, title="Clay or sand?")
    module_page = client.get(f"/courses/biogas/m/{place.module.slug}").get_data(as_text=True)
    assert place.module_url in module_page
    listing = visible(client.get(place.module_url))
    assert "Clay or sand?" in listing and "1 post" in listing


def test_a_mention_notifies_the_person_named(client, login, create_user, place):
    create_user("chidi")
    login(place.amina)
    thread = start(client, place, body="What do you think, @baraka? And @nobody-here?")
    [notice] = notices_of(place.baraka, "discussion_mention")
    assert notice.url.startswith(f"/discussions/{thread.id}")
    # Mentioned people follow the thread from then on.
    assert db.session.scalar(
        select(Follower.id).where(
            Follower.thread_id == thread.id, Follower.user_id == place.baraka.id
        )
    )


def test_quote_starts_a_reply_with_the_post_quoted(client, login, as_user, place):
    login(place.amina)
    thread = start(client, place, body="Dig 1 m.\nThen line it.")
    first = posts_of(thread)[0]
    as_user(place.baraka)
    page = client.get(f"/discussions/{thread.id}?quote={first.id}").get_data(as_text=True)
    assert "amina wrote:\n&gt; Dig 1 m.\n&gt; Then line it." in page


def test_authors_edit_and_delete_their_own_posts_and_a_stub_keeps_the_place(
    client, login, as_user, place
):
    login(place.amina)
    thread = start(client, place, body="First thought.")
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "I agree with the first thought."})
    first, _reply = posts_of(thread)
    # Nobody else changes a post.
    assert (
        client.submit(f"/discussions/posts/{first.id}/edit", {"body": "Hacked"}).status_code == 403
    )
    assert client.submit(f"/discussions/posts/{first.id}/delete").status_code == 403

    as_user(place.amina)
    response = client.submit(f"/discussions/posts/{first.id}/edit", {"body": "Second thought."})
    assert response.status_code == 302
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "Second thought." in text and "edited" in text and "First thought." not in text
    assert [e.body for e in db.session.scalars(select(PostEdit))] == ["First thought."]

    client.submit(f"/discussions/posts/{first.id}/delete")
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "This post was deleted." in text
    assert "Second thought." not in text
    assert "I agree with the first thought." in text  # the reply keeps its place
    assert db.session.scalars(select(PostEdit)).all() == []


def test_empty_posts_and_titles_are_form_errors(client, login, place):
    login(place.amina)
    response = client.submit(place.module_url, {"title": "  ", "body": " "})
    assert response.status_code == 422
    text = visible(response)
    assert "Give the thread a title." in text and "Write something first." in text


def test_anonymous_visitors_read_but_are_asked_to_log_in_to_write(client, login, as_user, place):
    login(place.amina)
    thread = start(client, place)
    as_user(None)
    page = client.get(f"/discussions/{thread.id}")
    assert page.status_code == 200 and "Log in to take part" in visible(page)
    response = client.submit(f"/discussions/{thread.id}", {"body": "Anonymous words"})
    assert response.status_code == 403
    assert len(posts_of(thread)) == 1


def test_threads_and_posts_are_paginated(client, login, place, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISCUSSION_NEW_ACCOUNT_DAYS", 0)
    login(place.amina)
    for n in range(21):
        start(client, place, title=f"Question {n}")
    assert "Page 1 of 2" in visible(client.get(place.module_url))
    assert "Question 0" in visible(client.get(place.module_url + "?page=2"))
    assert client.get(place.module_url + "?page=3").status_code == 404
    thread = latest_thread()
    for n in range(20):
        client.submit(f"/discussions/{thread.id}", {"body": f"Reply {n}"})
    assert "Page 1 of 2" in visible(client.get(f"/discussions/{thread.id}"))
    assert "Reply 19" in visible(client.get(f"/discussions/{thread.id}?page=2"))


def test_hostile_markdown_in_a_post_and_a_title_is_made_harmless(client, login, place):
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "data" / "hostile" / "xss.txt"
    payloads = [
        line for line in corpus.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]  # fmt: skip
    login(place.amina)
    thread = start(
        client, place, title='"><script>alert(1)</script>', body="\n\n".join(payloads)[:19000]
    )
    client.submit(f"/discussions/{thread.id}", {"body": " ".join(payloads)[:19000]})
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    # Escaped text may show "onerror=", but no tag carries an event handler.
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.IGNORECASE)
    assert 'href="javascript' not in html.lower()
    listing = client.get(place.module_url).get_data(as_text=True)
    assert "<script>alert" not in listing


def test_a_follower_who_stops_following_hears_no_more(client, login, as_user, place):
    login(place.amina)
    thread = start(client, place)
    client.submit(f"/discussions/{thread.id}/follow")
    assert "You will no longer hear of new replies here." in visible(
        client.get(f"/discussions/{thread.id}")
    )
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "A reply nobody follows."})
    assert notices_of(place.amina, "discussion_reply") == []
    as_user(place.amina)
    client.submit(f"/discussions/{thread.id}/follow")
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "Now she hears."})
    assert len(notices_of(place.amina, "discussion_reply")) == 1


def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned(
    client, login, create_user, place
):
    create_user("chidi")
    login(place.amina)
    thread = start(client, place, body="Hello @baraka")
    first = posts_of(thread)[0]
    client.submit(f"/discussions/posts/{first.id}/edit", {"body": "Hello @baraka and @chidi"})
    assert len(notices_of(place.baraka, "discussion_mention")) == 1
    chidi = db.session.scalars(select(User).where(User.username == "chidi")).one()
    assert len(notices_of(chidi, "discussion_mention")) == 1
