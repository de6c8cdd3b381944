"""Badges are issued by themselves, once, when earned: the course badge after the last
module is marked done and the assignment passed (in either order), "helpful reviewer"
after N reviews rated 4 or 5, "contributor" after an accepted proposal; and the backfill
command issues what was earned before."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from peerlearn.authoring.forking import fork_course
from peerlearn.authoring.proposal_decisions import accept
from peerlearn.authoring.proposals import create_proposal
from peerlearn.catalog.models import Enrolment, ModuleProgress
from peerlearn.content.models import Module
from peerlearn.content.revisions import add_revision
from peerlearn.extensions import db
from peerlearn.recognition import awarding
from peerlearn.recognition.models import Assertion
from peerlearn.review.grading.overrides import override_grade
from peerlearn.review.models import Review
from peerlearn.review.reviewing.reviewing import rate_helpfulness
from tests.fixtures.recognition import badge_keys, badges_of, review, submitted_log


def _mark(client, klass, module, done="1"):
    response = client.submit(
        f"/courses/{klass.course.slug}/m/{module.slug}/progress", {"done": done}
    )
    assert response.status_code == 302


def test_the_course_badge_comes_with_the_last_module_once_the_assignment_passed(
    client, login, klass
):
    review(klass.classmate, klass.assignment, points=2)
    login(klass.learner)

    _mark(client, klass, klass.modules[0])
    assert badges_of(klass.learner) == []
    _mark(client, klass, klass.modules[1])
    assert badge_keys(klass.learner) == [f"course-{klass.course.id}"]

    _mark(client, klass, klass.modules[1], done="0")
    _mark(client, klass, klass.modules[1])
    assert len(badges_of(klass.learner)) == 1, "issued once, however often it is earned"


def test_the_passing_review_after_the_modules_issues_it_too(client, login, klass):
    login(klass.learner)
    for module in klass.modules:
        _mark(client, klass, module)
    assert badges_of(klass.learner) == [], "the assignment is not graded yet"

    review(klass.classmate, klass.assignment, points=2)

    assert badge_keys(klass.learner) == [f"course-{klass.course.id}"]


def test_a_failed_assignment_earns_nothing_until_a_maintainer_grades_it_pass(client, login, klass):
    review(klass.classmate, klass.assignment, points=0)
    login(klass.learner)
    for module in klass.modules:
        _mark(client, klass, module)
    assert badges_of(klass.learner) == []

    override_grade(klass.maintainer, klass.log, Decimal(1), "Half the points pass.")
    db.session.commit()

    assert badge_keys(klass.learner) == [f"course-{klass.course.id}"]


def test_a_course_without_assignments_asks_only_for_its_modules(
    client, login, create_user, create_course
):
    learner = create_user("juma")
    course = create_course("cookstove", modules=2)
    db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.commit()
    login(learner)
    for slug in ("module-1", "module-2"):
        client.submit(f"/courses/cookstove/m/{slug}/progress", {"done": "1"})

    assert badge_keys(learner) == [f"course-{course.id}"]


def test_a_missing_build_log_earns_nothing(client, login, klass, create_user):
    newcomer = create_user("wanjiru")
    db.session.add(Enrolment(user_id=newcomer.id, course_id=klass.course.id))
    db.session.commit()
    login(newcomer)
    for module in klass.modules:
        _mark(client, klass, module)

    assert badges_of(newcomer) == []


def _reviews_of(klass, create_user, count):
    """``count`` authors each get a review from the classmate: (author, review) pairs."""
    pairs = []
    for n in range(count):
        author = create_user(f"author{n}")
        db.session.add(Enrolment(user_id=author.id, course_id=klass.course.id))
        db.session.flush()
        log = submitted_log(author, klass.assignment)
        db.session.commit()
        review(klass.classmate, klass.assignment, points=2)
        written = db.session.scalar(
            select(Review).where(Review.log_id == log.id, Review.reviewer_id == klass.classmate.id)
        )
        if written is None:  # the queue handed out another log first: rate whichever it was
            written = db.session.scalars(
                select(Review)
                .where(Review.reviewer_id == klass.classmate.id, Review.feedback == None)  # noqa: E711
                .order_by(Review.id.desc())
            ).first()
        pairs.append(written)
    return pairs


def test_helpful_reviewer_after_n_reviews_rated_four_or_more(app, klass, create_user, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_HELPFUL_REVIEWS", 2)
    reviews = _reviews_of(klass, create_user, 3)
    site = "helpful-reviewer"

    rate_helpfulness(reviews[0].log.user, reviews[0], 5, "Very useful.")
    rate_helpfulness(reviews[1].log.user, reviews[1], 3, "So-so.")
    db.session.commit()
    assert site not in badge_keys(klass.classmate)

    rate_helpfulness(reviews[2].log.user, reviews[2], 4, "Useful.")
    db.session.commit()
    assert site in badge_keys(klass.classmate)


def test_contributor_after_a_proposal_is_accepted_upstream(klass):
    fork = fork_course(
        klass.learner, klass.course, slug="digester-rw", title="Digester RW", licence="CC-BY-SA-4.0"
    )
    db.session.flush()
    module = db.session.scalars(
        select(Module).where(Module.course_id == fork.id).order_by(Module.position)
    ).first()
    add_revision(
        module, "## Trench\n\nDig it in clay.\n",
        author=klass.learner, kind="edit", parent=module.current, title=module.current.title,
    )  # fmt: skip
    db.session.flush()
    proposal = create_proposal(klass.learner, fork, [module.id], "Clay soil", "Works in clay.")
    db.session.commit()
    assert "contributor" not in badge_keys(klass.learner)

    accept(klass.maintainer, proposal)
    db.session.commit()

    assert "contributor" in badge_keys(klass.learner)
    assert "contributor" not in badge_keys(klass.maintainer)


def test_a_revoked_badge_is_not_issued_again(client, login, klass):
    review(klass.classmate, klass.assignment, points=2)
    login(klass.learner)
    for module in klass.modules:
        _mark(client, klass, module)
    (issued,) = badges_of(klass.learner)
    awarding.revoke(klass.maintainer, issued, "Copied another learner's log.")
    db.session.commit()

    _mark(client, klass, klass.modules[1], done="0")
    _mark(client, klass, klass.modules[1])

    (still,) = badges_of(klass.learner)
    assert still.id == issued.id and still.revoked_at is not None


def test_the_backfill_issues_what_was_earned_before_and_is_idempotent(runner, klass):
    review(klass.classmate, klass.assignment, points=2)
    for module in klass.modules:  # progress from before badges existed: no signal
        db.session.add(ModuleProgress(user_id=klass.learner.id, module_id=module.id))
    db.session.commit()
    assert badges_of(klass.learner) == []

    first = runner.invoke(args=["peerlearn", "badges", "award-all"])
    again = runner.invoke(args=["peerlearn", "badges", "award-all"])

    assert first.exit_code == 0, first.output
    assert "1 badge(s) issued." in first.output
    assert "0 badge(s) issued." in again.output
    assert badge_keys(klass.learner) == [f"course-{klass.course.id}"]


def test_the_recipient_identity_is_fixed_at_issue_time(klass):
    issued = awarding.issue(klass.learner, awarding.course_badge(klass.course))
    assert issued is not None
    db.session.commit()
    salt, identity = issued.salt, issued.identity_hash

    klass.learner.email = "amina.new@example.org"
    db.session.commit()

    again = db.session.get(Assertion, issued.id)
    assert (again.salt, again.identity_hash) == (salt, identity)
    assert awarding.issue(klass.learner, awarding.course_badge(klass.course)) is None
