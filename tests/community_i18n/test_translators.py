"""Site admins name translators per language and revoke them; nobody else can."""

from __future__ import annotations

from sqlalchemy import select

from peerlearn.community_i18n.models import Translator
from peerlearn.extensions import db


def translators() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Translator).order_by(Translator.id))
    return [(t.user.username, t.locale) for t in rows]


def test_an_admin_names_a_translator(client, login, create_user):
    admin = create_user("admin", is_admin=True)
    create_user("amina")
    login(admin)
    response = client.submit("/translate/translators", {"username": " Amina ", "locale": "es"})
    assert response.status_code == 302
    assert translators() == [("amina", "es")]
    page = client.get("/translate/translators").get_data(as_text=True)
    assert "amina can now approve translations into Spanish." in page
    assert "amina" in page and "Spanish" in page
    granted = db.session.scalar(select(Translator))
    assert granted.granted_by_id == admin.id


def test_naming_an_unknown_user_or_twice_says_what_is_wrong(client, login, create_user):
    login(create_user("admin", is_admin=True))
    create_user("amina")
    response = client.submit("/translate/translators", {"username": "nobody", "locale": "es"})
    assert response.status_code == 422
    assert "There is no user called “nobody”." in response.get_data(as_text=True)
    client.submit("/translate/translators", {"username": "amina", "locale": "es"})
    response = client.submit("/translate/translators", {"username": "amina", "locale": "es"})
    assert response.status_code == 422
    assert "amina already translates into Spanish." in response.get_data(as_text=True)
    assert translators() == [("amina", "es")]


def test_only_interface_languages_other_than_english_can_be_chosen(client, login, create_user):
    login(create_user("admin", is_admin=True))
    create_user("amina")
    for locale in ("en", "xx", ""):
        response = client.submit("/translate/translators", {"username": "amina", "locale": locale})
        assert response.status_code == 422
    assert translators() == []


def test_an_admin_revokes_a_translator(client, login, create_user):
    admin = create_user("admin", is_admin=True)
    amina = create_user("amina")
    db.session.add(Translator(user_id=amina.id, locale="es", granted_by_id=admin.id))
    db.session.commit()
    translator_id = db.session.scalar(select(Translator.id))
    login(admin)
    response = client.submit(f"/translate/translators/{translator_id}/revoke")
    assert response.status_code == 302
    assert translators() == []
    assert client.submit(f"/translate/translators/{translator_id}/revoke").status_code == 404


def test_non_admins_may_not_manage_translators(client, login, create_user):
    amina = create_user("amina")
    db.session.add(Translator(user_id=amina.id, locale="es"))
    db.session.commit()
    translator_id = db.session.scalar(select(Translator.id))
    login(amina)  # a translator, but not an admin
    assert client.get("/translate/translators").status_code == 403
    response = client.submit("/translate/translators", {"username": "amina", "locale": "es"})
    assert response.status_code == 403
    assert client.submit(f"/translate/translators/{translator_id}/revoke").status_code == 403
    assert translators() == [("amina", "es")]


def test_visitors_are_sent_to_log_in_and_forms_need_csrf(client, login, create_user):
    response = client.get("/translate/translators")
    assert response.status_code == 302 and "/login" in response.location
    login(create_user("admin", is_admin=True))
    create_user("amina")
    response = client.post("/translate/translators", data={"username": "amina", "locale": "es"})
    assert response.status_code == 400
    assert translators() == []


def test_the_command_line_names_a_translator(runner, create_user):
    create_user("amina")
    result = runner.invoke(args=["peerlearn", "translators", "grant", "amina", "es"])
    assert result.exit_code == 0, result.output
    assert translators() == [("amina", "es")]
    result = runner.invoke(args=["peerlearn", "translators", "grant", "amina", "de"])
    assert result.exit_code != 0 and "de" in result.output
