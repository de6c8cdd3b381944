"""Change proposals carry assignments: offered next to modules, shown as a diff of their
YAML, merged three-way and checked like the assignment editor checks them, credited to
their authors, created upstream when the fork added them."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.authoring.proposals import proposable_assignments
from peerlearn.content.models import CourseEvent
from peerlearn.extensions import db
from tests.fixtures.assignment_authoring import hidden_of, textarea_of
from tests.fixtures.proposals import (
    add_assignment,
    add_module,
    assignment,
    edit,
    edit_assignment,
    latest_proposal,
    module,
    text_of,
    visible,
)


def accept(client, login, world, data=None):
    login(world.owner)
    return client.submit(f"/proposals/{latest_proposal().id}/accept", data or {})


def new_assignment_text(world, module_key: str, key: str = "biogas-rw-pressure") -> str:
    """A valid assignment of the fork, written there, with its own id and title."""
    text = assignment(world.fork).current.text
    lines = text.splitlines(keepends=True)
    replaced = {"id": f"id: {key}\n", "title": "title: Pressure test\n"}
    replaced["module"] = f"module: {module_key}\n"
    return "".join(
        replaced.get(line.split(":", 1)[0], line) if not line.startswith(" ") else line
        for line in lines
    )


def revision_count() -> int:
    return int(db.session.scalar(select(func.count(AssignmentRevision.id))) or 0)


# --- Proposing ---------------------------------------------------------------------------


def test_form_lists_changed_and_added_assignments(client, login, assignment_world):
    world = assignment_world
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    add_assignment(world.fork, "pressure", new_assignment_text(world, "biogas-m1"), world.forker)
    login(world.forker)
    page = visible(client.get("/courses/biogas-rw/propose"))
    assert "Assignments to offer" in page
    assert "Gas production test (changed)" in page
    assert "Pressure test (new assignment)" in page


def test_unchanged_assignments_are_not_offered(client, login, assignment_world):
    login(assignment_world.forker)
    page = visible(client.get("/courses/biogas-rw/propose"))
    assert "Nothing to propose" in page
    assert proposable_assignments(assignment_world.fork) == []


def test_propose_an_assignment_alone_records_its_base(propose_items, assignment_world):
    world = assignment_world
    base = assignment(world.upstream).current_revision_id
    proposed = edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    response = propose_items(world, assignments=["gas-test"])
    assert response.status_code == 302
    proposal = latest_proposal()
    assert proposal.modules == []
    [item] = proposal.assignments
    assert item.source_assignment_id == assignment(world.fork).id
    assert item.target_assignment_id == assignment(world.upstream).id
    assert item.proposed_revision_id == proposed.id
    assert item.base_revision_id == base


def test_nothing_chosen_names_both_kinds(propose_items, assignment_world):
    world = assignment_world
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    response = propose_items(world)
    assert response.status_code == 422
    assert "Choose at least one module or assignment to offer." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 2


def test_an_unchanged_assignment_cannot_be_smuggled_in(propose_items, assignment_world):
    world = assignment_world
    edit(world.fork, "module-1", "Changed.\n", world.forker)
    response = propose_items(world, modules=["module-1"], assignments=["gas-test"])
    assert response.status_code == 422
    assert "An assignment you chose no longer differs from upstream" in text_of(response)


# --- Showing -----------------------------------------------------------------------------


def test_proposal_page_shows_the_assignment_diff_against_upstream(
    client, propose_items, assignment_world
):
    world = assignment_world
    edit(world.fork, "module-1", BODY_CHANGED, world.forker)
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    propose_items(world, modules=["module-1"], assignments=["gas-test"])
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "1 module" in html and "1 assignment" in html
    assert "Gas production test" in html
    assert "must_review: <del>4</del><ins>5</ins>" in html
    # Unchanged YAML lines far from the change are folded away.
    assert "unchanged lines" in html
    listing = text_of(client.get("/courses/biogas/proposals"))
    assert "1 assignment" in listing


BODY_CHANGED = "Dig deeper.\n"


# --- Accepting ---------------------------------------------------------------------------


def test_accept_merges_credits_and_records_events(client, login, propose_items, assignment_world):
    world = assignment_world
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    propose_items(world, assignments=["gas-test"])
    edit_assignment(world.upstream, "Build quality", "Build quality and safety", world.owner)
    response = accept(client, login, world)
    assert response.status_code == 302
    page = visible(client.get(response.headers["Location"]))
    assert "1 assignment updated" in page and "module updated" not in page

    upstream = assignment(world.upstream)
    assert "must_review: 5" in upstream.current.text
    assert "Build quality and safety" in upstream.current.text
    assert upstream.current.kind == "proposal"
    assert upstream.current.author_id == world.forker.id
    assert upstream.current.saved_by_id == world.owner.id
    assert latest_proposal().status == "accepted"
    event = db.session.scalar(select(CourseEvent).where(CourseEvent.kind == "proposal_accepted"))
    assert event.course_id == world.upstream.id
    assert json.loads(event.detail)["proposal"] == latest_proposal().id
    # Upstream also holds a change the fork has not taken: the fork keeps its old base so
    # that its next sync brings that change in.
    fork_copy = assignment(world.fork)
    assert fork_copy.upstream_revision_id != upstream.current_revision_id


def test_accept_unchanged_upstream_links_the_fork_copy(
    client, login, create_user, propose_items, assignment_world
):
    world = assignment_world
    helper = create_user("uwase")
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", helper)
    propose_items(world, assignments=["gas-test"])  # jean proposes uwase's words
    assert accept(client, login, world).status_code == 302
    upstream = assignment(world.upstream)
    assert upstream.current.text == assignment(world.fork).current.text
    assert upstream.current.author_id == helper.id
    assert assignment(world.fork).upstream_revision_id == upstream.current_revision_id
    assert proposable_assignments(world.fork) == []


def conflicting(client, login, propose_items, world):
    edit_assignment(world.fork, "must_review: 4", "must_review: 6", world.forker)
    propose_items(world, assignments=["gas-test"])
    theirs = edit_assignment(world.upstream, "must_review: 4", "must_review: 5", world.owner)
    return theirs, accept(client, login, world)


def test_conflict_goes_to_the_resolve_form_and_saves_nothing(
    client, login, propose_items, assignment_world
):
    world = assignment_world
    theirs, response = conflicting(client, login, propose_items, world)
    assert response.status_code == 409
    html = text_of(response)
    assert "Resolve conflicts" in html and "Assignment: Gas production test" in html
    assert "must_review: 5" in html and "must_review: 6" in html
    item = latest_proposal().assignments[0]
    assert "must_review: 6" in textarea_of(html, f"assignment-text-{item.id}")
    assert hidden_of(html, f"assignment-upstream-{item.id}") == str(theirs.id)
    assert "Someone changed the course" not in html
    assert assignment(world.upstream).current_revision_id == theirs.id
    assert latest_proposal().status == "open"


def test_conflict_resolved_through_the_form(client, login, propose_items, assignment_world):
    world = assignment_world
    theirs, response = conflicting(client, login, propose_items, world)
    item = latest_proposal().assignments[0]
    resolved = textarea_of(text_of(response), f"assignment-text-{item.id}").replace(
        "must_review: 6", "must_review: 7"
    )
    response = client.submit(
        f"/proposals/{latest_proposal().id}/accept",
        {
            f"assignment-text-{item.id}": resolved.replace("\n", "\r\n"),
            f"assignment-upstream-{item.id}": theirs.id,
        },
    )
    assert response.status_code == 302
    upstream = assignment(world.upstream).current
    assert upstream.text == resolved
    assert upstream.parent_id == theirs.id
    assert upstream.author_id == world.forker.id and upstream.saved_by_id == world.owner.id
    assert latest_proposal().status == "accepted"


def test_merge_that_is_not_a_valid_assignment_is_refused_with_a_reason(
    client, login, propose_items, assignment_world
):
    world = assignment_world
    # Each side is valid alone (4 >= 4, 3 >= 3); merged, must_review 3 < must_be_reviewed 4.
    edit_assignment(world.fork, "must_be_reviewed: 3", "must_be_reviewed: 4", world.forker)
    propose_items(world, assignments=["gas-test"])
    theirs = edit_assignment(world.upstream, "must_review: 4", "must_review: 3", world.owner)
    before = revision_count()
    response = accept(client, login, world)
    assert response.status_code == 409
    page = visible(response)
    assert "The text is not a valid assignment:" in page
    assert "must_review" in page and "must be at least must_be_reviewed (4)" in page
    item = latest_proposal().assignments[0]
    merged = textarea_of(text_of(response), f"assignment-text-{item.id}")
    assert "must_review: 3" in merged and "must_be_reviewed: 4" in merged
    assert revision_count() == before
    assert assignment(world.upstream).current_revision_id == theirs.id
    assert latest_proposal().status == "open"

    # A resolution that still does not validate is shown again with the maintainer's text.
    fields = {f"assignment-upstream-{item.id}": theirs.id}
    again = client.submit(
        f"/proposals/{latest_proposal().id}/accept",
        {**fields, f"assignment-text-{item.id}": merged},
    )
    assert again.status_code == 409
    assert "The text is not a valid assignment:" in visible(again)
    assert "Someone changed the course" not in text_of(again)
    assert textarea_of(text_of(again), f"assignment-text-{item.id}") == merged
    fixed = merged.replace("must_review: 3", "must_review: 4")
    done = client.submit(
        f"/proposals/{latest_proposal().id}/accept",
        {**fields, f"assignment-text-{item.id}": fixed},
    )
    assert done.status_code == 302
    assert assignment(world.upstream).current.text == fixed


def test_assignment_on_a_module_upstream_lacks_gets_a_clear_message(
    client, login, propose_items, assignment_world
):
    world = assignment_world
    stove = add_module(world.fork, "stove", "Cookstove", "Use bricks.\n", world.forker)
    edit_assignment(world.fork, "module: biogas-m1", f"module: {stove.key}", world.forker)
    propose_items(world, assignments=["gas-test"])
    before = revision_count()
    response = accept(client, login, world)
    assert response.status_code == 409
    page = visible(response)
    assert f"has no module with the id “{stove.key}”" in page
    assert "biogas-m1 · Trench" in page  # the ids it could use instead
    assert revision_count() == before
    assert latest_proposal().status == "open"


def test_assignment_on_a_module_proposed_with_it_is_accepted(
    client, login, propose_items, assignment_world
):
    world = assignment_world
    stove = add_module(world.fork, "stove", "Cookstove", "Use bricks.\n", world.forker)
    edit_assignment(world.fork, "module: biogas-m1", f"module: {stove.key}", world.forker)
    propose_items(world, modules=["stove"], assignments=["gas-test"])
    assert accept(client, login, world).status_code == 302
    upstream = assignment(world.upstream)
    assert upstream.module is not None
    assert upstream.module.course_id == world.upstream.id and upstream.module.key == stove.key


def test_new_assignment_is_created_upstream_and_the_fork_copy_linked(
    client, login, propose_items, assignment_world
):
    world = assignment_world
    text = new_assignment_text(world, "biogas-m2")
    assignment(world.fork).slug = "gas-test-old"
    db.session.commit()
    fork_copy = add_assignment(world.fork, "gas-test", text, world.forker)  # taken upstream
    propose_items(world, assignments=["gas-test"])
    html = text_of(client.get(f"/proposals/{latest_proposal().id}"))
    assert "new assignment" in html and "Pressure test" in html
    assert accept(client, login, world).status_code == 302

    created = db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == world.upstream.id, Assignment.key == "biogas-rw-pressure"
        )
    )
    assert created is not None
    assert created.slug == "gas-test-2"
    assert created.module is not None and created.module.key == "biogas-m2"
    assert created.current.text == fork_copy.current.text
    assert created.current.author_id == world.forker.id
    assert created.current.kind == "proposal"
    db.session.refresh(fork_copy)
    assert fork_copy.upstream_assignment_id == created.id
    assert fork_copy.upstream_revision_id == created.current_revision_id
    assert proposable_assignments(world.fork) == []
    event = db.session.scalar(select(CourseEvent).where(CourseEvent.kind == "assignment_added"))
    assert event.course_id == world.upstream.id
    assert json.loads(event.detail)["slug"] == "gas-test-2"
    history = visible(client.get("/courses/biogas/history"))
    assert "Added the assignment “Pressure test”." in history


def test_decline_leaves_upstream_as_it_was(client, login, propose_items, assignment_world):
    world = assignment_world
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    propose_items(world, assignments=["gas-test"])
    before = assignment(world.upstream).current_revision_id
    login(world.owner)
    response = client.submit(
        f"/proposals/{latest_proposal().id}/decline", {"reason": "Four reviews are enough."}
    )
    assert response.status_code == 302
    assert latest_proposal().status == "declined"
    assert assignment(world.upstream).current_revision_id == before


def test_double_accept_is_stored_once(client, login, propose_items, assignment_world):
    world = assignment_world
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    propose_items(world, assignments=["gas-test"])
    assert accept(client, login, world).status_code == 302
    count = revision_count()
    again = client.submit(f"/proposals/{latest_proposal().id}/accept")
    assert again.status_code == 409
    assert "already accepted" in text_of(again)
    assert revision_count() == count


def test_only_upstream_maintainers_accept(
    client, login, create_user, propose_items, assignment_world
):
    world = assignment_world
    edit_assignment(world.fork, "must_review: 4", "must_review: 5", world.forker)
    propose_items(world, assignments=["gas-test"])  # signed in as the fork's maintainer
    url = f"/proposals/{latest_proposal().id}/accept"
    before = assignment(world.upstream).current_revision_id
    assert client.submit(url).status_code == 403
    login(create_user())
    assert client.submit(url).status_code == 403
    assert assignment(world.upstream).current_revision_id == before
    assert latest_proposal().status == "open"


def test_kept_resolutions_survive_another_round(client, login, propose_items, assignment_world):
    """A module resolution that was fine stays in the form while an assignment is fixed,
    so the maintainer never has to resolve the same thing twice."""
    world = assignment_world
    edit(world.fork, "module-1", "Ours.\n", world.forker)
    theirs_module = edit(world.upstream, "module-1", "Theirs.\n", world.owner)
    edit_assignment(world.fork, "must_review: 4", "must_review: 6", world.forker)
    propose_items(world, modules=["module-1"], assignments=["gas-test"])
    theirs = edit_assignment(world.upstream, "must_review: 4", "must_review: 5", world.owner)
    first = accept(client, login, world)
    assert first.status_code == 409
    proposal = latest_proposal()
    item, mod = proposal.assignments[0], proposal.modules[0]
    text = textarea_of(text_of(first), f"assignment-text-{item.id}")
    fields = {
        f"text-{mod.id}": "Both.\n",
        f"title-{mod.id}": "Trench",
        f"upstream-{mod.id}": theirs_module.id,
        f"assignment-upstream-{item.id}": theirs.id,
    }
    bad = text.replace("must_review: 6", "must_review: 1")
    second = client.submit(
        f"/proposals/{proposal.id}/accept", {**fields, f"assignment-text-{item.id}": bad}
    )
    assert second.status_code == 409
    html = text_of(second)
    assert "Your text for this module is kept below." in html
    assert textarea_of(html, f"text-{mod.id}") == "Both.\n"
    assert "Someone changed the course" not in html
    good = text.replace("must_review: 6", "must_review: 5")
    third = client.submit(
        f"/proposals/{proposal.id}/accept", {**fields, f"assignment-text-{item.id}": good}
    )
    assert third.status_code == 302
    assert module(world.upstream, "module-1").current.body == "Both.\n"
    assert assignment(world.upstream).current.text == good
