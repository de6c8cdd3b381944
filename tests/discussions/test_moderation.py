"""Maintainers hide, lock and pin; anyone reports; maintainers and admins work the queue."""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.discussions.models import Report
from peerlearn.extensions import db
from tests.fixtures.discussions import posts_of, start, visible


def test_a_reported_post_is_hidden_by_the_maintainer_from_the_queue(client, login, as_user, place):
    login(place.amina)
    thread = start(client, place)
    as_user(place.baraka)
    client.submit(f"/discussions/{thread.id}", {"body": "Buy cheap watches at spam.example"})
    spam = posts_of(thread)[1]
    as_user(place.amina)
    report_page = client.get(f"/discussions/posts/{spam.id}/report")
    assert report_page.status_code == 200
    response = client.submit(f"/discussions/posts/{spam.id}/report", {"reason": "Advertising"})
    assert response.status_code == 302
    again = client.submit(f"/discussions/posts/{spam.id}/report", {"reason": "Still"})
    assert again.status_code == 302
    assert len(db.session.scalars(select(Report)).all()) == 1

    # Learners have no queue; the maintainer has.
    assert client.get("/moderation").status_code == 403
    as_user(place.maintainer)
    queue = visible(client.get("/moderation"))
    assert "Buy cheap watches" in queue and "Advertising" in queue and "amina" in queue
    [report] = db.session.scalars(select(Report)).all()
    client.submit(f"/moderation/reports/{report.id}", {"action": "hide"})
    assert "Nothing is waiting for a decision." in visible(client.get("/moderation"))
    # The maintainer still sees the hidden text, marked; learners see a stub.
    assert "Hidden: only moderators see this post." in visible(
        client.get(f"/discussions/{thread.id}")
    )
    as_user(place.baraka)
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "This post was hidden by a moderator." in text
    assert "cheap watches" not in text
    # A hidden post cannot be edited back in by its author.
    assert client.submit(f"/discussions/posts/{spam.id}/edit", {"body": "x"}).status_code == 403
    # Its author is told of the decision, not who took it.
    notices = visible(client.get("/notifications"))
    assert "A moderator acted on your post in" in notices and "maintainer" not in notices


def test_a_report_is_dismissed_and_courses_and_modules_can_be_reported(
    client, login, as_user, create_user, place
):
    admin = create_user("admin", is_admin=True)
    login(place.amina)
    client.submit("/courses/biogas/report", {"reason": "Copied from a book"})
    client.submit(f"/courses/biogas/m/{place.module.slug}/report", {"reason": "Unsafe advice"})
    as_user(admin)
    queue = visible(client.get("/moderation"))
    assert "Copied from a book" in queue and "Unsafe advice" in queue
    first = db.session.scalars(select(Report).order_by(Report.id)).first()
    client.submit(f"/moderation/reports/{first.id}", {"action": "dismiss"})
    queue = visible(client.get("/moderation"))
    assert "Copied from a book" not in queue and "Unsafe advice" in queue
    # Another course's maintainer neither sees nor decides these reports.
    other = create_user("other")
    as_user(other)
    assert client.get("/moderation").status_code == 403
    last = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert client.submit(f"/moderation/reports/{last.id}", {"action": "dismiss"}).status_code == 403


def test_maintainers_lock_pin_and_hide_threads(client, login, as_user, place):
    login(place.amina)
    older = start(client, place, title="Older question")
    newer = start(client, place, title="Newer question")
    # Learners cannot moderate.
    assert client.submit(f"/discussions/{older.id}/moderate", {"action": "pin"}).status_code == 403

    as_user(place.maintainer)
    client.submit(f"/discussions/{older.id}/moderate", {"action": "pin"})
    listing = visible(client.get(place.module_url))
    assert listing.index("Older question") < listing.index("Newer question")
    assert "Pinned" in listing

    client.submit(f"/discussions/{older.id}/moderate", {"action": "lock"})
    as_user(place.baraka)
    page = visible(client.get(f"/discussions/{older.id}"))
    assert "This thread is locked." in page
    assert client.submit(f"/discussions/{older.id}", {"body": "Late"}).status_code == 403

    as_user(place.maintainer)
    client.submit(f"/discussions/{newer.id}/moderate", {"action": "hide"})
    as_user(place.baraka)
    assert "Newer question" not in visible(client.get(place.module_url))
    assert client.get(f"/discussions/{newer.id}").status_code == 404


def test_a_maintainer_links_the_change_proposal_that_fixes_a_module_thread(
    client, login, as_user, create_user, create_course, place
):
    from peerlearn.authoring.forking import fork_course
    from peerlearn.authoring.proposals import create_proposal
    from peerlearn.content.models import Module
    from peerlearn.content.revisions import add_revision

    forker = create_user("jean")
    fork = fork_course(forker, place.course, slug="biogas-rw", title="Biogas Rwanda",
                       licence=place.course.licence)  # fmt: skip
    db.session.flush()
    fork_module = db.session.scalars(
        select(Module).where(Module.course_id == fork.id).order_by(Module.position)
    ).first()
    add_revision(
        fork_module,
        "Dig 1.5 m in clay.\n",
        author=forker,
        kind="edit",
        parent=fork_module.current,
        title=fork_module.current.title,
    )
    db.session.flush()
    proposal = create_proposal(forker, fork, [fork_module.id], "Deeper trench", "Fixes it.")
    db.session.commit()

    login(place.amina)
    thread = start(client, place, title="The trench is too shallow")
    assert (
        client.submit(f"/discussions/{thread.id}/proposal", {"proposal": proposal.id}).status_code
        == 403
    )
    as_user(place.maintainer)
    assert "Deeper trench" in visible(client.get(f"/discussions/{thread.id}"))  # the choice
    client.submit(f"/discussions/{thread.id}/proposal", {"proposal": proposal.id})
    as_user(place.amina)
    text = visible(client.get(f"/discussions/{thread.id}"))
    assert "This change proposal fixes what was reported here: Deeper trench" in text

    # When the maintainer accepts it, the thread's followers hear that the fix is in.
    as_user(place.maintainer)
    assert client.submit(f"/proposals/{proposal.id}/accept").status_code == 302
    as_user(place.amina)
    assert (
        "The change proposal that fixes what “The trench is too shallow” reported was accepted."
        in visible(client.get("/notifications"))
    )
