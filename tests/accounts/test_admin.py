"""Site admins: the CLI that makes the first one, locking accounts, removing maintainers."""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.content.models import CourseMaintainer
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD


def test_cli_grants_lists_and_revokes_admins(runner, create_user):
    create_user("ana")
    create_user("bea")

    result = runner.invoke(args=["peerlearn", "admins", "grant", "Ana"])
    assert result.exit_code == 0, result.output
    assert "ana is now a site admin" in result.output
    runner.invoke(args=["peerlearn", "admins", "grant", "bea"])
    assert runner.invoke(args=["peerlearn", "admins", "list"]).output.split() == ["ana", "bea"]

    assert runner.invoke(args=["peerlearn", "admins", "revoke", "bea"]).exit_code == 0
    assert runner.invoke(args=["peerlearn", "admins", "list"]).output.split() == ["ana"]
    assert db.session.scalar(select(User.is_admin).where(User.username == "bea")) is False


def test_cli_refuses_unknown_users_and_the_last_admin(runner, create_user):
    create_user("ana", is_admin=True)
    unknown = runner.invoke(args=["peerlearn", "admins", "grant", "nobody"])
    assert unknown.exit_code == 1 and "no user called 'nobody'" in unknown.output
    last = runner.invoke(args=["peerlearn", "admins", "revoke", "ana"])
    assert last.exit_code == 1 and "last site admin" in last.output
    assert db.session.scalar(select(User.is_admin).where(User.username == "ana")) is True


def test_an_admin_locks_an_account_its_sessions_end_and_login_says_so(
    app, client, login, create_user
):
    create_user("root", is_admin=True)
    maria = create_user("maria")
    maria_device = app.test_client()
    maria_device.submit("/login", {"login": "maria", "password": PASSWORD})
    assert maria_device.get("/settings").status_code == 200

    login(db.session.scalar(select(User).where(User.username == "root")))
    profile = client.get("/users/maria").get_data(as_text=True)
    assert "Lock this account" in profile
    assert client.post("/users/maria/lock").status_code == 400  # no CSRF token
    assert client.submit("/users/maria/lock").status_code == 302

    assert maria_device.get("/settings").status_code == 302  # her session stopped working
    refused = maria_device.submit("/login", {"login": "maria", "password": PASSWORD})
    assert refused.status_code == 422
    assert "This account is locked" in refused.get_data(as_text=True)
    spanish = app.test_client()
    spanish.set_cookie("peerlearn_lang", "es")
    refused = spanish.submit("/login", {"login": "maria", "password": PASSWORD})
    assert "Esta cuenta está bloqueada" in refused.get_data(as_text=True)

    assert client.submit("/users/maria/unlock").status_code == 302
    assert (
        maria_device.submit("/login", {"login": maria.username, "password": PASSWORD}).status_code
        == 302
    )


def test_only_admins_lock_accounts_and_not_their_own(client, login, create_user):
    create_user("maria")
    root = create_user("root", is_admin=True)
    bea = create_user("bea")
    login(bea)
    assert "Lock this account" not in client.get("/users/maria").get_data(as_text=True)
    assert client.submit("/users/maria/lock").status_code == 403
    client.submit("/logout")
    login(root)
    assert client.submit("/users/root/lock").status_code == 403
    assert db.session.scalar(select(User.locked_at).where(User.username == "maria")) is None


def test_an_admin_removes_a_maintainer_from_the_maintainers_page(
    client, login, create_user, create_course
):
    keeper = create_user("keeper")
    course = create_course("biogas", maintainer=keeper)
    root = create_user("root", is_admin=True)
    login(keeper)
    assert "Remove keeper as maintainer" not in client.get("/courses/biogas/maintainers").text
    assert client.submit("/courses/biogas/maintainers/keeper/remove").status_code == 403
    client.submit("/logout")

    login(root)
    page = client.get("/courses/biogas/maintainers").get_data(as_text=True)
    assert "Remove keeper as maintainer" in page
    assert client.post("/courses/biogas/maintainers/keeper/remove").status_code == 400
    response = client.submit("/courses/biogas/maintainers/keeper/remove")
    assert response.status_code == 302
    assert "Nobody maintains this course yet" in client.get(response.headers["Location"]).text
    assert (
        db.session.scalar(select(CourseMaintainer).where(CourseMaintainer.course_id == course.id))
        is None
    )
