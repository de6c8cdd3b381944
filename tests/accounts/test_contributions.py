"""The public profile and the contributions page: what a person gave to the commons is
listed for anyone; their learning (courses, reviews given) only if they made it public."""

from __future__ import annotations

import re

from sqlalchemy import select

from peerlearn.authoring.proposal_models import ChangeProposal
from peerlearn.content.models import Module
from peerlearn.content.revisions import add_revision
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.review.models import Review, ReviewFeedback
from tests.fixtures.recognition import klass, review  # noqa: F401

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def first_module(course):
    return db.session.scalar(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    )


def items(html):
    return re.findall(r"<li><time datetime=", html)


def test_contributions_are_paginated_newest_first_with_links(client, create_user, create_course):
    maria = create_user("maria")
    course = create_course("biogas", modules=1, maintainer=maria)
    module = first_module(course)
    for i in range(30):
        add_revision(
            module, f"Text {i}\n", author=maria, kind="edit", parent=module.current,
            summary=f"step {i}", title="Trench",
        )  # fmt: skip
    add_revision(
        module, "Copied\n", author=maria, kind="fork", parent=module.current, title="Trench"
    )
    db.session.commit()

    first = client.get("/users/maria/contributions")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert len(items(html)) == 20
    assert "step 29" in html and "step 10" in html and "step 9" not in html
    assert "30 revisions of modules and assignments" in html
    assert 'href="/courses/biogas/m/module-1"' in html
    assert "/courses/biogas/m/module-1/diff?" in html
    assert 'rel="next" href="/users/maria/contributions?page=2"' in html

    second = client.get("/users/maria/contributions?page=2").get_data(as_text=True)
    assert len(items(second)) == 10 and "step 0" in second
    assert client.get("/users/maria/contributions?page=3").status_code == 404
    assert client.get("/users/nobody/contributions").status_code == 404


def test_the_profile_lists_proposals_merged_upstream(client, create_user, create_course):
    jean, ana = create_user("jean"), create_user("ana")
    upstream = create_course("biogas", maintainer=ana, title="Biogas")
    fork = create_course("biogas-rw", maintainer=jean, forked_from=upstream.key)
    for title, status in ((HOSTILE, "accepted"), ("Clay soil", "accepted"), ("Nope", "declined")):
        db.session.add(
            ChangeProposal(
                source_course_id=fork.id, target_course_id=upstream.id, author_id=jean.id,
                title=title, status=status, decided_at=utcnow(), decided_by_id=ana.id,
            )
        )  # fmt: skip
    db.session.commit()
    html = client.get("/users/jean").get_data(as_text=True)
    assert "2 change proposals merged upstream" in html
    assert "Clay soil" in html and "Nope" not in html
    assert 'href="/proposals/' in html and 'href="/courses/biogas"' in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="/users/jean/contributions"' in html


def test_reviews_given_are_counts_only_and_private_unless_made_public(
    client,
    login,
    klass,  # noqa: F811
):
    review(klass.learner, klass.assignment, points=2)
    written = db.session.scalar(select(Review).where(Review.reviewer_id == klass.learner.id))
    db.session.add(ReviewFeedback(review_id=written.id, author_id=klass.classmate.id, rating=5))
    db.session.commit()

    visitor = client.get("/users/amina").get_data(as_text=True)
    assert "peer review given" not in visitor and "Tube digester" not in visitor

    login(klass.learner)  # their own profile shows it, with the privacy note
    own = client.get("/users/amina").get_data(as_text=True)
    assert "1 peer review given." in own
    assert "Their authors rated 1 of them, and found 1 helpful." in own
    client.submit("/logout")

    klass.learner.activity_public = True
    db.session.commit()
    public = client.get("/users/amina").get_data(as_text=True)
    assert "1 peer review given." in public
    # Never which build log: no link to a log or a review, no classmate's name.
    assert "/gas-test/" not in public and "/reviews/" not in public and "baraka" not in public


def test_hostile_revision_text_is_escaped_on_the_contributions_page(
    client, create_user, create_course
):
    maria = create_user("maria")
    course = create_course("biogas", modules=1, maintainer=maria, title=HOSTILE)
    module = first_module(course)
    add_revision(
        module,
        "x\n",
        author=maria,
        kind="edit",
        parent=module.current,
        summary=HOSTILE,
        title=HOSTILE,
    )
    db.session.commit()
    html = client.get("/users/maria/contributions").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_full_contributions_page_fits_the_page_budget(client, create_user, create_course):
    from tests.fixtures.pages import Page, stylesheet

    maria = create_user("maria")
    # Long titles and summaries (the longest allowed are 200 characters; few come near).
    course = create_course("biogas", modules=1, maintainer=maria, title="Ä" * 120)
    module = first_module(course)
    for i in range(30):
        add_revision(
            module, f"Text {i}\n", author=maria, kind="edit",
            parent=module.current, summary=f"{i} " + "s" * 117, title=f"{i} " + "T" * 117,
        )  # fmt: skip
    db.session.commit()
    response = client.get("/users/maria/contributions")
    html = response.get_data()
    page = Page("contributions", "/users/maria/contributions", html, stylesheet(client, html))
    assert len(items(html.decode())) == 20
    assert page.within_budget, (page.raw, page.gzip)


def test_assignment_revisions_are_listed_with_their_title_and_a_link(
    client, create_user, create_course, create_assignment
):
    from peerlearn.content.revisions import add_revision

    maria = create_user("maria")
    course = create_course("biogas", modules=1, maintainer=maria)
    assignment = create_assignment(course, slug="gas-test", title="Gas production test")
    add_revision(
        assignment, assignment.current.text + "\n", author=maria, kind="edit",
        parent=assignment.current,
    )  # fmt: skip
    db.session.commit()
    html = client.get("/users/maria/contributions").get_data(as_text=True)
    assert 'href="/courses/biogas/a/gas-test"' in html
    assert "Gas production test" in html and "(assignment)" in html
    assert "1 revision of modules and assignments" in html
