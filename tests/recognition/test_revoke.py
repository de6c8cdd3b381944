"""Only the course's maintainers (and site admins) revoke a course badge, only site admins
a site-wide one; always by a POST with its CSRF token and a reason, which the revoked
assertion then shows to whoever checks it."""

from __future__ import annotations

import pytest

from peerlearn.extensions import db
from peerlearn.recognition import awarding
from peerlearn.recognition.models import Assertion, BadgeKind

REASON = "Copied another learner's build log."


@pytest.fixture
def issued(klass):
    assertion = awarding.issue(klass.learner, awarding.course_badge(klass.course))
    db.session.commit()
    return assertion


def _revoked(assertion):
    return db.session.get(Assertion, assertion.id).revoked_at is not None


def test_the_courses_maintainer_revokes_with_a_reason(client, login, klass, issued):
    login(klass.maintainer)
    page = client.get(f"/badges/{issued.public_id}").get_data(as_text=True)
    assert "Revoke this badge" in page

    response = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": REASON})

    assert response.status_code == 302
    assert _revoked(issued)
    again = db.session.get(Assertion, issued.id)
    assert again.revocation_reason == REASON and again.revoked_by_id == klass.maintainer.id
    assert client.get(f"/badges/assertions/{issued.public_id}").status_code == 410


def test_a_reason_is_required_and_asked_for_in_the_maintainers_language(
    client, login, klass, issued
):
    login(klass.maintainer)
    response = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": "   "})
    assert response.status_code == 400
    assert "Give the reason" in response.get_data(as_text=True)

    klass.maintainer.locale = "es"
    db.session.commit()
    spanish = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": ""})
    assert spanish.status_code == 400
    assert "Indique el motivo" in spanish.get_data(as_text=True)
    assert not _revoked(issued)


@pytest.mark.parametrize("who", ["learner", "classmate", "stranger", "other_maintainer"])
def test_others_may_not_revoke(client, login, klass, issued, create_user, create_course, who):
    if who == "stranger":
        user = create_user("stranger")
    elif who == "other_maintainer":
        user = create_user("elsewhere")
        create_course("other", maintainer=user)
    else:
        user = getattr(klass, who)
    login(user)

    assert "Revoke this badge" not in client.get(f"/badges/{issued.public_id}").get_data(
        as_text=True
    )
    response = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": REASON})

    assert response.status_code == 403
    assert not _revoked(issued)


def test_an_anonymous_visitor_is_sent_to_log_in(client, issued):
    response = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": REASON})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _revoked(issued)


def test_without_a_csrf_token_nothing_happens(client, login, klass, issued):
    login(klass.maintainer)
    response = client.post(f"/badges/{issued.public_id}/revoke", data={"reason": REASON})
    assert response.status_code == 400
    assert not _revoked(issued)


def test_a_site_admin_may_revoke_any_badge(client, login, klass, issued, create_user):
    login(create_user("root", is_admin=True))
    assert (
        client.submit(f"/badges/{issued.public_id}/revoke", {"reason": REASON}).status_code == 302
    )
    assert _revoked(issued)


def test_site_wide_badges_are_revoked_by_site_admins_only(client, login, klass, create_user):
    contributor = awarding.issue(klass.learner, awarding.site_badge(BadgeKind.CONTRIBUTOR))
    db.session.commit()

    login(klass.maintainer)
    refused = client.submit(f"/badges/{contributor.public_id}/revoke", {"reason": REASON})
    assert refused.status_code == 403
    client.submit("/logout")
    login(create_user("root", is_admin=True))
    done = client.submit(f"/badges/{contributor.public_id}/revoke", {"reason": REASON})
    assert done.status_code == 302 and _revoked(contributor)


def test_revoking_twice_changes_nothing(client, login, klass, issued):
    login(klass.maintainer)
    client.submit(f"/badges/{issued.public_id}/revoke", {"reason": REASON})
    again = client.submit(f"/badges/{issued.public_id}/revoke", {"reason": "Another reason."})
    assert again.status_code == 302
    assert db.session.get(Assertion, issued.id).revocation_reason == REASON
