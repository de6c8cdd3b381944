"""What a page needs is loaded once a request (issue #12, #15): the course and module of a
catalog page, the maintainer check, the header's unread count. The pages look the same
to a user; these tests say so, and count the statements that used to repeat."""

from __future__ import annotations

from flask_login import login_user, logout_user
from sqlalchemy import select

from peerlearn import permissions
from peerlearn.content.models import CourseMaintainer
from peerlearn.extensions import db
from peerlearn.notifications import notify
from peerlearn.web import current_actor


def test_course_and_module_pages_load_them_once(
    client, login, create_user, create_course, count_queries
):
    amina = create_user("amina")
    create_course("digester", modules=3, maintainer=amina)
    login(amina)
    with count_queries() as counter:
        page = client.get("/courses/digester/m/module-2").get_data(as_text=True)
    assert "Module 2" in page
    joined = " ".join(counter.statements).lower()
    assert sum("from courses" in s.lower() and "where courses.slug" in s.lower()
               for s in counter.statements) <= 1  # fmt: skip
    assert sum("from course_maintainers" in s.lower() for s in counter.statements) == 1
    assert "count(notifications.id)" in joined  # read with the user, in the same query
    assert not any(
        s.lower().lstrip().startswith("select count(notifications.id)") for s in counter.statements
    )
    with count_queries() as counter:
        page = client.get("/courses/digester").get_data(as_text=True)
    assert "Edit settings" in page
    assert sum("from course_maintainers" in s.lower() for s in counter.statements) == 1


def test_unknown_course_or_module_is_not_found(client, create_course):
    create_course("digester", modules=2)
    assert client.get("/courses/nowhere").status_code == 404
    assert client.get("/courses/nowhere/m/module-1").status_code == 404
    assert client.get("/courses/digester/m/module-9").status_code == 404
    assert client.get("/courses/digester/m/module-1").status_code == 200


def test_the_header_count_follows_new_notices(client, login, create_user, create_course):
    amina = create_user("amina")
    create_course("digester", modules=1)
    login(amina)
    assert "Notifications (" not in client.get("/courses/digester").get_data(as_text=True)
    notify(amina.id, "grade_ready", "/x", assignment="A")
    db.session.commit()
    assert "Notifications (1)" in client.get("/courses/digester").get_data(as_text=True)


def test_the_actor_is_read_once_and_follows_changes_in_the_same_request(
    app, create_user, create_course, count_queries
):
    amina = create_user("amina")
    course = create_course("digester", modules=1)
    login_user(amina)
    with count_queries() as counter:
        assert permissions.can_edit_course(current_actor(), course) is False
        assert permissions.is_maintainer(current_actor(), course) is False  # kept
    assert len(counter.statements) == 1
    db.session.add(CourseMaintainer(course_id=course.id, user_id=amina.id))
    db.session.flush()  # services flush: the actor is read again after
    assert permissions.is_maintainer(current_actor(), course) is True
    row = db.session.scalar(select(CourseMaintainer).where(CourseMaintainer.user_id == amina.id))
    db.session.delete(row)
    db.session.flush()
    assert permissions.is_maintainer(current_actor(), course) is False
    db.session.rollback()
    logout_user()
