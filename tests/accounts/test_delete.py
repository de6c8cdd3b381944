"""Delete my account: what a person and the people around them notice afterwards."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import func, select

from peerlearn.accounts.models import User
from peerlearn.assignments.models import BuildLog, PhotoBlob
from peerlearn.authoring import editing
from peerlearn.authoring.module_document import MODULE
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course, Module
from peerlearn.content.revisions import save_edit
from peerlearn.extensions import db
from peerlearn.notifications import Notification
from peerlearn.notifications.models import (
    Channel,
    EmailMode,
    NotificationOptOut,
    NotificationSettings,
)
from peerlearn.notifications.preferences import save_preferences
from peerlearn.personal_data.deletion import delete_account
from peerlearn.review.grading.grades import assignment_grades
from peerlearn.review.models import Review, ReviewQueue
from tests.fixtures.app import PASSWORD
from tests.fixtures.buildlogs import LOG, jpeg_bytes, upload
from tests.fixtures.review import three_reviews

PHOTO = re.compile(r'<a href="(/photos/[0-9a-f]{64}\.jpg)">')


def _edit_first_module(user, course, body="## Part 1\n\nBetter words, by hand.\n"):
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id).order_by(Module.position)
    )
    outcome = save_edit(
        MODULE, user, module, base_revision_id=module.current_revision_id,
        text=body, fields={"title": module.title}, summary="clearer",
    )  # fmt: skip
    assert outcome.status == "saved"
    db.session.commit()
    return module


def test_module_history_credits_a_former_contributor(
    client, create_user, create_course, delete_via_page
):
    maria = create_user("maria")
    course = create_course("biogas", maintainer=create_user("keeper"))
    module = _edit_first_module(maria, course)
    history = f"/courses/biogas/m/{module.slug}/history"
    assert "maria" in client.get(history).get_data(as_text=True)

    response = delete_via_page(maria)

    assert response.status_code == 302
    page = client.get(history).get_data(as_text=True)
    assert "a former contributor" in page
    assert "maria" not in page
    # The words stay in the commons, under the course's licence.
    assert "Better words, by hand." in client.get(f"/courses/biogas/m/{module.slug}").get_data(
        as_text=True
    )


def test_a_chosen_name_is_credited_instead(client, create_user, create_course, delete_via_page):
    maria = create_user("maria")
    course = create_course("biogas", maintainer=create_user("keeper"))
    module = _edit_first_module(maria, course)

    delete_via_page(maria, credit="name", credit_name="María Quispe")

    page = client.get(f"/courses/biogas/m/{module.slug}/history").get_data(as_text=True)
    assert "María Quispe" in page
    assert "a former contributor" not in page


def test_after_deletion_login_fails_and_the_profile_is_gone(
    app, client, create_user, delete_via_page
):
    maria = create_user("maria")
    other_device = app.test_client()
    assert (
        other_device.submit("/login", {"login": "maria", "password": PASSWORD}).status_code == 302
    )
    assert other_device.get("/settings").status_code == 200

    delete_via_page(maria)

    assert client.get("/settings").status_code == 302  # logged out here
    assert other_device.get("/settings").status_code == 302  # and on the other device
    for login in ("maria", "maria@example.org"):
        response = client.submit("/login", {"login": login, "password": PASSWORD})
        assert response.status_code == 422
    assert client.get("/users/maria").status_code == 404
    row = db.session.scalar(select(User).where(User.deleted_at.is_not(None)))
    assert row is not None
    assert "maria" not in (row.username + row.email) and row.password_hash == "!"
    # The name is free again.
    assert db.session.scalar(select(User).where(User.username == "maria")) is None


def test_wrong_password_deletes_nothing(client, login, create_user):
    maria = create_user("maria")
    login(maria)
    response = client.submit(
        "/settings/delete", {"password": "not-my-password", "credit": "former"}
    )
    assert response.status_code == 422
    assert "That password is not right" in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 200
    assert db.session.get(User, maria.id).deleted_at is None


def test_the_confirmation_page_needs_a_post_with_csrf(client, login, create_user):
    maria = create_user("maria")
    login(maria)
    page = client.get("/settings/delete")
    assert page.status_code == 200 and "Delete my account" in page.get_data(as_text=True)
    response = client.post("/settings/delete", data={"password": PASSWORD, "credit": "former"})
    assert response.status_code == 400
    assert db.session.get(User, maria.id).deleted_at is None


def test_the_last_maintainer_must_accept_an_unmaintained_course(
    client, create_user, create_course, delete_via_page
):
    maria = create_user("maria")
    create_course("biogas", maintainer=maria, title="Tube digesters")

    page = delete_via_page(maria)

    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "You are the only maintainer" in html and "Tube digesters" in html
    assert db.session.get(User, maria.id).deleted_at is None

    done = client.submit(
        "/settings/delete", {"password": PASSWORD, "credit": "former", "accept_unmaintained": "y"}
    )
    assert done.status_code == 302
    maintainers = client.get("/courses/biogas/maintainers")
    assert maintainers.status_code == 302  # logged out; the course itself stays
    assert client.get("/courses/biogas").status_code == 200


def test_photos_only_the_deleted_person_used_stop_being_served(
    app, client, started, add_entry, create_user, delete_via_page
):
    entry = add_entry()
    upload(client, f"{LOG}/entries/{entry}/photos", jpeg_bytes(color="red"), f"p{entry}")
    entry2 = add_entry("Filled the bag.")
    upload(client, f"{LOG}/entries/{entry2}/photos", jpeg_bytes(color="blue"), f"p{entry2}")
    urls = PHOTO.findall(client.get(LOG).get_data(as_text=True))
    assert len(urls) == 2 and all(client.get(url).status_code == 200 for url in urls)
    # Someone else uploads the same blue photo: stored once, now used by both.
    other = app.test_client()
    create_user("bea")
    other.submit("/login", {"login": "bea", "password": PASSWORD})
    other.submit("/courses/biogas/enrol")
    other.submit(LOG + "/start")
    other.submit(LOG + "/entries", {"new-entry_date": "2026-05-02", "new-text": "Mine."})
    bea_entry = max(int(n) for n in re.findall(r"/entries/(\d+)/photos", other.get(LOG).text))
    upload(other, f"{LOG}/entries/{bea_entry}/photos", jpeg_bytes(color="blue"), f"p{bea_entry}")
    red, blue = sorted(urls, key=lambda url: url not in other.get(LOG).text)[::-1]
    assert blue in other.get(LOG).text

    client.submit("/logout")
    delete_via_page(started)

    assert client.get(red).status_code == 404
    assert client.get(red.replace(".jpg", "-thumb.jpg")).status_code == 404
    assert client.get(blue).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PhotoBlob)) == 1
    assert db.session.scalar(select(BuildLog).where(BuildLog.user_id == started.id)) is None


def test_reviews_given_stay_for_the_authors_grade_without_the_reviewer(client, login, graded_class):
    klass = graded_class(4, grading="median")
    log = three_reviews(klass)  # learner1's log, reviewed by learners 2, 3 and 4
    before = assignment_grades(klass.assignment).get(log.id)
    reviewer, second = klass.learners[1], klass.learners[2]

    delete_account(reviewer)
    delete_account(second, credit_name="Bea")
    db.session.commit()

    after = assignment_grades(klass.assignment).get(log.id)
    assert after.reviews == 3
    assert after.by_criterion == before.by_criterion == {"build": Decimal(2), "docs": Decimal(2)}
    assert after.final == before.final
    kept = db.session.scalars(select(Review).where(Review.log_id == log.id)).all()
    assert len(kept) == 3 and sum(r.reviewer_id is None for r in kept) == 2
    # The author still reads all three; the maintainer sees no name for the deleted ones.
    login(klass.learners[0])
    base = f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"
    feedback = client.get(base + "/feedback").get_data(as_text=True)
    assert "Reviewer 3" in feedback
    client.submit("/logout")
    login(klass.maintainer)
    gradebook = client.get(f"{base}/gradebook/{log.id}")
    html = gradebook.get_data(as_text=True)
    assert gradebook.status_code == 200
    assert "a former contributor" in html and reviewer.username not in html


def test_enrolments_notifications_and_personal_rows_go(create_user, create_course):
    maria = create_user("maria")
    course = create_course("biogas", maintainer=create_user("keeper"))
    db.session.add(Enrolment(user_id=maria.id, course_id=course.id))
    db.session.add(Notification(user_id=maria.id, kind="test", params="{}"))
    save_preferences(maria.id, EmailMode.DAILY, {"grade_ready": Channel.ALL})
    db.session.commit()

    delete_account(maria)
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    for table in (NotificationSettings, NotificationOptOut):
        assert db.session.scalar(select(func.count()).select_from(table)) == 0


def test_the_username_written_into_credits_becomes_the_chosen_name(
    client, create_user, create_course
):
    keeper = create_user("keeper")
    maria = create_user("maria")
    create_course("biogas", maintainer=keeper, authors=("maria", "Ana"))
    course = db.session.scalar(select(Course).where(Course.slug == "biogas"))
    editing.add_maintainer(keeper, course, "maria")
    db.session.commit()
    assert "Added maria as a maintainer." in client.get("/courses/biogas/history").text

    delete_account(maria, credit_name="María Q.")
    db.session.commit()

    page = client.get("/courses/biogas").get_data(as_text=True)
    assert "María Q." in page and "Ana" in page and "maria" not in page
    history = client.get("/courses/biogas/history").get_data(as_text=True)
    assert "Added María Q. as a maintainer." in history and "maria" not in history


def test_a_build_log_held_for_review_goes_back_to_the_pool(client, login, review_class):
    klass = review_class(3, must_review=1, must_be_reviewed=1)
    holder = klass.learners[1]
    login(holder)
    base = f"/courses/{klass.course.slug}/a/{klass.assignment.slug}"
    assert client.submit(base + "/reviews/next").status_code == 302
    held = db.session.scalar(select(Review).where(Review.reviewer_id == holder.id))
    assert held is not None and held.state == "leased"
    log_id = held.log_id
    client.submit("/logout")

    delete_account(db.session.get(User, holder.id))
    db.session.commit()

    row = db.session.get(ReviewQueue, log_id)
    assert (row.leased, row.load) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_a_deleted_account_cannot_be_made_maintainer_again(
    client, login, create_user, create_course
):
    keeper = create_user("keeper")
    create_course("biogas", maintainer=keeper)
    maria = create_user("maria")
    delete_account(maria)
    db.session.commit()
    login(keeper)
    response = client.submit("/courses/biogas/maintainers", {"username": f"~deleted-{maria.id}"})
    assert response.status_code == 422
    assert "There is no user called" in response.get_data(as_text=True)


def test_fork_credits_carry_the_chosen_name_down_the_lineage(
    client, create_user, biogas, fork, edit
):
    alice, bob = create_user("alice"), create_user("bob")
    edit("biogas", "module-2", alice, body="Alice's trench.\n")
    fork("biogas", bob, "biogas-rwanda")

    delete_account(alice, credit_name="Alicia M.")
    db.session.commit()

    aside = re.search(
        r'<aside class="attribution".*?</aside>',
        client.get("/courses/biogas-rwanda").get_data(as_text=True),
        re.S,
    ).group(0)
    assert "Alicia M." in aside and "alice" not in aside
