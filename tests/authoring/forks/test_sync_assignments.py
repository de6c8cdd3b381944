"""Taking upstream assignment changes into a fork: counted on the course page, merged on
the YAML text and credited to the upstream author, conflicts resolved (and checked) in the
form, assignments added upstream copied onto the fork's matching module."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from peerlearn.assignments.models import Assignment
from peerlearn.content.revisions import add_revision
from tests.fixtures.forks import course, hidden_of, textarea_of


@pytest.fixture
def setup(db, client, login, create_user, biogas, fork, create_assignment):
    """biogas (with an assignment) forked by the signed-in jean; carla edits upstream."""
    jean, carla = create_user("jean"), create_user("carla")
    create_assignment(biogas, slug="gas-test")
    fork("biogas", jean, "biogas-rw")
    login(jean)
    return jean, carla


def assignment(db, course_slug: str, slug: str = "gas-test") -> Assignment:
    found = db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == course(db, course_slug).id, Assignment.slug == slug
        )
    )
    assert found is not None, (course_slug, slug)
    return found


def edit_text(db, course_slug: str, author, old: str, new: str, slug: str = "gas-test"):
    target = assignment(db, course_slug, slug)
    current = target.current
    assert old in current.text
    revision = add_revision(
        target, current.text.replace(old, new), author=author, kind="edit", parent=current
    )
    db.session.commit()
    return revision


def not_taken(client, slug: str = "biogas-rw") -> str:
    html = client.get(f"/courses/{slug}").get_data(as_text=True)
    match = re.search(r"(\d+) upstream changes? not taken", html)
    return match.group(1) if match else ("0" if "Up to date with" in html else "?")


def test_an_unchanged_or_equal_upstream_assignment_is_not_counted(client, db, setup):
    jean, carla = setup
    assert not_taken(client) == "0"
    edit_text(db, "biogas", carla, "must_review: 4", "must_review: 4")  # same text again
    assert not_taken(client) == "0"
    edit_text(db, "biogas", carla, "must_review: 4", "must_review: 5")
    edit_text(db, "biogas-rw", jean, "must_review: 4", "must_review: 5")
    assert not_taken(client) == "0"


def test_clean_sync_of_an_assignment_credits_the_upstream_author(client, db, setup):
    jean, carla = setup
    edit_text(db, "biogas-rw", jean, "Build quality", "Build quality and safety")
    theirs = edit_text(db, "biogas", carla, "must_review: 4", "must_review: 5")
    assert not_taken(client) == "1"
    page = client.get("/courses/biogas-rw/sync")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Assignment: Gas production test" in html and "Merges cleanly" in html
    assert "must_review: <del>4</del><ins>5</ins>" in html or "<ins>5</ins>" in html
    assert "Upstream version by carla" in html
    response = client.submit("/courses/biogas-rw/sync", {"token": hidden_of(html, "token")})
    assert response.status_code == 302
    mine = assignment(db, "biogas-rw")
    assert "must_review: 5" in mine.current.text
    assert "Build quality and safety" in mine.current.text
    assert mine.current.kind == "sync"
    assert mine.current.author_id == carla.id and mine.current.saved_by_id == jean.id
    assert mine.upstream_revision_id == theirs.id
    assert not_taken(client) == "0"


def conflicted(db, client, setup):
    jean, carla = setup
    edit_text(db, "biogas-rw", jean, "must_review: 4", "must_review: 6")
    theirs = edit_text(db, "biogas", carla, "must_review: 4", "must_review: 5")
    html = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    mine = assignment(db, "biogas-rw")
    return mine, theirs, html


def test_conflicting_assignment_edits_are_resolved_in_the_form(client, db, setup):
    _jean, carla = setup
    mine, theirs, html = conflicted(db, client, setup)
    assert "both changed the same place" in html
    prefilled = textarea_of(html, f"assignment-{mine.id}")
    assert prefilled == mine.current.text  # starts from the fork's own text
    resolved = prefilled.replace("must_review: 6", "must_review: 7")
    response = client.submit(
        "/courses/biogas-rw/sync",
        {
            "token": hidden_of(html, "token"),
            f"assignment-{mine.id}": resolved.replace("\n", "\r\n"),
        },
    )
    assert response.status_code == 302
    mine = assignment(db, "biogas-rw")
    assert mine.current.text == resolved
    assert mine.current.kind == "sync" and mine.current.author_id == carla.id
    assert mine.upstream_revision_id == theirs.id
    assert not_taken(client) == "0"


def test_an_invalid_resolution_is_refused_and_kept(client, db, setup):
    mine, theirs, html = conflicted(db, client, setup)
    before = mine.current_revision_id
    bad = mine.current.text.replace("must_review: 6", "must_review: 1")  # < must_be_reviewed
    response = client.submit(
        "/courses/biogas-rw/sync", {"token": hidden_of(html, "token"), f"assignment-{mine.id}": bad}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Your version could not be saved:" in page and "must_review" in page
    assert textarea_of(page, f"assignment-{mine.id}") == bad
    mine = assignment(db, "biogas-rw")
    assert mine.current_revision_id == before
    assert mine.upstream_revision_id != theirs.id
    broken = client.submit(
        "/courses/biogas-rw/sync",
        {"token": hidden_of(html, "token"), f"assignment-{mine.id}": "id: [unclosed"},
    )
    assert broken.status_code == 422
    assert "invalid YAML" in broken.get_data(as_text=True)


def test_a_new_upstream_assignment_is_offered_and_copied(client, db, setup, create_assignment):
    create_assignment(course(db, "biogas-rw"), slug="pressure")  # the fork's own
    new = create_assignment(course(db, "biogas"), slug="pressure", title="Pressure test")
    assert not_taken(client) == "1"
    html = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox"[^>]*name="add-assignment" value="(\d+)"', html)
    assert boxes == [str(new.id)] and "Pressure test" in html
    response = client.submit(
        "/courses/biogas-rw/sync",
        {"token": hidden_of(html, "token"), "add-assignment": str(new.id)},
    )
    assert response.status_code == 302
    copy = db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == course(db, "biogas-rw").id, Assignment.key == new.key
        )
    )
    assert copy is not None and copy.slug == "pressure-2"
    assert copy.upstream_assignment_id == new.id
    assert copy.upstream_revision_id == new.current_revision_id
    assert copy.current.kind == "sync" and copy.current.text == new.current.text
    assert copy.module is not None and copy.module.course_id == copy.course_id
    assert copy.module.key == new.module.key
    assert not_taken(client) == "0"


def test_translations_leave_assignments_out(client, db, create_user, login, biogas, fork,
                                            create_assignment):  # fmt: skip
    jean, carla = create_user("jean"), create_user("carla")
    create_assignment(biogas, slug="gas-test")
    fork("biogas", jean, "biogas-rw", as_translation=True, language="rw")
    login(jean)
    edit_text(db, "biogas", carla, "must_review: 4", "must_review: 5")
    html = client.get("/courses/biogas-rw").get_data(as_text=True)
    assert "not translated yet" not in html
    page = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    assert "Assignments are not taken from the source course" in page
    assert 'name="assignment-' not in page


def test_a_clean_merge_that_does_not_validate_is_a_conflict(client, db, setup):
    from peerlearn.authoring.editing import add_module

    jean, carla = setup
    feeding = add_module(carla, course(db, "biogas"), title="Feeding", slug="feeding", body="x\n")
    db.session.commit()
    upstream_module = assignment(db, "biogas").module
    assert upstream_module is not None
    edit_text(db, "biogas", carla, f"module: {upstream_module.key}", f"module: {feeding.key}")
    edit_text(db, "biogas-rw", jean, "Build it, measure it", "Build it well, measure it")
    html = client.get("/courses/biogas-rw/sync").get_data(as_text=True)
    assert "the result is not a valid assignment" in html and feeding.key in html
    mine = assignment(db, "biogas-rw")
    kept = textarea_of(html, f"assignment-{mine.id}")
    assert kept == mine.current.text
    response = client.submit(
        "/courses/biogas-rw/sync",
        {"token": hidden_of(html, "token"), f"assignment-{mine.id}": kept},
    )
    assert response.status_code == 302
    mine = assignment(db, "biogas-rw")
    assert mine.current.text == kept
    assert mine.upstream_revision_id == assignment(db, "biogas").current_revision_id
