"""A full page of a thread and of a thread list fits the page budget in every language,
needs no JavaScript, and costs the same number of queries however many posts it shows."""

from __future__ import annotations

import re

import pytest

from peerlearn.discussions.services import POSTS_PER_PAGE, THREADS_PER_PAGE
from tests.fixtures.discussions import start
from tests.fixtures.pages import LANGUAGES, Page, stylesheet

#: A typical post: a few sentences with some Markdown (a long one is shorter than many).
POST = (
    "I dug mine **1.2 m** deep in clay. The walls held without lining for a week, then "
    "the rain came and one side slumped. Next time I would line it before the rains and "
    "slope the ends. @amina, did yours hold? " * 2
)


@pytest.fixture
def busy(client, login, place, app, monkeypatch, create_user):
    monkeypatch.setitem(app.config, "DISCUSSION_NEW_ACCOUNT_DAYS", 0)
    login(place.amina)
    for n in range(THREADS_PER_PAGE):
        start(client, place, title=f"How deep should the trench be in clay soil? ({n})")
    thread = start(client, place, title="Trench walls collapsing after rain", body=POST)
    for _n in range(POSTS_PER_PAGE - 1):
        client.submit(f"/discussions/{thread.id}", {"body": POST})
    return thread


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_thread_and_thread_list_fit_the_budget(client, place, busy, language):
    client.submit("/settings", {"language": language, "timezone": "UTC"})
    client.get("/settings")
    for url in (f"/discussions/{busy.id}", place.module_url):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data()
        page = Page(url, url, html, stylesheet(client, html))
        assert page.within_budget, (url, language, page.raw, page.gzip)
        assert not re.search(rb"<script|<[^>]+\son[a-z]+\s*=", html, re.IGNORECASE)


def test_query_count_does_not_grow_with_the_posts_shown(
    client, login, place, count_queries, app, monkeypatch, create_user
):
    monkeypatch.setitem(app.config, "DISCUSSION_NEW_ACCOUNT_DAYS", 0)
    login(place.amina)
    url = f"/discussions/{start(client, place).id}"

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries()
    for n in range(8):
        author = create_user(f"learner{n}x")
        client.submit("/logout")
        login(author)
        client.submit(url, {"body": f"Reply {n}"})
    client.submit("/logout")
    login(place.amina)
    assert queries() == few
