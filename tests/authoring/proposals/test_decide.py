"""Accepting and declining proposals: text lands upstream, credited to its authors."""

from __future__ import annotations

import json

from sqlalchemy import select

from peerlearn.authoring.proposals import proposable_modules
from peerlearn.content.merge import merge3
from peerlearn.content.models import CourseEvent, Module, ModuleRevision
from peerlearn.extensions import db
from tests.fixtures.proposals import BODY, add_module, edit, latest_proposal, module, text_of


def accept(client, login, world, data=None):
    login(world.owner)
    return client.submit(f"/proposals/{latest_proposal().id}/accept", data or {})


def test_accept_clean_updates_upstream_and_credits_author(client, login, propose, world):
    ours = BODY.replace("one metre", "1.2 metres")
    edit(world.fork, "module-1", ours, world.forker)
    propose(world, ["module-1"])
    response = accept(client, login, world)
    assert response.status_code == 302

    target = module(world.upstream, "module-1")
    assert target.current.body == ours
    assert target.current.kind == "proposal"
    assert target.current.author_id == world.forker.id
    assert target.current.saved_by_id == world.owner.id
    proposal = latest_proposal()
    assert proposal.status == "accepted"
    assert proposal.decided_by_id == world.owner.id and proposal.decided_at is not None
    # The fork no longer differs from upstream, and does not see its own change as new.
    assert module(world.fork, "module-1").upstream_revision_id == target.current_revision_id
    assert proposable_modules(world.fork) == []
    event = db.session.scalar(select(CourseEvent).where(CourseEvent.kind == "proposal_accepted"))
    assert event.course_id == world.upstream.id
    assert json.loads(event.detail)["proposal"] == proposal.id
    page = text_of(client.get(f"/proposals/{proposal.id}"))
    assert "Accepted by ana" in page
    assert "Accept proposal" not in page


def test_credit_goes_to_the_revisions_author_not_the_proposer(
    client, login, create_user, propose, world
):
    helper = create_user("uwase")
    edit(world.fork, "module-1", "Written by Uwase.\n", helper)
    propose(world, ["module-1"])  # jean proposes
    accept(client, login, world)
    assert module(world.upstream, "module-1").current.author_id == helper.id


def test_accept_merges_when_upstream_moved_on_elsewhere(client, login, propose, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    propose(world, ["module-1"])
    edit(world.upstream, "module-1", BODY.replace("Fill it", "Then fill it"), world.owner)
    response = accept(client, login, world)
    assert response.status_code == 302
    upstream = module(world.upstream, "module-1").current
    assert "1.2 metres" in upstream.body
    assert "Then fill it" in upstream.body
    assert upstream.author_id == world.forker.id
    assert latest_proposal().status == "accepted"
    # The fork keeps its base, so its next sync brings in upstream's other change cleanly
    # instead of the fork appearing to have deleted it.
    fork_module = module(world.fork, "module-1")
    synced = merge3(fork_module.upstream_revision.body, fork_module.current.body, upstream.body)
    assert synced.clean and synced.text == upstream.body


def test_conflict_shows_resolution_page_and_saves_nothing(client, login, propose, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    propose(world, ["module-1"])
    before = edit(world.upstream, "module-1", BODY.replace("one metre", "80 cm"), world.owner)
    response = accept(client, login, world)
    assert response.status_code == 409
    page = text_of(response)
    assert "Resolve conflicts" in page
    assert "80 cm" in page and "1.2 metres" in page
    item = latest_proposal().modules[0]
    assert f'name="text-{item.id}"' in page
    assert module(world.upstream, "module-1").current_revision_id == before.id
    assert latest_proposal().status == "open"


def test_conflict_resolved_through_the_form(client, login, propose, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    propose(world, ["module-1"])
    theirs = edit(world.upstream, "module-1", BODY.replace("one metre", "80 cm"), world.owner)
    accept(client, login, world)
    item = latest_proposal().modules[0]
    resolved = BODY.replace("one metre", "1 metre (80 cm in rocky soil)")
    response = client.submit(
        f"/proposals/{latest_proposal().id}/accept",
        {
            f"text-{item.id}": resolved.replace("\n", "\r\n"),
            f"title-{item.id}": "Trench",
            f"upstream-{item.id}": theirs.id,
        },
    )
    assert response.status_code == 302
    upstream = module(world.upstream, "module-1").current
    assert upstream.body == resolved
    assert upstream.parent_id == theirs.id
    assert upstream.author_id == world.forker.id and upstream.saved_by_id == world.owner.id
    assert latest_proposal().status == "accepted"


def test_stale_resolution_is_shown_again(client, login, propose, world):
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    propose(world, ["module-1"])
    theirs = edit(world.upstream, "module-1", BODY.replace("one metre", "80 cm"), world.owner)
    accept(client, login, world)
    edit(world.upstream, "module-1", BODY.replace("one metre", "90 cm"), world.owner)
    item = latest_proposal().modules[0]
    response = client.submit(
        f"/proposals/{latest_proposal().id}/accept",
        {f"text-{item.id}": "Mine.\n", f"upstream-{item.id}": theirs.id},
    )
    assert response.status_code == 409
    assert "Someone changed the course while you were resolving" in text_of(response)
    assert "90 cm" in module(world.upstream, "module-1").current.body
    assert latest_proposal().status == "open"


def test_new_module_is_added_upstream(client, login, propose, world):
    add_module(world.fork, "module-1", "Cookstove", "Use bricks.\n", world.forker)  # slug taken
    fork_module = db.session.scalar(
        select(Module).where(Module.course_id == world.fork.id, Module.key.like("%module-1"))
    )
    login(world.forker)
    client.submit("/courses/biogas-rw/propose", {"title": "Stoves", "modules": [fork_module.id]})
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "new module" in html and "<ins>Use bricks.\n</ins>" in html
    assert accept(client, login, world).status_code == 302

    added = db.session.scalars(
        select(Module).where(Module.course_id == world.upstream.id).order_by(Module.position)
    ).all()[-1]
    assert added.current.title == "Cookstove"
    assert added.current.body == "Use bricks.\n"
    assert added.key == fork_module.key
    assert added.slug == "module-1-2"
    assert added.position == 4
    assert added.current.author_id == world.forker.id
    db.session.refresh(fork_module)
    assert fork_module.upstream_module_id == added.id
    assert fork_module.upstream_revision_id == added.current_revision_id
    assert "Cookstove" in text_of(client.get("/courses/biogas"))


def test_decline_with_reason(client, login, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    login(world.owner)
    proposal_id = latest_proposal().id
    response = client.submit(f"/proposals/{proposal_id}/decline", {"reason": "Too *local*."})
    assert response.status_code == 302
    proposal = latest_proposal()
    assert proposal.status == "declined" and proposal.decision_reason == "Too *local*."
    assert module(world.upstream, "module-1").current.body == BODY
    page = text_of(client.get(f"/proposals/{proposal_id}"))
    assert "Declined by ana" in page and "Too <em>local</em>." in page


def test_decline_without_reason_is_refused(client, login, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    login(world.owner)
    response = client.submit(f"/proposals/{latest_proposal().id}/decline", {"reason": "  "})
    assert response.status_code == 422
    assert "Say why you decline" in text_of(response)
    assert latest_proposal().status == "open"


def test_double_decision_is_409_and_applies_once(client, login, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    assert accept(client, login, world).status_code == 302
    count = db.session.scalar(select(db.func.count(ModuleRevision.id)))
    again = client.submit(f"/proposals/{latest_proposal().id}/accept")
    assert again.status_code == 409
    assert "already accepted" in text_of(again)
    declined = client.submit(f"/proposals/{latest_proposal().id}/decline", {"reason": "No"})
    assert declined.status_code == 409
    assert db.session.scalar(select(db.func.count(ModuleRevision.id))) == count
    assert latest_proposal().status == "accepted"


def test_decision_permissions(client, login, create_user, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])  # logged in as the fork's maintainer
    proposal_id = latest_proposal().id
    for action, data in (("accept", {}), ("decline", {"reason": "no"})):
        url = f"/proposals/{proposal_id}/{action}"
        assert client.submit(url, data).status_code == 403  # the proposer cannot decide
        login(create_user())
        assert client.submit(url, data).status_code == 403
        assert client.post(url, data=data).status_code == 400  # no CSRF token
        client.post("/logout", data={"csrf_token": client.csrf_token()})
        response = client.submit(url, data)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert client.get(url).status_code == 405
        login(world.forker)
    login(world.owner)
    assert client.submit("/proposals/4242/accept").status_code == 404
    assert latest_proposal().status == "open"


def test_only_deciders_see_decision_buttons(client, login, create_user, propose, world):
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    propose(world, ["module-1"])
    url = f"/proposals/{latest_proposal().id}"
    assert "Accept proposal" not in text_of(client.get(url))
    login(world.owner)
    assert "Accept proposal" in text_of(client.get(url))


def test_both_renamed_is_resolved_with_the_chosen_title(client, login, propose, world):
    edit(world.fork, "module-2", "Fold the bag.\n", world.forker, title="Folding")
    propose(world, ["module-2"])
    theirs = edit(world.upstream, "module-2", "Fold the bag.\n", world.owner, title="The bag")
    response = accept(client, login, world)
    assert response.status_code == 409
    assert "Both sides renamed the module" in text_of(response)
    item = latest_proposal().modules[0]
    fields = {f"text-{item.id}": "Fold the bag.\n", f"upstream-{item.id}": theirs.id}
    empty = client.submit(
        f"/proposals/{latest_proposal().id}/accept", {**fields, f"text-{item.id}": " "}
    )
    assert empty.status_code == 400
    fields[f"title-{item.id}"] = "Folding the bag"
    assert client.submit(f"/proposals/{latest_proposal().id}/accept", fields).status_code == 302
    assert module(world.upstream, "module-2").current.title == "Folding the bag"
