"""Forgotten passwords and registration by email: single-use links that expire, only
hashes stored, and no page that tells whether an address has an account."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from peerlearn.accounts.models import AccountToken, User
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD

NEW = "beans-and-plantain-stew"
_CSRF = re.compile(r'value="[^"]{40,}"')


def comparable(response) -> tuple[int, str]:
    """Status and body, without the per-session CSRF tokens."""
    return response.status_code, _CSRF.sub("", response.get_data(as_text=True))


def request_link(client, mailbox, user) -> str:
    client.submit("/password/forgot", {"email": user.email})
    return mailbox.links(user.email)[-1]


def reset(client, password: str = NEW, confirm: str | None = None):
    return client.submit("/password/reset", {"password": password, "confirm": confirm or password})


def test_the_login_page_links_to_forgot_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in html and "Forgot your password?" in html


def test_known_and_unknown_addresses_get_the_same_answer(client, create_user, mailbox):
    create_user("amina", email="amina@example.org")
    known = client.submit("/password/forgot", {"email": "amina@example.org"})
    unknown = client.submit("/password/forgot", {"email": "nobody@example.org"})
    assert comparable(known)[0] == comparable(unknown)[0] == 200
    assert comparable(known)[1].replace("amina@", "X@") == comparable(unknown)[1].replace(
        "nobody@", "X@"
    )
    assert "If an account exists" in known.get_data(as_text=True)
    assert len(mailbox.to("amina@example.org")) == 1
    assert mailbox.to("nobody@example.org") == []


def test_the_emailed_link_sets_a_new_password_once(client, create_user, mailbox):
    user = create_user("amina", locale="en")
    link = request_link(client, mailbox, user)
    assert link.startswith("/password/reset/")
    email = mailbox.to(user.email)[0]
    assert "amina" in mailbox.text(email) and email["Subject"]
    moved = client.get(link)
    assert moved.headers["Location"] == "/password/reset"  # the token leaves the address bar
    form = client.get("/password/reset")
    assert form.status_code == 200 and "Choose a new password" in form.get_data(as_text=True)
    response = reset(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.submit("/login", {"login": "amina", "password": NEW}).status_code == 302
    client.submit("/logout")
    assert client.submit("/login", {"login": "amina", "password": PASSWORD}).status_code == 422

    used = client.get(link)
    assert used.status_code == 410
    assert "used already" in used.get_data(as_text=True)


def test_a_new_link_replaces_nothing_but_a_reset_uses_them_all(client, create_user, mailbox):
    user = create_user("amina")
    first = request_link(client, mailbox, user)
    second = request_link(client, mailbox, user)
    client.get(second)
    assert reset(client).status_code == 302
    assert client.get(first).status_code == 410


def test_an_expired_link_is_refused_with_a_clear_page(client, create_user, mailbox):
    user = create_user("amina")
    link = request_link(client, mailbox, user)
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_a_link_expires_while_its_form_is_open(client, create_user, mailbox):
    user = create_user("amina")
    client.get(request_link(client, mailbox, user))
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = reset(client)
    assert response.status_code == 410
    db.session.refresh(user)
    assert client.submit("/login", {"login": "amina", "password": PASSWORD}).status_code == 302


def test_links_last_one_hour(client, create_user, mailbox):
    user = create_user("amina")
    request_link(client, mailbox, user)
    expires = db.session.scalar(select(AccountToken.expires_at))
    assert timedelta(minutes=59) < expires - utcnow() <= timedelta(hours=1)


def test_an_unknown_link_is_refused_in_the_visitors_language(client):
    client.post("/language", data={"language": "fr", "csrf_token": client.csrf_token()})
    response = client.get("/password/reset/made-up-token")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link is not valid" not in html and 'lang="fr"' in html
    assert client.get("/password/reset").status_code == 404


def test_a_weak_new_password_is_refused(client, create_user, mailbox):
    user = create_user("amina")
    client.get(request_link(client, mailbox, user))
    response = reset(client, "qwerty123456")
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)
    assert reset(client).status_code == 302  # the link still works after a refused try


def test_only_a_hash_of_the_token_is_stored(client, create_user, mailbox):
    user = create_user("amina")
    token = request_link(client, mailbox, user).rsplit("/", 1)[1]
    stored = db.session.scalar(select(AccountToken.token_hash))
    assert token not in stored and len(token) >= 40


def test_without_smtp_the_link_never_reaches_the_log(client, create_user, caplog):
    create_user("amina")
    with caplog.at_level(logging.INFO, logger="peerlearn.mail"):
        response = client.submit("/password/forgot", {"email": "amina@example.org"})
    assert response.status_code == 200
    assert "password_reset" in caplog.text
    assert "/password/reset/" not in caplog.text and "amina@" not in caplog.text


def test_the_email_is_in_the_owners_language(client, create_user, mailbox):
    user = create_user("amina", locale="es")
    request_link(client, mailbox, user)
    (email,) = mailbox.to(user.email)
    assert email["Content-Language"] == "es"
    assert "contraseña" in email["Subject"]


# --- Registration does not reveal who has an account --------------------------------------

GOOD = {
    "username": "maria",
    "email": "maria@example.org",
    "password": "quinoa fields at dawn",
    "confirm": "quinoa fields at dawn",
    "language": "en",
}


def users() -> int:
    return int(db.session.scalar(select(func.count(User.id))) or 0)


def test_registering_a_taken_email_looks_like_a_new_registration(client, create_user, mailbox):
    create_user("ana", email="ana@example.org")
    taken = client.submit("/register", {**GOOD, "email": "ana@example.org"})
    new = client.submit("/register", {**GOOD, "username": "maria2"})
    assert comparable(taken)[0] == comparable(new)[0] == 200
    assert comparable(taken)[1].replace("ana@", "X@") == comparable(new)[1].replace("maria@", "X@")
    assert "Check your mail" in new.get_data(as_text=True)
    assert users() == 1  # nothing is created before the address is confirmed

    (warning,) = mailbox.to("ana@example.org")
    assert "tried to create" in mailbox.text(warning)
    (link,) = mailbox.links("ana@example.org")[-1:]
    assert client.get(link).status_code == 302  # a working reset link


def test_the_confirmation_link_creates_the_account_and_logs_in(client, mailbox):
    client.submit("/register", GOOD)
    (link,) = mailbox.links("maria@example.org")
    page = client.get(link)
    assert page.status_code == 200 and users() == 0  # opening the link changes nothing
    response = client.submit(link)
    assert response.status_code == 302
    assert users() == 1
    assert client.get("/dashboard").status_code == 200
    assert client.submit(link).status_code == 410


def test_a_username_collision_is_still_reported(client, create_user, mailbox):
    create_user("maria", email="other@example.org")
    response = client.submit("/register", GOOD)
    assert response.status_code == 422
    assert "taken" in response.get_data(as_text=True)
    assert mailbox.sent == []


def test_a_username_taken_before_confirmation_asks_to_register_again(client, create_user, mailbox):
    client.submit("/register", GOOD)
    (link,) = mailbox.links("maria@example.org")
    create_user("maria", email="someone@example.org")
    response = client.submit(link)
    assert response.headers["Location"] == "/register"
    assert users() == 1


@pytest.mark.parametrize("setting", [True, False])
def test_confirmation_by_email_is_a_setting(app, client, create_user, monkeypatch, setting):
    monkeypatch.setitem(app.config, "REGISTRATION_CONFIRM_EMAIL", setting)
    response = client.submit("/register", GOOD)
    assert (users() == 0) is setting
    assert (response.status_code == 200) is setting
