"""The Open Badges documents carry every field both specifications require, verify as a
verifier would (fetching the URLs they name), and answer 410 once revoked.

Open Badges 2.0 (hosted verification): Issuer — id, type, name, url, email; BadgeClass —
id, type, name, description, image, criteria, issuer; Assertion — id, type, recipient
(type, hashed, salt, identity), badge, verification, issuedOn. Open Badges 3.0:
OpenBadgeCredential — @context (VC 2.0 first, then OB 3.0), id, type, issuer (a Profile
with id and type), validFrom, name, credentialSubject (type AchievementSubject, an
identifier, and the achievement: id, type, name, description, criteria); as a VC-JWT —
header alg and kid, claims iss, jti, sub, nbf. The signature is checked with joserfc,
not with the code that signs.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import OKPKey
from PIL import Image

from peerlearn.extensions import db
from peerlearn.recognition import awarding

OB2 = "https://w3id.org/openbadges/v2"
#: RFC 9864 (2025) prefers the algorithm name "Ed25519"; Open Badges 3.0 and VC-JWT
#: verifiers expect "EdDSA", which joserfc still verifies with a warning.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _path(url):
    return urlsplit(url).path


def _get_json(client, url, status=200):
    response = client.get(_path(url))
    assert response.status_code == status, (url, response.status_code)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.get_data(as_text=True))


@pytest.fixture
def issued(klass):
    assertion = awarding.issue(klass.learner, awarding.course_badge(klass.course))
    db.session.commit()
    return assertion


def test_the_issuer_profile_has_the_required_fields_and_the_public_key(client):
    issuer = _get_json(client, "/badges/issuer")

    assert issuer["@context"] == OB2
    assert issuer["type"] == "Issuer"
    assert _path(issuer["id"]) == "/badges/issuer"
    assert issuer["name"] and issuer["url"].startswith("http")
    assert "@" in issuer["email"]
    key = issuer["publicKey"]
    assert key["type"] == "CryptographicKey" and key["owner"] == issuer["id"]
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert key["publicKeyJwk"]["kty"] == "OKP" and key["publicKeyJwk"]["crv"] == "Ed25519"
    assert _get_json(client, key["id"])["x"] == key["publicKeyJwk"]["x"]


def test_the_assertion_and_its_badge_class_have_every_required_field(client, klass, issued):
    hosted = _get_json(client, f"/badges/assertions/{issued.public_id}")

    assert hosted["@context"] == OB2
    assert hosted["type"] == "Assertion"
    assert _path(hosted["id"]) == f"/badges/assertions/{issued.public_id}"
    assert hosted["verification"] == {"type": "hosted"}
    assert ISO_Z.match(hosted["issuedOn"])
    recipient = hosted["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert str(issued.public_id) not in str(issued.id) and len(issued.public_id) >= 20

    badge = _get_json(client, hosted["badge"])
    assert badge["@context"] == OB2 and badge["type"] == "BadgeClass"
    assert badge["id"] == hosted["badge"]
    assert badge["name"] == "Completed: Tube digester"
    assert "Tube digester" in badge["description"]
    assert "50%" in badge["criteria"]["narrative"]
    assert _path(badge["criteria"]["id"]) == f"/courses/{klass.course.slug}"
    issuer = _get_json(client, badge["issuer"])
    assert issuer["id"] == badge["issuer"]
    image = client.get(_path(badge["image"]))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).size == (256, 256)


def test_the_hashed_recipient_identity_verifies_against_the_learners_email(client, klass, issued):
    recipient = _get_json(client, f"/badges/assertions/{issued.public_id}")["recipient"]
    salted = (klass.learner.email + recipient["salt"]).encode()

    assert recipient["identity"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    assert klass.learner.email not in json.dumps(recipient)
    other = ("someone@example.org" + recipient["salt"]).encode()
    assert recipient["identity"] != "sha256$" + hashlib.sha256(other).hexdigest()


def test_the_baked_png_holds_exactly_the_hosted_assertion(client, issued):
    hosted = client.get(f"/badges/assertions/{issued.public_id}")
    baked = client.get(f"/badges/assertions/{issued.public_id}/baked.png")

    assert baked.status_code == 200 and baked.mimetype == "image/png"
    image = Image.open(io.BytesIO(baked.data))  # Pillow reads the iTXt chunk on its own
    image.load()
    assert image.text["openbadges"] == hosted.get_data(as_text=True)
    assert json.loads(image.text["openbadges"])["id"].endswith(issued.public_id)


def _credential(client, public_id):
    response = client.get(f"/badges/assertions/{public_id}/credential.jwt")
    assert response.status_code == 200 and response.mimetype == "application/jwt"
    return response.get_data(as_text=True)


def _published_key(client):
    issuer = _get_json(client, "/badges/issuer")
    return OKPKey.import_key(_get_json(client, issuer["publicKey"]["id"]))


def test_the_open_badges_3_credential_verifies_with_the_published_key(client, klass, issued):
    token = jwt.decode(
        _credential(client, issued.public_id), _published_key(client), algorithms=["EdDSA"]
    )
    header, claims = token.header, token.claims

    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert header["kid"] == _get_json(client, "/badges/issuer")["publicKey"]["id"]
    assert claims["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["name"] == "Completed: Tube digester"
    assert claims["jti"] == claims["id"]
    issuer = claims["issuer"]
    assert issuer["type"] == ["Profile"] and claims["iss"] == issuer["id"]
    assert _path(issuer["id"]) == "/badges/issuer" and issuer["name"]
    assert ISO_Z.match(claims["validFrom"])
    assert claims["nbf"] == int(issued.issued_at.timestamp())
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert claims["sub"] == subject["id"] and _path(subject["id"]) == "/users/amina"
    (identifier,) = subject["identifier"]
    assert identifier["type"] == "IdentityObject" and identifier["hashed"] is True
    assert identifier["identityType"] == "emailAddress"
    salted = (klass.learner.email + identifier["salt"]).encode()
    assert identifier["identityHash"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert _path(achievement["id"]) == f"/badges/classes/{issued.badge_class_id}"
    assert achievement["name"] == "Completed: Tube digester"
    assert achievement["description"] and achievement["criteria"]["narrative"]
    assert achievement["image"]["type"] == "Image"


def test_a_changed_credential_fails_verification(client, issued):
    header, payload, signature = _credential(client, issued.public_id).split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["name"] = "Master builder"
    tampered = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()

    with pytest.raises(BadSignatureError):
        jwt.decode(f"{header}.{tampered}.{signature}", _published_key(client), algorithms=["EdDSA"])


def test_a_revoked_badge_answers_410_with_its_reason(client, klass, issued):
    awarding.revoke(klass.maintainer, issued, "Copied another learner's log.")
    db.session.commit()

    gone = _get_json(client, f"/badges/assertions/{issued.public_id}", status=410)
    assert gone["revoked"] is True
    assert gone["revocationReason"] == "Copied another learner's log."
    assert gone["@context"] == OB2 and gone["id"].endswith(issued.public_id)
    for suffix in ("/baked.png", "/credential.jwt"):
        assert client.get(f"/badges/assertions/{issued.public_id}{suffix}").status_code == 410
    page = client.get(f"/badges/{issued.public_id}")
    assert page.status_code == 410
    assert "Copied another learner&#39;s log." in page.get_data(as_text=True)


def test_a_deleted_account_takes_its_badges_with_it(client, klass, issued):
    from peerlearn.db import utcnow

    klass.learner.deleted_at = utcnow()
    db.session.commit()

    assert client.get(f"/badges/assertions/{issued.public_id}").status_code == 410
    assert client.get(f"/badges/{issued.public_id}").status_code == 410


def test_unknown_ids_are_404(client, issued):
    assert client.get("/badges/assertions/nope").status_code == 404
    assert client.get("/badges/nope").status_code == 404
    assert client.get("/badges/classes/999999").status_code == 404
    assert client.get("/badges/assertions/nope/baked.png").status_code == 404


def test_a_configured_base_url_fixes_every_id_whatever_the_host(app, client, issued, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_BASE_URL", "https://learn.example.org/")
    hosted = client.get(
        f"/badges/assertions/{issued.public_id}", headers={"Host": "other.example.net"}
    ).get_json()

    assert hosted["id"] == f"https://learn.example.org/badges/assertions/{issued.public_id}"
    assert hosted["badge"].startswith("https://learn.example.org/badges/classes/")


def test_assertions_are_never_cached_so_a_revocation_shows_at_once(client, klass, issued):
    assert client.get(f"/badges/assertions/{issued.public_id}").headers["Cache-Control"] == (
        "no-cache"
    )
    awarding.revoke(klass.maintainer, issued, "Mistake.")
    db.session.commit()
    gone = client.get(f"/badges/assertions/{issued.public_id}")
    assert gone.status_code == 410 and gone.headers["Cache-Control"] == "no-cache"
