"""A fork copies the course's assignments and remembers where each came from."""

from __future__ import annotations

from peerlearn.authoring.forking import fork_course
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db
from tests.fixtures.assignment_authoring import assignments, revisions


def test_fork_copies_active_assignments_with_lineage(create_user, create_course, create_assignment):
    author, forker = create_user("ana"), create_user("jean")
    parent = create_course("biogas")
    original = create_assignment(parent, slug="gas-test")
    edited = add_revision(
        original, original.current.text.replace("Build it", "Build the digester"),
        author=author, kind="edit", parent=original.current,
    )  # fmt: skip
    removed = create_assignment(parent, slug="old-test")
    removed.removed_at = edited.created_at
    db.session.commit()

    fork = fork_course(forker, parent, slug="biogas-rw", title="Biogaz", licence=parent.licence)
    db.session.commit()

    [copy] = assignments(fork.id)
    assert (copy.key, copy.slug) == (original.key, "gas-test")
    assert copy.module.course_id == fork.id
    assert copy.module.key == original.module.key
    assert copy.upstream_assignment_id == original.id
    assert copy.upstream_revision_id == edited.id
    assert copy.current.content_id == edited.content_id  # the text is shared, not copied
    [revision] = revisions(copy)
    assert revision.kind == "fork"
    assert revision.author_id == author.id
    assert revision.saved_by_id == forker.id


def test_fork_of_a_course_without_assignments_has_none(create_user, create_course):
    parent = create_course("solar")
    fork = fork_course(create_user(), parent, slug="solar-2", title="Solar", licence=parent.licence)
    db.session.commit()
    assert assignments(fork.id) == []


def test_fork_through_the_browser_copies_assignments(
    client, login, create_user, create_course, create_assignment
):
    parent = create_course("biogas")
    create_assignment(parent, slug="gas-test")
    user = create_user("jean")
    login(user)

    response = client.submit(
        "/courses/biogas/fork",
        {
            "slug": "biogas-copy",
            "title": "Biogas copy",
            "licence": parent.licence,
            "language": "en",
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    copies = [a for a in assignments() if a.course_id != parent.id]
    assert [a.slug for a in copies] == ["gas-test"]
    assert client.get("/courses/biogas-copy/assignments/gas-test/edit").status_code == 200
