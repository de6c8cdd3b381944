"""Reading proposals: the list per course, the proposal page, and its discussion."""

from __future__ import annotations

from tests.fixtures.proposals import BODY, edit, latest_proposal, module, text_of, visible


def test_list_shows_open_first_with_author_fork_and_status(client, login, propose, world):
    edit(world.fork, "module-1", "First.\n", world.forker)
    propose(world, ["module-1"], title="Declined one")
    first = latest_proposal()
    login(world.owner)
    client.submit(f"/proposals/{first.id}/decline", {"reason": "Not now."})
    edit(world.fork, "module-2", "Second.\n", world.forker)
    propose(world, ["module-2"], title="Open one")

    response = client.get("/courses/biogas/proposals")
    assert response.status_code == 200
    page = visible(response)
    assert page.index("Open one") < page.index("Declined one")
    assert "jean" in page and "Biogas Rwanda" in page
    assert "Open" in page and "Declined" in page


def test_list_is_paginated(client, app, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    per_page = app.config["COURSES_PER_PAGE"]
    for n in range(per_page + 1):
        propose(world, ["module-1"], title=f"Proposal number {n}")
    first = text_of(client.get("/courses/biogas/proposals"))
    assert "Page 1 of 2" in first
    assert first.count('class="card"') == per_page
    second = client.get("/courses/biogas/proposals?page=2")
    assert text_of(second).count('class="card"') == 1
    assert client.get("/courses/biogas/proposals?page=3").status_code == 404
    assert client.get("/courses/biogas/proposals?page=0").status_code == 404
    assert client.get("/courses/nope/proposals").status_code == 404


def test_list_query_count_does_not_grow(client, propose, world, count_queries, app):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"], title="One")
    client.submit(f"/proposals/{latest_proposal().id}/comments", {"body": "Hi"})
    with count_queries() as one:
        client.get("/courses/biogas/proposals")
    for n in range(app.config["COURSES_PER_PAGE"] + 3):
        edit(world.fork, "module-2", f"Changed {n}.\n", world.forker)
        propose(world, ["module-1", "module-2"], title=f"More {n}")
        client.submit(f"/proposals/{latest_proposal().id}/comments", {"body": "Hi"})
    with count_queries() as many:
        response = client.get("/courses/biogas/proposals")
    assert "More" in text_of(response)
    assert many.count == one.count


def test_proposal_page_diffs_against_upstreams_current_text(client, propose, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    propose(world, ["module-1"])
    # Upstream fixes another paragraph after the fork was made.
    edit(world.upstream, "module-1", BODY.replace("plastic", "strong plastic"), world.owner)
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "<del>one metre</del><ins>1.2 metres</ins>" in html
    # Against upstream's current text the proposal lacks "strong ": shown as deleted.
    assert "<del>strong </del>" in html
    assert "<p>Works in <em>clay</em> soil.</p>" in html


def test_proposal_page_escapes_module_text(client, propose, world):
    edit(world.fork, "module-1", BODY + "<script>alert(1)</script>\n", world.forker)
    propose(world, ["module-1"])
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_title_change_is_shown(client, propose, world):
    edit(world.fork, "module-2", "Fold the bag.\n", world.forker, title="Folding the bag")
    propose(world, ["module-2"])
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "<del>Bag</del> → <ins>Folding the bag</ins>" in html


def test_comment_with_hostile_markdown_is_sanitized(client, login, create_user, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    proposal_id = latest_proposal().id
    login(create_user("mallory"))
    hostile = (
        "**Nice** <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[click](javascript:alert(1))"
    )
    response = client.submit(f"/proposals/{proposal_id}/comments", {"body": hostile})
    assert response.status_code == 302
    html = text_of(client.get(f"/proposals/{proposal_id}"))
    assert "<strong>Nice</strong>" in html
    assert "<script>alert('x')" not in html
    assert "onerror" not in html
    assert 'href="javascript' not in html
    assert "mallory" in html


def test_empty_comment_is_a_form_error(client, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    response = client.submit(f"/proposals/{latest_proposal().id}/comments", {"body": "  "})
    assert response.status_code == 422
    assert "Write a comment first." in text_of(response)
    assert latest_proposal().comments == []


def test_reading_and_commenting_permissions(client, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    proposal_id = latest_proposal().id
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    assert client.get(f"/proposals/{proposal_id}").status_code == 200
    assert "Log in to comment" in text_of(client.get(f"/proposals/{proposal_id}"))
    response = client.submit(f"/proposals/{proposal_id}/comments", {"body": "Hi"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/proposals/99999").status_code == 404
    assert client.get("/proposals/abc").status_code == 404
    assert latest_proposal().comments == []


def test_comment_without_csrf_is_refused(client, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    response = client.post(f"/proposals/{latest_proposal().id}/comments", data={"body": "Hi"})
    assert response.status_code == 400
    assert module(world.fork, "module-1") is not None
