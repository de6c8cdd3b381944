"""Sessions end on the server: a copied cookie stops working after logout, a password
change or reset, an admin's "sign out everywhere", or a long idle time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from peerlearn.accounts.models import UserSession
from peerlearn.db import utcnow
from peerlearn.extensions import db
from tests.fixtures.app import PASSWORD

NEW_PASSWORD = "beans-and-plantain-stew"


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def log_in(app, user, password: str = PASSWORD):
    """A new browser, logged in as ``user``."""
    browser = app.test_client()
    response = browser.submit("/login", {"login": user.username, "password": password})
    assert response.status_code == 302
    return browser


def copy_of(app, browser):
    """Another client carrying a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def age_sessions(user, **delta: float) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - timedelta(**delta))
    )
    db.session.commit()


def test_a_copied_cookie_stops_working_after_logout(app, create_user):
    browser = log_in(app, create_user("amina"))
    thief = copy_of(app, browser)
    assert signed_in(thief)  # the copy works while the session lives: it is a real copy
    browser.submit("/logout")
    assert not signed_in(browser)
    assert not signed_in(thief)
    assert thief.get("/settings").status_code == 302


def test_the_database_keeps_only_a_hash_of_the_session_token(app, create_user):
    browser = log_in(app, create_user("amina"))
    with browser.session_transaction() as session:
        token = session["_sid"]
    stored = db.session.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(token) >= 40


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, create_user):
    user = create_user("amina")
    phone = log_in(app, user)
    thief = copy_of(app, phone)
    laptop = log_in(app, user)
    response = laptop.submit(
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(thief)


def test_a_password_reset_ends_every_session(app, client, create_user, mailbox):
    user = create_user("amina")
    phone = log_in(app, user)
    thief = copy_of(app, phone)
    client.submit("/password/forgot", {"email": user.email})
    (link,) = mailbox.links(user.email)
    client.get(link)
    response = client.submit("/password/reset", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert not signed_in(phone)
    assert not signed_in(thief)
    assert signed_in(log_in(app, user, NEW_PASSWORD))


def test_an_idle_session_is_refused_and_the_person_asked_to_log_in(app, create_user):
    user = create_user("amina")
    browser = log_in(app, user)
    age_sessions(user, days=13)
    assert signed_in(browser)  # 13 days: still within the default 14
    age_sessions(user, days=15)
    response = browser.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/settings")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please log in again" in page
    assert not signed_in(browser)


def test_admins_are_signed_out_after_hours_and_the_limits_are_settings(
    app, create_user, monkeypatch
):
    admin = create_user("root", is_admin=True)
    learner = create_user("amina")
    admin_browser, learner_browser = log_in(app, admin), log_in(app, learner)
    age_sessions(admin, hours=13)
    age_sessions(learner, hours=13)
    assert signed_in(learner_browser)
    assert not signed_in(admin_browser)
    monkeypatch.setitem(app.config, "SESSION_IDLE_DAYS", 0.5)
    age_sessions(learner, hours=13)  # the visit above counted as use
    assert not signed_in(learner_browser)


def test_last_seen_is_written_every_few_minutes_not_every_request(app, create_user):
    user = create_user("amina")
    browser = log_in(app, user)
    age_sessions(user, minutes=2)
    before = db.session.scalar(select(UserSession.last_seen_at))
    browser.get("/dashboard")
    assert db.session.scalar(select(UserSession.last_seen_at)) == before
    age_sessions(user, minutes=10)
    browser.get("/dashboard")
    assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(minutes=1)


def test_an_admin_signs_a_user_out_everywhere(app, client, login, create_user):
    target = create_user("amina")
    phone, laptop = log_in(app, target), log_in(app, target)
    login(create_user("root", is_admin=True))
    profile = client.get("/users/amina").get_data(as_text=True)
    assert "Sign out everywhere" in profile
    response = client.submit("/users/amina/sign-out-everywhere")
    assert response.status_code == 302
    assert "signed out everywhere" in client.get("/users/amina").get_data(as_text=True)
    assert not signed_in(phone)
    assert not signed_in(laptop)
    assert signed_in(client)  # the admin's own session is untouched


def test_only_admins_may_sign_someone_out_everywhere(app, client, login, create_user):
    target = create_user("amina")
    phone = log_in(app, target)
    login(create_user("jean"))
    assert "Sign out everywhere" not in client.get("/users/amina").get_data(as_text=True)
    assert client.submit("/users/amina/sign-out-everywhere").status_code == 403
    assert signed_in(phone)


def test_sign_out_everywhere_needs_a_csrf_token(app, client, login, create_user):
    phone = log_in(app, create_user("amina"))
    login(create_user("root", is_admin=True))
    assert client.post("/users/amina/sign-out-everywhere").status_code == 400
    assert signed_in(phone)


def test_settings_list_the_sessions_and_sign_out_the_others(app, create_user):
    user = create_user("amina")
    phone = app.test_client()
    phone.submit(
        "/login",
        {"login": "amina", "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537"},
    )
    laptop = log_in(app, user)
    page = laptop.get("/settings").get_data(as_text=True)
    assert "Chrome / Android" in page and "this browser" in page
    assert laptop.submit("/settings/sessions/sign-out-others").status_code == 302
    assert not signed_in(phone)
    assert signed_in(laptop)
    assert "Sign out other sessions" not in laptop.get("/settings").get_data(as_text=True)


def test_a_cookie_without_a_server_side_session_signs_nobody_in(app, client, create_user):
    """An old-style cookie (user id only) and Flask-Login's "remember me" cookie are not
    sessions the server knows, so they sign nobody in."""
    user = create_user("amina")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not signed_in(client)
    remembered = app.test_client()
    with app.test_request_context():
        remembered.set_cookie(
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), encode_cookie(str(user.id))
        )
    assert not signed_in(remembered)


@pytest.mark.parametrize("forged", ["not-a-token", ""])
def test_a_forged_session_token_signs_nobody_in(app, client, create_user, forged):
    user = create_user("amina")
    log_in(app, user)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_sid"] = forged
    assert not signed_in(client)


def test_checking_the_session_costs_one_query_for_the_user_and_the_session(
    client, login, create_user, count_queries
):
    login(create_user("amina"))
    with count_queries() as counter:
        assert client.get("/dashboard").status_code == 200
    touching = [s for s in counter.statements if "user_sessions" in s]
    assert len(touching) == 1 and "users" in touching[0].split("FROM", 1)[1]
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter.statements)
