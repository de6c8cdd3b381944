"""Learning activity on the public profile: private unless the person makes it public."""

from __future__ import annotations

from peerlearn.accounts.models import User
from peerlearn.extensions import db


def test_courses_are_private_by_default_and_public_when_chosen(
    app, client, login, create_user, create_course
):
    maria = create_user("maria")
    create_course("biogas", title="Tube digesters")
    login(maria)
    assert client.submit("/courses/biogas/enrol").status_code == 302
    own = client.get("/users/maria").get_data(as_text=True)
    assert "Tube digesters" in own and "Only you see this" in own

    stranger = app.test_client()
    assert "Tube digesters" not in stranger.get("/users/maria").get_data(as_text=True)

    settings = client.get("/settings").get_data(as_text=True)
    assert "Show my learning activity on my profile" in settings
    assert (
        'name="activity_public"' in settings
        and "checked" not in settings.split("activity_public")[1][:80]
    )
    assert client.submit("/settings/privacy", {"activity_public": "y"}).status_code == 302

    assert db.session.get(User, maria.id).activity_public is True
    assert "Tube digesters" in stranger.get("/users/maria").get_data(as_text=True)

    assert client.submit("/settings/privacy", {}).status_code == 302  # unticked: private again
    assert "Tube digesters" not in stranger.get("/users/maria").get_data(as_text=True)


def test_the_privacy_setting_needs_csrf(client, login, create_user):
    maria = create_user("maria")
    login(maria)
    assert client.post("/settings/privacy", data={"activity_public": "y"}).status_code == 400
    assert db.session.get(User, maria.id).activity_public is False
