"""Offering a fork's changes upstream through the propose form."""

from __future__ import annotations

from tests.fixtures.proposals import (
    BODY,
    add_module,
    edit,
    latest_proposal,
    module,
    text_of,
    visible,
)


def test_form_lists_only_changed_and_added_modules(client, login, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    add_module(world.fork, "stove", "Cookstove", "Use bricks.\n", world.forker)
    login(world.forker)
    page = visible(client.get("/courses/biogas-rw/propose"))
    assert "Trench (changed)" in page
    assert "Cookstove (new module)" in page
    assert "Bag" not in page and "Gas" not in page


def test_nothing_to_propose_says_so(client, login, world):
    login(world.forker)
    response = client.get("/courses/biogas-rw/propose")
    assert response.status_code == 200
    assert "Nothing to propose" in text_of(response)


def test_propose_creates_proposal_with_module_bases(propose, world):
    base = module(world.upstream, "module-1").current_revision_id
    proposed = edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    response = propose(world, ["module-1"])
    assert response.status_code == 302
    proposal = latest_proposal()
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    assert proposal.status == "open"
    assert proposal.source_course_id == world.fork.id
    assert proposal.target_course_id == world.upstream.id
    assert proposal.author_id == world.forker.id
    [item] = proposal.modules
    assert item.proposed_revision_id == proposed.id
    assert item.base_revision_id == base
    assert item.target_module_id == module(world.upstream, "module-1").id


def test_no_module_chosen_is_a_form_error(propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    response = propose(world, [])
    assert response.status_code == 422
    assert "Choose at least one module to offer." in text_of(response)
    assert latest_proposal_count() == 0


def test_empty_title_is_a_form_error(propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    response = propose(world, ["module-1"], title="   ")
    assert response.status_code == 422
    assert "Give your proposal a title." in text_of(response)
    assert latest_proposal_count() == 0


def test_unchanged_module_cannot_be_smuggled_in(propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    response = propose(world, ["module-1", "module-2"])
    assert response.status_code == 422
    assert latest_proposal_count() == 0


def test_garbage_module_id_is_a_form_error_not_a_crash(client, login, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    login(world.forker)
    response = client.submit("/courses/biogas-rw/propose", {"title": "x", "modules": "abc"})
    assert response.status_code == 422


def test_course_page_links(client, login, create_user, world):
    # Anonymous readers of a course without proposals see nothing.
    assert "change proposal" not in text_of(client.get("/courses/biogas"))
    login(world.forker)
    assert "Propose changes upstream" in text_of(client.get("/courses/biogas-rw"))
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    client.submit(
        "/courses/biogas-rw/propose",
        {"title": "T", "modules": [module(world.fork, "module-1").id]},
    )
    login(create_user("reader"))
    page = client.get("/courses/biogas")
    assert "1 open change proposal" in text_of(page)
    assert "/courses/biogas/proposals" in text_of(page)
    assert "Propose changes upstream" not in text_of(client.get("/courses/biogas-rw"))


def test_maintainer_sees_zero_open_proposals_link(client, login, world):
    login(world.owner)
    assert "0 open change proposals" in text_of(client.get("/courses/biogas"))


def test_propose_permissions(client, login, create_user, world):
    url = "/courses/biogas-rw/propose"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(create_user("stranger"))
    assert client.get(url).status_code == 403
    assert client.submit(url, {"title": "x"}).status_code == 403
    login(world.owner)  # maintains upstream, not the fork
    assert client.get(url).status_code == 403
    login(world.owner)
    assert client.get("/courses/biogas/propose").status_code == 404  # not a fork
    assert client.get("/courses/nope/propose").status_code == 404


def test_propose_without_csrf_is_refused(client, login, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    login(world.forker)
    response = client.post(
        "/courses/biogas-rw/propose",
        data={"title": "x", "modules": [module(world.fork, "module-1").id]},
    )
    assert response.status_code == 400
    assert latest_proposal_count() == 0


def latest_proposal_count() -> int:
    from sqlalchemy import func, select

    from peerlearn.authoring.proposal_models import ChangeProposal
    from peerlearn.extensions import db

    return int(db.session.scalar(select(func.count(ChangeProposal.id))) or 0)
