"""Notices of course authoring: a proposal reaches the maintainers, its outcome reaches its
author, and a change upstream reaches the maintainers of the forks."""

from __future__ import annotations

from peerlearn.content.models import CourseMaintainer
from peerlearn.extensions import db
from peerlearn.notifications import message
from peerlearn.notifications.models import Channel, EmailMode
from peerlearn.notifications.preferences import save_preferences
from tests.fixtures.notices import notices_of
from tests.fixtures.proposals import BODY, edit, latest_proposal, module


def kinds(user):
    return [n.kind for n in notices_of(user)]


def test_a_proposal_notifies_the_maintainers_not_its_author(
    client, login, propose, world, create_user
):
    co = create_user("co")
    db.session.add(CourseMaintainer(course_id=world.upstream.id, user_id=co.id))
    db.session.commit()
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    assert propose(world, ["module-1"]).status_code == 302
    for maintainer in (world.owner, co):
        (notice,) = notices_of(maintainer)
        assert notice.kind == "proposal_received"
        assert notice.url == f"/proposals/{latest_proposal().id}"
        assert message(notice) == (
            "A change proposal “Better trench” was made to your course “Course 1”."
        )
    assert kinds(world.forker) == []
    login(world.owner)
    assert "Notifications (1)" in client.get("/notifications").get_data(as_text=True)


def test_opt_out_of_proposals_is_respected(client, login, propose, world):
    save_preferences(world.owner.id, EmailMode.IMMEDIATE, {"proposal_received": Channel.ALL})
    db.session.commit()
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    assert propose(world, ["module-1"]).status_code == 302
    assert kinds(world.owner) == []


def test_accept_and_decline_tell_the_author_and_the_other_maintainers(
    client, login, propose, world, create_user
):
    co = create_user("co")
    db.session.add(CourseMaintainer(course_id=world.upstream.id, user_id=co.id))
    db.session.commit()
    edit(world.fork, "module-1", BODY.replace("one metre", "1.2 metres"), world.forker)
    assert propose(world, ["module-1"], title="First").status_code == 302
    login(world.owner)
    client.submit(f"/proposals/{latest_proposal().id}/decline", {"reason": "Not now."})
    (outcome,) = [n for n in notices_of(world.forker) if n.kind == "proposal_outcome"]
    assert "was declined" in message(outcome) and "“First”" in message(outcome)
    assert "proposal_decided" in kinds(co)
    assert "proposal_decided" not in kinds(world.owner)  # who decided knows

    assert propose(world, ["module-1"], title="Second").status_code == 302
    login(world.owner)
    assert client.submit(f"/proposals/{latest_proposal().id}/accept", {}).status_code == 302
    accepted = [message(n) for n in notices_of(world.forker) if n.kind == "proposal_outcome"]
    assert any("“Second”" in text and "was accepted" in text for text in accepted)


def test_an_upstream_edit_tells_the_fork_maintainers_once(client, login, world):
    from tests.fixtures.authoring import base_revision_of

    login(world.owner)

    def save(body):
        page = client.get("/courses/biogas/m/module-1/edit").get_data(as_text=True)
        response = client.submit(
            "/courses/biogas/m/module-1/edit",
            {"title": "Trench", "body": body, "summary": "",
             "base_revision_id": base_revision_of(page)},
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)

    save("## Trench\n\nDig deeper.\n")
    save("## Trench\n\nDig much deeper.\n")  # still unread: no second notice
    (notice,) = notices_of(world.forker)
    assert notice.kind == "upstream_changed" and notice.url == "/courses/biogas-rw/sync"
    assert message(notice) == (
        "“Course 1”, which your course “Biogas Rwanda” was forked from, has changed."
    )
    assert kinds(world.owner) == []  # who changed it is not told
    assert module(world.fork, "module-1")
