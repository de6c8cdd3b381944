"""Notifications: the in-app list, the header count, email after commit, the cron command."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import get_locale

from peerlearn.accounts.models import User
from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.jobs import background, take_ready
from peerlearn.notifications import Notification, message, notify, params_of
from peerlearn.notifications import delivery as mail
from peerlearn.notifications.notices import DELIVER
from peerlearn.review.notifications import NoticeKind
from tests.fixtures.notices import SITE, add_notices, notices_of


def take_committed(session: Any) -> set[int]:
    """The ids of the notices whose delivery jobs ``session`` committed."""
    return {i for job in take_ready(session) if job.path == DELIVER for i in job.args[0]}


@pytest.fixture
def notify_on_request(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``notify_on_request(recipient, kind, url, **params)``: the next language switch by a
    signed-in user also records that notice, in the same transaction as the view's change
    (as the review views do when a review is submitted)."""
    import peerlearn.accounts.views

    def arm(recipient: User, kind: NoticeKind, url: str, **params: Any) -> None:
        original = peerlearn.accounts.views.set_preferences
        recipient_id = recipient.id

        def set_preferences(user: User, **kw: Any) -> Any:
            notify(recipient_id, kind, url, **params)
            return original(user, **kw)

        monkeypatch.setattr(peerlearn.accounts.views, "set_preferences", set_preferences)

    return arm


def switch_language(client: Any, language: str = "en") -> Any:
    return client.submit("/language", {"language": language, "next": "/dashboard"})


# --- The service ------------------------------------------------------------------------


def test_notify_stores_kind_params_and_url_without_sending(create_user, smtp):
    user = create_user("amina")
    notice = notify(user.id, NoticeKind.REVIEW_ASSIGNED, "/courses/x/a/y", assignment="Gas test")
    assert notice.id is not None and notice.sent_at is None and notice.read_at is None
    assert notice.kind == "review_assigned"
    assert params_of(notice) == {"assignment": "Gas test"}
    assert smtp.sent == []


def test_each_kind_has_its_own_message(create_user):
    user = create_user("amina")
    texts = {
        kind: message(notify(user.id, kind, "/", assignment="Gas test", hours=1, review=7))
        for kind in NoticeKind
    }
    assert texts[NoticeKind.REVIEW_ASSIGNED] == ("You have a build log to review for “Gas test”.")
    assert "expires in 1 hour." in texts[NoticeKind.LEASE_EXPIRING]
    assert texts[NoticeKind.REVIEW_RECEIVED] == (
        "Your build log for “Gas test” received a new review."
    )
    assert texts[NoticeKind.GRADE_READY] == "Your grade for “Gas test” is ready."
    assert texts[NoticeKind.REGRADE_ANSWERED] == (
        "Your regrade request for “Gas test” has been answered."
    )
    assert len(set(texts.values())) == len(NoticeKind)
    plural = notify(user.id, NoticeKind.LEASE_EXPIRING, "/", assignment="Gas test", hours=3)
    assert "expires in 3 hours." in message(plural)


def test_a_notice_with_an_unknown_kind_or_broken_params_still_reads(create_user):
    user = create_user("amina")
    odd = Notification(user_id=user.id, kind="from_the_future", params="not json", url="/")
    assert message(odd) == "You have a new notification."
    broken = Notification(user_id=user.id, kind="lease_expiring", params='{"hours": "x"}', url="/")
    assert message(broken) == "You have a new notification."


def test_only_committed_notices_are_handed_to_the_mailer(create_user):
    user = create_user("amina")
    take_committed(db.session)
    notify(user.id, NoticeKind.GRADE_READY, "/", assignment="Gas test")
    db.session.rollback()
    db.session.commit()
    assert take_committed(db.session) == set()
    kept = notify(user.id, NoticeKind.GRADE_READY, "/", assignment="Gas test")
    db.session.commit()
    assert take_committed(db.session) == {kept.id}
    assert take_committed(db.session) == set()


def test_savepoints_neither_send_nor_lose_notices(create_user):
    user = create_user("amina")
    take_committed(db.session)
    with db.session.begin_nested():
        notify(user.id, NoticeKind.GRADE_READY, "/", assignment="A")
    assert take_committed(db.session) == set()  # released, but the outer one may roll back
    db.session.rollback()
    assert take_committed(db.session) == set()
    before = notify(user.id, NoticeKind.GRADE_READY, "/", assignment="B")
    savepoint = db.session.begin_nested()
    notify(user.id, NoticeKind.GRADE_READY, "/", assignment="C")
    savepoint.rollback()
    db.session.commit()
    assert before.id in take_committed(db.session)


# --- Email after the request's commit ---------------------------------------------------


def test_a_committed_notice_is_emailed_in_english_with_its_absolute_link(
    client, login, create_user, smtp, notify_on_request
):
    actor = create_user("reviewer")
    author = create_user("author", email="author@example.org", locale="en")
    login(actor)
    notify_on_request(author, NoticeKind.REVIEW_RECEIVED, "/courses/biogas/a/gas-test",
                      assignment="Gas production test")  # fmt: skip
    response = switch_language(client)
    assert response.status_code == 302
    assert len(smtp.sent) == 1
    email = smtp.sent[0]
    assert email["To"] == "author@example.org"
    assert email["From"] == "peerlearn <noreply@learn.example.org>"
    assert email["Subject"] == "Your build log for “Gas production test” received a new review."
    assert email["Content-Language"] == "en"
    body = email.get_content()
    assert "Your build log for “Gas production test” received a new review." in body
    assert f"{SITE}/courses/biogas/a/gas-test" in body
    assert f"{SITE}/notifications" in body
    assert "reviewer" not in body and "reviewer" not in email["Subject"]  # double-blind
    assert smtp.connections == [
        {"host": "mail.example.org", "port": 587, "timeout": 10, "starttls": True,
         "login": ("peerlearn", "hunter22")}
    ]  # fmt: skip
    [notice] = notices_of(author)
    assert notice.sent_at is not None and notice.read_at is None


def test_the_email_is_written_in_the_recipients_language(
    client, login, create_user, smtp, notify_on_request, monkeypatch
):
    locales: list[str] = []
    original = mail.message

    def spy(notice: Notification) -> str:
        locales.append(str(get_locale()))
        return original(notice)

    monkeypatch.setattr(mail, "message", spy)
    actor = create_user("reviewer", locale="en")
    author = create_user("autora", locale="es")
    login(actor)
    notify_on_request(author, NoticeKind.GRADE_READY, "/x", assignment="Prueba de gas")
    switch_language(client, "en")
    assert locales == ["es"]
    assert smtp.sent[0]["Content-Language"] == "es"
    assert smtp.sent[0]["To"] == "autora@example.org"
    # The page the actor sees stays in the actor's language.
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in page


def test_without_smtp_each_notice_is_one_log_line_and_no_email(
    client, login, create_user, no_smtp, notify_on_request, caplog
):
    caplog.set_level(logging.INFO, logger="peerlearn.mail")
    actor = create_user("reviewer")
    author = create_user("author", email="secret-address@example.org")
    login(actor)
    notify_on_request(author, NoticeKind.REVIEW_RECEIVED, "/x", assignment="Secret title")
    response = switch_language(client)
    assert response.status_code == 302
    lines = [r.getMessage() for r in caplog.records if r.name == "peerlearn.mail"]
    [notice] = notices_of(author)
    assert lines == [f"email not configured; notice {notice.id} kind=review_received "
                     f"user={author.id}"]  # fmt: skip
    assert "secret-address" not in lines[0] and "Secret title" not in lines[0]
    assert notice.sent_at is not None


def test_a_failing_smtp_server_never_fails_the_request(
    client, login, create_user, smtp, notify_on_request, caplog
):
    smtp.fail_connect = ConnectionRefusedError(111, "Connection refused")
    actor = create_user("reviewer")
    author = create_user("author")
    login(actor)
    notify_on_request(author, NoticeKind.REVIEW_RECEIVED, "/x", assignment="Gas test")
    response = switch_language(client, "es")
    assert response.status_code == 302
    assert db.session.get(User, actor.id).locale == "es"  # the user's change was kept
    [notice] = notices_of(author)
    assert notice.sent_at is None  # left for `peerlearn notify`
    assert any(r.name == "peerlearn.mail" and r.levelno == logging.ERROR for r in caplog.records)
    assert smtp.sent == []


def test_a_server_dropping_the_connection_mid_send_leaves_the_notice_unsent(
    client, login, create_user, smtp, notify_on_request
):
    smtp.fail_send = smtplib.SMTPServerDisconnected("gone")
    actor = create_user("reviewer")
    author = create_user("author")
    login(actor)
    notify_on_request(author, NoticeKind.GRADE_READY, "/x", assignment="Gas test")
    assert switch_language(client).status_code == 302
    assert notices_of(author)[0].sent_at is None


def test_a_recipient_refused_for_good_is_not_retried_forever(create_user, smtp, runner):
    author = create_user("author")
    add_notices(author, 1)
    smtp.fail_send = smtplib.SMTPRecipientsRefused({"author@example.org": (550, b"no such user")})
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 0, result.output
    assert "1 refused" in result.output
    assert notices_of(author)[0].sent_at is not None
    smtp.fail_send = None
    runner.invoke(args=["peerlearn", "notify"])
    assert smtp.sent == []


def test_a_request_without_notices_sends_nothing(client, login, create_user, smtp):
    login(create_user("amina"))
    assert switch_language(client).status_code == 302
    assert smtp.connections == [] and smtp.sent == []


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_own_notices_newest_first_and_marks_unread(client, login, create_user):
    amina, other = create_user("amina"), create_user("other")
    first, _second, third = add_notices(amina, 3)
    add_notices(other, 1, assignment="Not yours")
    third.read_at = utcnow()
    db.session.commit()
    login(amina)
    response = client.get("/notifications")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    positions = [page.index(f"Assignment {i}") for i in (2, 1, 0)]
    assert positions == sorted(positions)  # newest first
    assert "Not yours" not in page
    assert page.count(">New<") == 2
    assert f'formaction="/notifications/{first.id}/open"' in page
    assert "Mark all as read" in page
    # One form for the whole list, beside the header's log out and the language switcher.
    assert page.count('name="csrf_token"') == 3


def test_an_empty_list_says_so(client, login, create_user):
    login(create_user("amina"))
    page = client.get("/notifications").get_data(as_text=True)
    assert "You have no notifications yet." in page
    assert "Mark all as read" not in page


def test_the_list_is_paginated(client, login, create_user):
    amina = create_user("amina")
    add_notices(amina, 25)
    login(amina)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Assignment 24" in first and "Assignment 4" not in first
    assert "Page 1 of 2" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Assignment 4" in second and "Assignment 5<" not in second
    assert client.get("/notifications?page=3").status_code == 404
    assert client.get("/notifications?page=0").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_for_3_or_30_notices(
    client, login, create_user, count_queries, count
):
    amina = create_user("amina")
    add_notices(amina, count)
    login(amina)
    with count_queries() as counter:
        response = client.get("/notifications")
    assert response.status_code == 200
    # The user, the page's counts (also the header's) and the page's notices.
    assert counter.count == 3, counter.statements


def test_a_full_page_of_notices_stays_small(client, login, create_user):
    amina = create_user("amina")
    add_notices(amina, 30, assignment="A fairly long assignment title, as maintainers write " * 2)
    login(amina)
    response = client.get("/notifications")
    assert len(response.get_data()) < 30_000


def test_mark_all_read(client, login, create_user):
    amina, other = create_user("amina"), create_user("other")
    add_notices(amina, 3)
    add_notices(other, 1)
    login(amina)
    response = client.submit("/notifications/read")
    assert response.status_code == 302 and response.location.endswith("/notifications")
    assert all(n.read_at is not None for n in notices_of(amina))
    assert notices_of(other)[0].read_at is None
    page = client.get("/notifications").get_data(as_text=True)
    assert ">New<" not in page and "Mark all as read" not in page


def test_mark_all_read_needs_a_csrf_token(client, login, create_user):
    amina = create_user("amina")
    add_notices(amina, 1)
    login(amina)
    assert client.post("/notifications/read").status_code == 400
    assert notices_of(amina)[0].read_at is None


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, login, create_user):
    amina = create_user("amina")
    first, second = add_notices(amina, 2)
    login(amina)
    response = client.submit(f"/notifications/{first.id}/open")
    assert response.status_code == 302
    assert response.location == "/courses/biogas/a/test-0"
    read = {n.id: n.read_at for n in notices_of(amina)}
    assert read[first.id] is not None and read[second.id] is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)", ""]
)
def test_opening_a_notice_only_redirects_within_the_site(client, login, create_user, url):
    amina = create_user("amina")
    notice = notify(amina.id, NoticeKind.GRADE_READY, url, assignment="Gas test")
    db.session.commit()
    login(amina)
    response = client.submit(f"/notifications/{notice.id}/open")
    assert response.status_code == 302
    assert response.location == "/notifications"


def test_another_users_notice_is_not_found(client, login, create_user):
    amina, other = create_user("amina"), create_user("other")
    [theirs] = add_notices(other, 1)
    login(amina)
    assert client.submit(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.submit("/notifications/999999/open").status_code == 404
    assert notices_of(other)[0].read_at is None


def test_opening_a_notice_is_a_post(client, login, create_user):
    amina = create_user("amina")
    [notice] = add_notices(amina, 1)
    login(amina)
    assert client.get(f"/notifications/{notice.id}/open").status_code == 405
    assert notices_of(amina)[0].read_at is None


def test_visitors_are_sent_to_log_in(client, create_user):
    amina = create_user("amina")
    [notice] = add_notices(amina, 1)
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.location
    response = client.submit(f"/notifications/{notice.id}/open")
    assert response.status_code == 302 and "/login" in response.location
    response = client.submit("/notifications/read")
    assert response.status_code == 302 and "/login" in response.location
    assert notices_of(amina)[0].read_at is None


# --- The header -------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_in_one_query(client, login, create_user, count_queries):
    amina = create_user("amina")
    notices = add_notices(amina, 3)
    notices[0].read_at = utcnow()
    db.session.commit()
    login(amina)
    with count_queries() as counter:
        page = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/notifications">Notifications (2)</a>' in page
    assert sum("notifications" in s for s in counter.statements) == 1
    client.submit("/notifications/read")
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/notifications">Notifications</a>' in page


def test_visitors_have_no_notifications_link_and_no_query(client, count_queries):
    with count_queries() as counter:
        page = client.get("/").get_data(as_text=True)
    assert "/notifications" not in page
    assert not any("notifications" in s for s in counter.statements)


# --- The cron command -------------------------------------------------------------------


def test_cli_keeps_notices_when_the_server_is_down_and_says_so(create_user, runner, smtp):
    amina = create_user("amina")
    add_notices(amina, 3)
    smtp.fail_connect = OSError("network unreachable")
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 1
    assert "3 left for the next run" in result.output
    assert all(n.sent_at is None for n in notices_of(amina))
    smtp.fail_connect = None
    result = runner.invoke(args=["peerlearn", "notify"])
    assert result.exit_code == 0 and "3 notices sent" in result.output
    assert len(smtp.sent) == 3


def test_cli_sends_in_batches(create_user, smtp, app):
    amina = create_user("amina")
    add_notices(amina, 5)
    with background(), app.test_request_context("/"):  # as the cron command runs it
        result = mail.deliver_unsent(batch=2)
    assert (result.sent, result.deferred, result.stopped) == (5, 0, False)
    assert len(smtp.sent) == 5
