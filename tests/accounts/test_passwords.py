"""Password strength, changing one's password, and the hash cost (with rehash on login)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from peerlearn.accounts.models import User
from peerlearn.accounts.passwords import (
    PasswordProblem,
    needs_rehash,
    normalized_method,
    password_problems,
)
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD

NEW = "beans-and-plantain-stew"


@pytest.mark.parametrize(
    "password", ["qwerty123456", "football123", "iloveyou2024", "password2026", "1q2w3e4r5t6y"]
)
def test_common_passwords_are_refused(password):
    assert PasswordProblem.TOO_COMMON in password_problems(password, "amina", "amina@example.org")


@pytest.mark.parametrize("password", [PASSWORD, "quinoa fields at dawn", "solar-digester-7-kigali"])
def test_the_passwords_of_tests_and_fixtures_pass(password):
    assert password_problems(password, "learner1", "learner1@example.org") == []


@pytest.mark.parametrize(
    ("password", "username", "email"),
    [
        ("amina-rocks-2026", "amina", "other@example.org"),  # contains the username
        ("animaanima", "amina", "x@example.org"),  # close to it
        ("animaxyz1234", "xyz", "anima@example.org"),  # contains the email's local part
        ("anima.kigali@mail.rw", "someone", "anima.kigali@mail.rw"),  # the email itself
        ("anima.kigali1", "someone", "anima.kigali@mail.rw"),  # close to the email
        ("animaama", "amina", "x@example.org"),  # the name reversed
    ],
)
def test_passwords_resembling_the_username_or_email_are_refused(password, username, email):
    problems = password_problems(password, username, email, min_length=8)
    assert PasswordProblem.CONTAINS_NAME in problems


def test_a_weak_password_is_refused_at_registration_with_a_clear_message(client):
    form = {
        "username": "amina", "email": "amina@example.org", "password": "football123",
        "confirm": "football123", "language": "en",
    }  # fmt: skip
    response = client.submit("/register", form)
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_the_message_is_translated(client):
    client.post("/language", data={"language": "es", "csrf_token": client.csrf_token()})
    form = {
        "username": "amina", "email": "amina@example.org", "password": "qwerty123456",
        "confirm": "qwerty123456", "language": "es",
    }  # fmt: skip
    html = client.submit("/register", form).get_data(as_text=True)
    assert "too common" not in html and "muy común" in html


# --- Changing the password ----------------------------------------------------------------


def change(client, current: str = PASSWORD, new: str = NEW, confirm: str | None = None):
    return client.submit(
        "/settings/password",
        {"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


def test_the_settings_page_offers_a_password_change(client, login, create_user):
    login(create_user("amina"))
    html = client.get("/settings").get_data(as_text=True)
    assert 'name="current_password"' in html and 'name="new_password"' in html


def test_changing_the_password(client, login, create_user):
    user = create_user("amina")
    login(user)
    response = change(client)
    assert response.status_code == 302
    assert "Your password is changed" in client.get("/settings").get_data(as_text=True)
    client.submit("/logout")
    bad = client.submit("/login", {"login": "amina", "password": PASSWORD})
    assert bad.status_code == 422
    assert client.submit("/login", {"login": "amina", "password": NEW}).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-password-here", NEW, None, "not your current password"),
        (PASSWORD, "football123", None, "too common"),
        (PASSWORD, "amina-at-home-2026", None, "username or email"),
        (PASSWORD, NEW, "something-else-entirely", "do not match"),
    ],
)
def test_a_refused_change_says_why_and_keeps_the_old_password(
    client, login, create_user, current, new, confirm, message
):
    user = create_user("amina")
    login(user)
    response = change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, PASSWORD)


# --- Hash cost ----------------------------------------------------------------------------


def test_production_uses_owasps_scrypt_cost_and_it_hashes(app):
    """N=2^17, r=8, p=1 needs 128 MiB: the memory limit must let it through."""
    from peerlearn.config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    hashed = generate_password_hash(PASSWORD, method=Config.PASSWORD_HASH_METHOD)
    assert hashed.startswith("scrypt:131072:8:1$")
    assert check_password_hash(hashed, PASSWORD)


def test_which_hashes_need_rehashing():
    old = generate_password_hash("x", method="scrypt:1024:8:1")
    assert needs_rehash(old, "scrypt:2048:8:1")
    assert not needs_rehash(old, "scrypt:1024:8:1")
    assert needs_rehash(old, "pbkdf2:sha256:1000")
    assert normalized_method("scrypt") == "scrypt:32768:8:1"
    assert not needs_rehash(generate_password_hash("x", method="scrypt"), "scrypt")


def stored_hash(username: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(User.password_hash).where(User.username == username))


def test_login_rehashes_a_password_stored_at_another_cost(app, client, create_user, monkeypatch):
    create_user("amina")  # hashed with the test setting, pbkdf2:sha256:1000
    assert stored_hash("amina").startswith("pbkdf2:sha256:1000$")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")

    client.submit("/login", {"login": "amina", "password": "a wrong password"})
    assert stored_hash("amina").startswith("pbkdf2:")  # no proof of the password, no change

    assert client.submit("/login", {"login": "amina", "password": PASSWORD}).status_code == 302
    rehashed = stored_hash("amina")
    assert rehashed.startswith("scrypt:1024:8:1$")
    assert check_password_hash(rehashed, PASSWORD)

    client.submit("/logout")
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt:2048:8:1")
    client.submit("/login", {"login": "amina", "password": PASSWORD})
    assert stored_hash("amina").startswith("scrypt:2048:8:1$")  # raising the cost again

    client.submit("/logout")
    again = stored_hash("amina")
    client.submit("/login", {"login": "amina", "password": PASSWORD})
    assert stored_hash("amina") == again  # already at the configured cost: left alone
