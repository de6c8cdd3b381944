"""Login, logout, profile and preferences."""

from __future__ import annotations

from peerlearn.accounts.passwords import PasswordProblem, password_problems
from tests.fixtures.app import PASSWORD


def test_login_with_username_or_email_then_logout(client, create_user):
    user = create_user("amina", email="amina@example.org")
    for login in ("amina", "AMINA@example.org"):
        response = client.submit("/login", {"login": login, "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == "/dashboard"
        assert client.get("/dashboard").status_code == 200
        assert client.submit("/logout").status_code == 302
        assert client.get("/dashboard").status_code == 302  # back to the login page
    assert user.username == "amina"


def test_wrong_password_is_a_form_error_and_not_a_session(client, create_user):
    create_user("amina")
    response = client.submit("/login", {"login": "amina", "password": "wrong password!"})
    assert response.status_code == 422
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    response = client.submit("/login", {"login": "nobody", "password": "whatever123"})
    assert response.status_code == 422
    assert "do not match" in response.get_data(as_text=True)


def test_login_starts_a_new_session(client, create_user):
    create_user("amina")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.submit("/login", {"login": "amina", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_login_follows_only_local_next_links(client, create_user):
    create_user("amina")
    ok = client.submit("/login", {"login": "amina", "password": PASSWORD, "next": "/courses/x"})
    assert ok.headers["Location"] == "/courses/x"
    client.submit("/logout")
    evil = client.submit(
        "/login", {"login": "amina", "password": PASSWORD, "next": "//evil.example/phish"}
    )
    assert evil.headers["Location"] == "/dashboard"


def test_logout_requires_post(client, login, create_user):
    login(create_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_profile_lists_the_users_courses(client, login, create_user, create_course):
    user = create_user("amina")
    course = create_course(title="Cookstoves")
    login(user)
    client.submit(f"/courses/{course.slug}/enrol")
    page = client.get("/users/amina").get_data(as_text=True)
    assert "Cookstoves" in page
    assert "amina@example.org" not in page
    assert client.get("/users/nobody").status_code == 404


def test_settings_change_language_and_time_zone(client, login, create_user):
    user = create_user("amina")
    login(user)
    response = client.submit("/settings", {"language": "es", "timezone": "Africa/Kigali"})
    assert response.status_code == 302
    assert (user.locale, user.timezone) == ("es", "Africa/Kigali")
    bad = client.submit("/settings", {"language": "xx", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert user.timezone == "Africa/Kigali"


def test_password_rules():
    assert password_problems("a long unusual phrase") == []
    assert PasswordProblem.TOO_SHORT in password_problems("short")
    assert PasswordProblem.TOO_COMMON in password_problems("Contraseña123")
    assert PasswordProblem.CONTAINS_NAME in password_problems("amina12345678", username="amina")


def test_profile_lists_courses_the_user_maintains(client, create_user, create_course):
    user = create_user("amina")
    create_course(title="Rain tanks", maintainer=user)
    page = client.get("/users/amina").get_data(as_text=True)
    assert "Maintains" in page and "Rain tanks" in page
