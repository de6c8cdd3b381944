"""What a person chose to receive: per-kind opt-outs, email at once, daily or never, the
daily digest command, and marking one notice read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from peerlearn.db import utcnow
from peerlearn.extensions import db
from peerlearn.jobs import background, dispatch_ready
from peerlearn.notifications import notify, notify_many
from peerlearn.notifications.kinds import KINDS
from peerlearn.notifications.models import Channel, EmailMode, Notification
from peerlearn.notifications.preferences import preferences_of, save_preferences
from peerlearn.review.notifications import NoticeKind
from tests.fixtures.notices import notices_of


def commit():
    """Commit, and run the delivery jobs committed (as the end of a request does)."""
    db.session.commit()
    with background():
        dispatch_ready()


def choose(user, mode=EmailMode.IMMEDIATE, **off):
    save_preferences(user.id, mode, {kind: Channel(channel) for kind, channel in off.items()})
    db.session.commit()


def test_every_kind_has_a_translated_label_and_a_unique_short_name(app):
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    assert all(len(name) <= 32 for name in names)
    assert {"discussion_reply", "discussion_mention", "moderation", "circle_message"} <= set(names)


def test_a_kind_turned_off_records_nothing(create_user, smtp):
    amina = create_user("amina")
    choose(amina, review_received="all")
    assert notify(amina.id, NoticeKind.REVIEW_RECEIVED, "/x", assignment="Gas") is None
    assert notify(amina.id, NoticeKind.GRADE_READY, "/x", assignment="Gas") is not None
    commit()
    assert [n.kind for n in notices_of(amina)] == ["grade_ready"]
    assert len(smtp.sent) == 1


def test_in_the_app_only_shows_the_notice_but_sends_no_email(client, login, create_user, smtp):
    amina = create_user("amina")
    choose(amina, review_received="email")
    notify(amina.id, NoticeKind.REVIEW_RECEIVED, "/x", assignment="Gas test")
    commit()
    assert smtp.sent == []
    login(amina)
    page = client.get("/notifications").get_data(as_text=True)
    assert "received a new review" in page
    assert "Notifications (1)" in page


def test_notify_many_respects_each_persons_choice_in_a_fixed_number_of_queries(
    create_user, smtp, count_queries
):
    people = [create_user(f"learner{i}") for i in range(30)]
    choose(people[0], discussion_reply="all")
    choose(people[1], discussion_reply="email")
    choose(people[2], EmailMode.DAILY)
    ids = [p.id for p in people]
    with count_queries() as counter:
        made = notify_many(ids, "discussion_reply", "/t/1", thread="Mixing")
    assert counter.count <= 4  # two reads of choices; INSERTs batched, not one per person
    commit()
    assert people[0].id not in made and len(made) == 29
    assert made[people[1].id].sent_at is not None  # no email wanted
    assert made[people[2].id].sent_at is None  # waits for the digest
    assert len(smtp.sent) == 27  # everyone else, at once (after the commit)
    assert "“Mixing”" in smtp.sent[0]["Subject"]  # the sentence is the discussions' own


def test_settings_page_saves_choices(client, login, create_user):
    amina = create_user("amina")
    login(amina)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "Mentions of you" in page and "Changes to courses you forked" in page
    response = client.submit(
        "/settings/notifications",
        {f"kind_{k.name}": "both" for k in KINDS}
        | {"email_mode": "daily", "kind_discussion_mention": "all", "kind_grade_ready": "email"},
    )
    assert response.status_code == 302
    choices = preferences_of(amina.id)
    assert choices.email_mode is EmailMode.DAILY
    assert choices.off == {"discussion_mention": Channel.ALL, "grade_ready": Channel.EMAIL}
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert 'checked id="email_mode-1"' in page


def test_settings_need_a_csrf_token_and_a_login(client, login, create_user):
    assert client.get("/settings/notifications").status_code == 302  # to the login page
    amina = create_user("amina")
    login(amina)
    response = client.post("/settings/notifications", data={"email_mode": "never"})
    assert response.status_code in (400, 422)
    assert preferences_of(amina.id).email_mode is EmailMode.IMMEDIATE


def test_mark_one_read(client, login, create_user):
    amina, other = create_user("amina"), create_user("other")
    first = notify(amina.id, NoticeKind.GRADE_READY, "/x", assignment="A")
    second = notify(amina.id, NoticeKind.GRADE_READY, "/y", assignment="B")
    theirs = notify(other.id, NoticeKind.GRADE_READY, "/y", assignment="B")
    db.session.commit()
    ids = (first.id, second.id, theirs.id)
    login(amina)
    response = client.submit(f"/notifications/{ids[0]}/read", {"next": "/notifications"})
    assert response.status_code == 302 and response.location.endswith("/notifications")
    assert client.submit(f"/notifications/{ids[2]}/read").status_code == 404
    read = {n.id: n.read_at is not None for n in db.session.scalars(select(Notification))}
    assert read == {ids[0]: True, ids[1]: False, ids[2]: False}
    assert "Notifications (1)" in client.get("/notifications").get_data(as_text=True)


def test_unread_count_in_the_header_is_one_query(client, login, create_user, count_queries):
    amina = create_user("amina")
    for i in range(3):
        notify(amina.id, NoticeKind.GRADE_READY, "/x", assignment=f"A{i}")
    db.session.commit()
    login(amina)
    page = client.get("/").get_data(as_text=True)
    assert "Notifications (3)" in page
    with count_queries() as counter:
        client.get("/")
    counts = [s for s in counter.statements if "count(notifications.id)" in s.lower()]
    assert len(counts) == 1


# --- The daily digest -------------------------------------------------------------------


def test_digest_groups_by_user_and_sends_once(create_user, smtp, runner):
    amina = create_user("amina", locale="fr")
    bea = create_user("bea")
    carl = create_user("carl")  # email at once: not in any digest
    choose(amina, EmailMode.DAILY)
    choose(bea, EmailMode.DAILY)
    for i in range(3):
        notify(amina.id, NoticeKind.GRADE_READY, f"/a/{i}", assignment=f"Four {i}")
    notify(bea.id, NoticeKind.GRADE_READY, "/b", assignment="Stove")
    notify(carl.id, NoticeKind.GRADE_READY, "/c", assignment="Stove")
    commit()
    assert [m["To"] for m in smtp.sent] == ["carl@example.org"]
    smtp.sent.clear()

    result = runner.invoke(args=["peerlearn", "notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 digests queued" in result.output
    by_person = {m["To"]: m for m in smtp.sent}
    assert sorted(by_person) == ["amina@example.org", "bea@example.org"]
    french = by_person["amina@example.org"]
    assert french["Content-Language"] == "fr"
    assert french["Subject"] == "Vos notifications peerlearn\u00a0: 3 nouvelles"
    assert by_person["bea@example.org"]["Subject"] == "Your peerlearn notifications: 1 new"
    body = french.get_content()
    assert all(f"Four {i}" in body for i in range(3))
    assert "https://learn.example.org/a/0" in body
    assert all(n.sent_at is not None for n in notices_of(amina) + notices_of(bea))

    # A second run the same day sends nothing, even with news since.
    smtp.sent.clear()
    notify(amina.id, NoticeKind.GRADE_READY, "/a/9", assignment="Late")
    db.session.commit()
    result = runner.invoke(args=["peerlearn", "notifications", "digest"])
    assert "0 digests queued" in result.output
    assert smtp.sent == []
    # ... and neither does the cron command that sends the immediate ones.
    runner.invoke(args=["peerlearn", "notify"])
    assert smtp.sent == []


def test_digest_the_next_day_and_stale_notices(create_user, smtp, runner):
    amina = create_user("amina")
    choose(amina, EmailMode.DAILY)
    old = notify(amina.id, NoticeKind.GRADE_READY, "/old", assignment="Ancient")
    new = notify(amina.id, NoticeKind.GRADE_READY, "/new", assignment="Fresh")
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    runner.invoke(args=["peerlearn", "notifications", "digest"])
    (email,) = smtp.sent
    assert "Fresh" in email.get_content() and "Ancient" not in email.get_content()
    assert all(n.sent_at is not None for n in notices_of(amina))
    assert new.id


def test_digest_left_unsent_when_the_server_is_down(create_user, smtp, runner):
    amina = create_user("amina")
    choose(amina, EmailMode.DAILY)
    notify(amina.id, NoticeKind.GRADE_READY, "/a", assignment="Gas")
    db.session.commit()
    smtp.fail_connect = ConnectionRefusedError(111, "Connection refused")
    runner.invoke(args=["peerlearn", "notifications", "digest"])
    assert all(n.sent_at is None for n in notices_of(amina))
    smtp.fail_connect = None
    runner.invoke(args=["peerlearn", "notifications", "digest"])
    assert len(smtp.sent) == 1
