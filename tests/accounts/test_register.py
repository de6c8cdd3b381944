"""Registration: a new account, and clear errors next to the field for every bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from peerlearn.accounts.models import User

GOOD = {
    "username": "Maria",
    "email": "Maria@Example.org",
    "password": "quinoa fields at dawn",
    "confirm": "quinoa fields at dawn",
    "language": "es",
}


def field_error(html: str, field: str) -> str:
    """The error text shown under ``field`` (empty when there is none)."""
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_register_creates_account_and_logs_in(client, db):
    response = client.submit("/register", GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert (user.username, user.email, user.locale) == ("maria", "maria@example.org", "es")
    assert user.password_hash.startswith("pbkdf2:") and "quinoa" not in user.password_hash
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "maria" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "Choose a username."),
        ({"username": "ab"}, "username", "3 to 40 characters"),
        ({"username": "maría lópez"}, "username", "Use only letters a-z"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
        ({"password": "1234567890", "confirm": "1234567890"}, "password", "too common"),
        ({"password": "maria-is-great", "confirm": "maria-is-great"}, "password", "username"),
        (
            {"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"},
            "password",
            "different characters",
        ),
        ({"confirm": "something else entirely"}, "confirm", "do not match"),
    ],
)
def test_bad_input_is_a_form_error_next_to_the_field(client, db, changes, field, message):
    response = client.submit("/register", {**GOOD, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert 'aria-invalid="true"' in html
    assert user_count(db) == 0


def test_what_the_user_typed_is_kept_after_an_error(client):
    html = client.submit("/register", {**GOOD, "confirm": "typo"}).get_data(as_text=True)
    assert 'value="maria"' in html and 'value="maria@example.org"' in html


@pytest.mark.parametrize(
    "duplicate",
    [
        {"username": "MARIA", "email": "other@example.org"},
        {"username": "other", "email": "maria@EXAMPLE.org"},
    ],
)
def test_duplicate_username_or_email_is_refused(client, db, create_user, duplicate):
    create_user("maria", email="maria@example.org")
    response = client.submit("/register", {**GOOD, **duplicate})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "taken" in field_error(html, "username") or "already exists" in field_error(
        html, "email"
    )
    assert user_count(db) == 1


def test_registration_without_csrf_token_is_refused(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert user_count(db) == 0


def test_production_hashes_passwords_with_scrypt(app):
    from peerlearn.config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"  # OWASP's minimum
