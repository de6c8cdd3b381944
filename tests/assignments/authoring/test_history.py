"""Assignment history, diff, revert and removal, and who may use the authoring pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from peerlearn.content.models import CourseEvent
from peerlearn.extensions import db
from tests.fixtures.assignment_authoring import assignments, revisions

BASE = "/courses/biogas/assignments"


@pytest.fixture
def maintainer(create_user):
    return create_user("ana")


@pytest.fixture
def gas_test(create_course, create_assignment, maintainer):
    return create_assignment(create_course("biogas", maintainer=maintainer), slug="gas-test")


def _edit(client, gas_test, old, new):
    current = assignments()[0]
    response = client.submit(
        f"{BASE}/gas-test/edit",
        {
            "text": current.current.text.replace(old, new),
            "base_revision_id": current.current_revision_id,
        },
    )
    assert response.status_code == 302


def test_history_lists_revisions_and_diff_shows_the_change(client, login, maintainer, gas_test):
    login(maintainer)
    _edit(client, gas_test, "title: Gas production test", "title: Gas test")
    first, second = revisions(gas_test)

    page = client.get(f"{BASE}/gas-test/history").get_data(as_text=True)
    assert "Revision 2" in page and "Revision 1" in page
    assert "ana" in page
    # Headed by the title learners see, not the slug.
    assert "<h1>History of the assignment “Gas test”</h1>" in page
    assert "<title>History · Gas test" in page

    response = client.get(f"{BASE}/gas-test/diff?from={first.id}&to={second.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<del>production </del>" in page or "<del>production</del>" in page
    assert "Changes from revision 1 to revision 2" in page
    assert "<title>Changes · Gas test" in page


def test_diff_of_unknown_revisions_is_404(client, login, maintainer, gas_test):
    login(maintainer)
    assert client.get(f"{BASE}/gas-test/diff?from=x&to=999").status_code == 404


def test_revert_adds_a_revision_with_the_old_text(client, login, maintainer, gas_test):
    login(maintainer)
    original = gas_test.current.text
    _edit(client, gas_test, "title: Gas production test", "title: Gas test")
    first = revisions(gas_test)[0]

    response = client.submit(f"{BASE}/gas-test/revert", {"revision_id": first.id})

    assert response.status_code == 302
    history = revisions(gas_test)
    assert [r.kind for r in history] == ["import", "edit", "revert"]
    assert history[-1].text == original
    assert assignments()[0].current_revision_id == history[-1].id
    assert client.submit(f"{BASE}/gas-test/revert", {"revision_id": first.id}).status_code == 302
    page = client.get(f"{BASE}/gas-test/history").get_data(as_text=True)
    assert "already reads like revision 1" in page
    assert len(revisions(gas_test)) == 3


def test_remove_takes_the_assignment_out_and_keeps_its_history(client, login, maintainer, gas_test):
    login(maintainer)

    response = client.submit(f"{BASE}/gas-test/remove")

    assert response.status_code == 302
    [assignment] = assignments()
    assert assignment.removed_at is not None
    assert len(revisions(assignment)) == 1
    [event] = db.session.scalars(
        select(CourseEvent).where(CourseEvent.kind == "assignment_removed")
    )
    assert json.loads(event.detail) == {"slug": "gas-test", "title": "Gas production test"}
    assert client.get(f"{BASE}/gas-test/edit").status_code == 404
    assert "gas-test" not in client.get(BASE).get_data(as_text=True)


ROUTES = [
    ("get", BASE),
    ("get", f"{BASE}/new"),
    ("get", f"{BASE}/gas-test/edit"),
    ("get", f"{BASE}/gas-test/history"),
    ("get", f"{BASE}/gas-test/diff?from=1&to=1"),
    ("post", f"{BASE}/gas-test/revert"),
    ("post", f"{BASE}/gas-test/remove"),
    ("post", f"{BASE}/gas-test/edit"),
    ("post", f"{BASE}/new"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, gas_test, method, path):
    response = client.get(path) if method == "get" else client.submit(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_other_users_are_refused(client, login, create_user, gas_test, method, path):
    login(create_user("someone"))
    response = client.get(path) if method == "get" else client.submit(path)
    assert response.status_code == 403
    assert assignments()[0].removed_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/courses/nope/assignments",
        "/courses/nope/assignments/new",
        f"{BASE}/nope/edit",
        f"{BASE}/nope/history",
    ],
)
def test_unknown_courses_and_assignments_are_404(client, login, maintainer, gas_test, path):
    login(maintainer)
    assert client.get(path).status_code == 404


def test_a_post_without_csrf_is_refused(client, login, maintainer, gas_test):
    login(maintainer)
    response = client.post(f"{BASE}/gas-test/remove")
    assert response.status_code == 400
    assert assignments()[0].removed_at is None


def test_site_admins_may_edit(client, login, create_user, gas_test):
    login(create_user("admin", is_admin=True))
    assert client.get(f"{BASE}/gas-test/edit").status_code == 200
