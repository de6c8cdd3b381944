"""Calibration: maintainers prepare examples with a reference assessment; learners practise
on them and see where they differed, without ever learning whose build log it was."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from peerlearn.bundles.assignment_spec import AssignmentSpec, Criterion, Level
from peerlearn.extensions import db
from peerlearn.notifications import Notification
from peerlearn.review.calibration import calibration_examples, calibration_practice
from peerlearn.review.calibration.calibration_comparison import compare
from peerlearn.review.models import (
    CalibrationExample,
    Review,
    ReviewQueue,
    ReviewScore,
)
from tests.fixtures.review import submit_log
from tests.review.allocation.test_stuck import base

REFERENCE = {
    "level-build": "2",
    "comment-build": "Trench depth and slope are both documented.",
    "overall": "A careful, well measured build.",
    "action": "submit",
}


def switch(client, login, user) -> None:
    client.submit("/logout")
    login(user)


def review_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith("/reviews/"), location
    return int(location.rsplit("/", 1)[1])


def add_example(client, rc, author) -> int:
    """As the signed-in maintainer, make ``author``'s log an example; the reference id."""
    log = rc.logs[author.id]
    return review_id_of(client.submit(base(rc) + "/calibration", {"log_id": str(log.id)}))


def ready_example(client, rc, author, data=REFERENCE) -> int:
    """An example of ``author``'s log with a submitted reference; the reference id."""
    reference_id = add_example(client, rc, author)
    response = client.submit(f"/reviews/{reference_id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(base(rc) + "/calibration")
    return reference_id


def example_id_of(author_log) -> int:
    return db.session.scalar(
        select(CalibrationExample.id).where(CalibrationExample.log_id == author_log.id)
    )


@pytest.fixture
def practice_class(review_class, login, client):
    def make(n=4, examples=2, **settings):
        rc = review_class(n, calibration_examples=examples, **settings)
        login(rc.maintainer)
        return rc

    return make


# --- Maintainers --------------------------------------------------------------------------


def test_adding_an_example_creates_a_reference_review_to_write(client, practice_class):
    rc = practice_class()
    author = rc.learners[0]
    page = client.get(base(rc) + "/calibration").get_data(as_text=True)
    assert "learner1, version 1" in page and "No examples yet." in page

    reference_id = add_example(client, rc, author)

    example = db.session.scalars(select(CalibrationExample)).one()
    reference = db.session.get(Review, reference_id)
    assert example.log_id == rc.logs[author.id].id and example.reference_review_id == reference_id
    assert example.created_by_id == rc.maintainer.id
    assert (reference.kind, reference.state) == ("reference", "leased")
    assert reference.reviewer_id == rc.maintainer.id and reference.lease_expires_at is None
    assert reference.submission_id == example.submission_id
    page = client.get(base(rc) + "/calibration").get_data(as_text=True)
    assert "Finish your reference assessment" in page


def test_an_example_is_offered_only_once_its_reference_is_submitted(client, login, practice_class):
    rc = practice_class()
    add_example(client, rc, rc.learners[0])
    switch(client, login, rc.learners[1])
    page = client.get(base(rc) + "/practice").get_data(as_text=True)
    assert "No practice example is ready yet." in page
    assert calibration_practice.practice_status(rc.learners[1], rc.assignment) == (0, 0)

    switch(client, login, rc.maintainer)
    client.submit(f"/reviews/{db.session.scalar(select(Review.id))}", REFERENCE)
    switch(client, login, rc.learners[1])
    page = client.get(base(rc) + "/practice").get_data(as_text=True)
    assert "Practice review 1" in page and "Start" in page
    assert calibration_practice.practice_status(rc.learners[1], rc.assignment) == (0, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a submitted build log."),
        ({"log_id": "abc"}, "Choose a submitted build log."),
        ({"log_id": "999999"}, "This build log has no submitted version"),
    ],
)
def test_a_bad_example_choice_is_refused_and_nothing_is_created(
    client, practice_class, data, message
):
    rc = practice_class()
    response = client.submit(base(rc) + "/calibration", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CalibrationExample.id))) == 0
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_a_log_of_another_assignment_or_a_ready_example_cannot_be_added(
    client, practice_class, create_assignment, review_class
):
    rc = practice_class()
    ready_example(client, rc, rc.learners[0])
    again = client.submit(base(rc) + "/calibration", {"log_id": str(rc.logs[rc.learners[0].id].id)})
    assert again.status_code == 422
    assert "already a calibration example" in again.get_data(as_text=True)

    other = create_assignment(rc.course)
    url = f"/courses/{rc.course.slug}/a/{other.slug}/calibration"
    response = client.submit(url, {"log_id": str(rc.logs[rc.learners[1].id].id)})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(CalibrationExample.id))) == 1


def test_only_maintainers_manage_examples(client, login, practice_class):
    rc = practice_class()
    reference_id = ready_example(client, rc, rc.learners[0])
    example_id = example_id_of(rc.logs[rc.learners[0].id])
    switch(client, login, rc.learners[1])
    assert client.get(base(rc) + "/calibration").status_code == 403
    assert client.submit(base(rc) + "/calibration", {"log_id": "1"}).status_code == 403
    remove = client.submit(base(rc) + f"/calibration/{example_id}/remove")
    assert remove.status_code == 403
    assert db.session.get(CalibrationExample, example_id).removed_at is None
    assert db.session.get(Review, reference_id).state == "submitted"


def test_removing_an_example_stops_offering_it_and_keeps_what_was_done(
    client, login, practice_class
):
    rc = practice_class(examples=2)
    ready_example(client, rc, rc.learners[0])
    ready_example(client, rc, rc.learners[1])
    first, second = (example_id_of(rc.logs[u.id]) for u in rc.learners[:2])
    learner = rc.learners[3]
    switch(client, login, learner)
    done_id = review_id_of(client.submit(base(rc) + f"/practice/{first}"))
    client.submit(f"/reviews/{done_id}", REFERENCE)
    review_id_of(client.submit(base(rc) + f"/practice/{second}"))  # started only
    assert calibration_practice.practice_status(learner, rc.assignment) == (1, 2)

    switch(client, login, rc.maintainer)
    for example_id in (first, second):
        response = client.submit(base(rc) + f"/calibration/{example_id}/remove")
        assert response.status_code == 302
    assert db.session.get(CalibrationExample, first).removed_at is not None
    page = client.get(base(rc) + "/calibration").get_data(as_text=True)
    assert "No examples yet." in page

    switch(client, login, learner)
    assert calibration_practice.practice_status(learner, rc.assignment) == (1, 1)
    assert client.get(f"/reviews/{done_id}/calibration").status_code == 200
    again = client.submit(base(rc) + f"/practice/{second}")
    assert again.status_code == 404
    assert "no longer offered" in again.get_data(as_text=True)


def test_a_removed_example_comes_back_ready(client, practice_class):
    rc = practice_class()
    ready_example(client, rc, rc.learners[0])
    example_id = example_id_of(rc.logs[rc.learners[0].id])
    client.submit(base(rc) + f"/calibration/{example_id}/remove")

    response = client.submit(
        base(rc) + "/calibration", {"log_id": str(rc.logs[rc.learners[0].id].id)}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calibration")
    assert db.session.get(CalibrationExample, example_id).removed_at is None
    assert db.session.scalar(select(func.count(Review.id))) == 1


# --- Learners -----------------------------------------------------------------------------


def test_a_learner_practises_and_sees_where_they_differed(client, login, practice_class):
    rc = practice_class()
    author = rc.learners[0]
    ready_example(client, rc, author)
    example_id = example_id_of(rc.logs[author.id])
    queue_before = db.session.get(ReviewQueue, rc.logs[author.id].id)
    counts_before = (queue_before.completed, queue_before.leased, queue_before.load)
    learner = rc.learners[1]
    switch(client, login, learner)

    review_id = review_id_of(client.submit(base(rc) + f"/practice/{example_id}"))
    assert review_id_of(client.submit(base(rc) + f"/practice/{example_id}")) == review_id
    practice = db.session.get(Review, review_id)
    assert (practice.kind, practice.state, practice.reviewer_id) == (
        "calibration",
        "leased",
        learner.id,
    )
    assert practice.log_id == rc.logs[author.id].id

    response = client.submit(
        f"/reviews/{review_id}",
        {"level-build": "0", "overall": "Not much to see here really.", "action": "submit"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reviews/{review_id}/calibration")

    result = client.get(f"/reviews/{review_id}/calibration")
    assert result.status_code == 200
    page = result.get_data(as_text=True)
    assert "same level as the reference on 0 of 1 criteria" in page
    assert "2 points stricter" in page
    assert "Trench depth and slope are both documented." in page
    assert "A careful, well measured build." in page
    assert "Overall closeness to the reference: 0%" in page
    assert author.username not in page  # not even through the log's title

    # Never counted as a peer review, never sent to the author.
    queue_after = db.session.get(ReviewQueue, rc.logs[author.id].id)
    assert (queue_after.completed, queue_after.leased, queue_after.load) == counts_before
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == author.id)
        )
        == 0
    )
    assert calibration_practice.practice_status(learner, rc.assignment) == (1, 1)
    practice_page = client.get(base(rc) + "/practice").get_data(as_text=True)
    assert "1 of 1 practice reviews done" in practice_page
    # Starting it again leads to the result, not to a new review.
    again = client.submit(base(rc) + f"/practice/{example_id}")
    assert again.headers["Location"].endswith(f"/reviews/{review_id}/calibration")


def test_practice_pages_never_name_the_example_author(client, login, practice_class):
    rc = practice_class()
    author = rc.learners[0]
    # The fixture's title names the author; a learner may write that, the platform may not.
    submit_log(author, rc.assignment, title="Tube digester on the hillside")
    db.session.commit()
    ready_example(client, rc, author)
    example_id = example_id_of(rc.logs[author.id])
    switch(client, login, rc.learners[1])

    pages = [client.get(base(rc) + "/practice").get_data(as_text=True)]
    review_id = review_id_of(client.submit(base(rc) + f"/practice/{example_id}"))
    pages.append(client.get(f"/reviews/{review_id}").get_data(as_text=True))
    client.submit(f"/reviews/{review_id}", REFERENCE)
    pages.append(client.get(f"/reviews/{review_id}/calibration").get_data(as_text=True))
    pages.append(client.get(base(rc) + "/practice").get_data(as_text=True))

    for page in pages:
        assert author.username not in page
        assert author.email not in page
        assert rc.maintainer.email not in page


def test_a_learner_is_never_offered_their_own_log(client, login, practice_class):
    rc = practice_class(examples=3)
    author = rc.learners[0]
    ready_example(client, rc, author)
    ready_example(client, rc, rc.learners[1])
    own = example_id_of(rc.logs[author.id])
    switch(client, login, author)

    offered = calibration_practice.practice_offer(author, rc.assignment)

    assert [item.example_id for item in offered] == [example_id_of(rc.logs[rc.learners[1].id])]
    response = client.submit(base(rc) + f"/practice/{own}")
    assert response.status_code == 403
    assert "your own build log" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Review.id)).where(Review.kind == "calibration")) == 0


def test_a_learner_gets_at_most_the_number_the_assignment_offers(client, login, practice_class):
    rc = practice_class(examples=1)
    ready_example(client, rc, rc.learners[0])
    ready_example(client, rc, rc.learners[1])
    first, second = (example_id_of(rc.logs[u.id]) for u in rc.learners[:2])
    learner = rc.learners[2]
    switch(client, login, learner)

    page = client.get(base(rc) + "/practice").get_data(as_text=True)
    assert page.count("Practice review ") == 1 and "Practice review 2" not in page
    assert calibration_practice.practice_status(learner, rc.assignment) == (0, 1)

    assert review_id_of(client.submit(base(rc) + f"/practice/{first}"))
    refused = client.submit(base(rc) + f"/practice/{second}")
    assert refused.status_code == 409
    assert "started all the practice reviews" in refused.get_data(as_text=True)


def test_practice_is_for_enrolled_learners_and_results_for_their_writer(
    client, login, practice_class, create_user
):
    rc = practice_class()
    ready_example(client, rc, rc.learners[0])
    example_id = example_id_of(rc.logs[rc.learners[0].id])
    outsider = create_user("outsider")
    switch(client, login, outsider)
    assert client.get(base(rc) + "/practice").status_code == 403
    assert client.submit(base(rc) + f"/practice/{example_id}").status_code == 403

    switch(client, login, rc.learners[1])
    review_id = review_id_of(client.submit(base(rc) + f"/practice/{example_id}"))
    # An unfinished practice review has no result yet: back to the form.
    unfinished = client.get(f"/reviews/{review_id}/calibration")
    assert unfinished.headers["Location"].endswith(f"/reviews/{review_id}")
    client.submit(f"/reviews/{review_id}", REFERENCE)

    switch(client, login, rc.learners[2])
    assert client.get(f"/reviews/{review_id}/calibration").status_code == 403
    switch(client, login, rc.maintainer)
    assert client.get(f"/reviews/{review_id}/calibration").status_code == 403
    reference_id = db.session.scalar(select(Review.id).where(Review.kind == "reference"))
    assert client.get(f"/reviews/{reference_id}/calibration").status_code == 404
    assert client.submit(base(rc) + "/practice/999999").status_code in (403, 404)


def test_no_practice_when_the_assignment_offers_none(client, login, practice_class):
    rc = practice_class(examples=0)
    ready_example(client, rc, rc.learners[0])
    page = client.get(base(rc) + "/calibration").get_data(as_text=True)
    assert "offers no practice reviews" in page
    switch(client, login, rc.learners[1])
    assert "This assignment has no practice reviews." in client.get(
        base(rc) + "/practice"
    ).get_data(as_text=True)
    assert calibration_practice.practice_status(rc.learners[1], rc.assignment) == (0, 0)


def test_practice_works_on_the_models_alone(practice_class, client):
    """Without the review form: the services create and compare the rows themselves."""
    rc = practice_class(examples=2)
    example, reference = calibration_examples.add_example(
        rc.maintainer, rc.assignment, rc.logs[rc.learners[0].id].id
    )
    reference.scores.append(ReviewScore(criterion="build", points=2, comment="Deep trench."))
    reference.state = "submitted"
    db.session.commit()
    learner = rc.learners[2]

    practice = calibration_practice.start_practice(learner, rc.assignment, example.id)
    practice.scores.append(ReviewScore(criterion="build", points=2, comment="Good."))
    practice.state = "submitted"
    db.session.commit()

    result = calibration_practice.result_of(practice)
    assert result is not None
    assert result.comparison.matched == 1 and result.comparison.closeness == Decimal("1.00")
    assert result.comparison.rows[0].reference_comment == "Deep trench."
    assert calibration_practice.practice_status(learner, rc.assignment) == (1, 1)


# --- The comparison itself ----------------------------------------------------------------


def _spec() -> AssignmentSpec:
    levels = (Level(0, "None", ""), Level(2, "Some", ""), Level(4, "All", ""))
    return AssignmentSpec(
        id="a",
        slug="a",
        title="A",
        module="m",
        prompt="p",
        rubric=(
            Criterion(id="build", title="Build", description="", weight=1, levels=levels),
            Criterion(id="data", title="Data", description="", weight=3, levels=levels),
        ),
    )


def test_compare_weighs_the_distance_by_criterion_weight():
    comparison = compare(
        _spec(),
        {"build": (0, ""), "data": (4, "")},
        {"build": (4, "Everything shown."), "data": (4, "")},
    )
    assert (comparison.compared, comparison.matched) == (2, 1)
    # 4 points off on a weight-1 criterion, of 4 * 1 + 4 * 3 = 16 weighted points.
    assert comparison.closeness == Decimal("0.75")
    assert comparison.rows[0].difference == -4 and comparison.rows[1].same
    assert comparison.rows[0].reference_level.title == "All"
    assert (comparison.total, comparison.reference_total) == (Decimal(12), Decimal(16))


def test_compare_leaves_open_criteria_out():
    comparison = compare(_spec(), {"build": (2, "")}, {"build": (2, ""), "data": (0, "")})
    assert (comparison.compared, comparison.matched) == (1, 1)
    assert comparison.closeness == Decimal("1.00")
    assert comparison.total is None and comparison.rows[1].difference is None
    assert compare(_spec(), {}, {}).closeness is None
