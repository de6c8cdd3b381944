"""The Open Badges documents, built from the rows.

Open Badges 2.0, hosted verification: the Issuer profile, the BadgeClass and the
Assertion are JSON-LD at stable URLs (``id`` is where each is served); a verifier fetches
the assertion's ``id`` and compares. A revoked assertion answers 410 with
``revoked``/``revocationReason``.

Open Badges 3.0: the same achievement as an ``OpenBadgeCredential`` (context 3.0.3 on the
Verifiable Credentials Data Model 2.0), secured as a VC-JWT: the JWT payload *is* the
credential, with the registered claims ``iss`` (issuer id), ``jti`` (credential id),
``sub`` (subject id), ``nbf`` and ``iat`` (validFrom) added, as OB 3.0 §8.2 describes for
VCDM 2.0 (no ``vc`` wrapper claim, which belonged to VCDM 1.1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale

from peerlearn.recognition.models import Assertion, BadgeClass
from peerlearn.recognition.signing import public_jwk, public_pem, sign_jwt
from peerlearn.recognition.texts import badge_text, document_locale

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, whole seconds, with ``Z`` (what both specifications show)."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def issuer_name() -> str:
    return str(current_app.config.get("BADGE_ISSUER_NAME") or "peerlearn")


def issuer_email() -> str:
    configured = current_app.config.get("BADGE_ISSUER_EMAIL")
    if configured:
        return str(configured)
    return parseaddr(str(current_app.config["MAIL_FROM"]))[1] or "noreply@localhost"


def external(endpoint: str, **values: Any) -> str:
    """An absolute URL. ``BADGE_BASE_URL`` (e.g. ``https://learn.example.org``) fixes the
    scheme and host, so that the ids baked into badges stay the same whichever name or
    proxy a request came through; without it, the request's own host is used."""
    base = current_app.config.get("BADGE_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def issuer_url() -> str:
    return external("badges.issuer")


def key_url() -> str:
    return external("badges.issuer_key")


def badge_url(badge: BadgeClass) -> str:
    return external("badges.badge_class", badge_id=badge.id)


def image_url(badge: BadgeClass) -> str:
    return external("badges.badge_image", badge_id=badge.id)


def assertion_url(assertion: Assertion) -> str:
    return external("badges.assertion", public_id=assertion.public_id)


def credential_url(assertion: Assertion) -> str:
    return external("badges.credential", public_id=assertion.public_id)


def recipient_url(assertion: Assertion) -> str:
    return external("personal_data.profile", username=assertion.user.username)


# --- Open Badges 2.0 ----------------------------------------------------------------------


def issuer_profile() -> dict[str, Any]:
    """The Issuer: the 2.0 required fields, and the public key both ways (a PEM
    ``CryptographicKey`` as 2.0 defines it, and the JWK the 3.0 credentials name as
    ``kid``)."""
    jwk = public_jwk()
    return {
        "@context": OB2_CONTEXT,
        "id": issuer_url(),
        "type": "Issuer",
        "name": issuer_name(),
        "url": external("catalog.index"),
        "email": issuer_email(),
        "publicKey": {
            "id": key_url(),
            "type": "CryptographicKey",
            "owner": issuer_url(),
            "publicKeyPem": public_pem(),
            "publicKeyJwk": {k: jwk[k] for k in ("kty", "crv", "x")},
        },
    }


def badge_class_document(badge: BadgeClass) -> dict[str, Any]:
    with force_locale(document_locale(badge)):
        text = badge_text(badge)
    criteria: dict[str, str] = {"narrative": text.criteria}
    if badge.course is not None:
        criteria["id"] = external("catalog.course", slug=badge.course.slug)
    return {
        "@context": OB2_CONTEXT,
        "id": badge_url(badge),
        "type": "BadgeClass",
        "name": text.name,
        "description": text.description,
        "image": image_url(badge),
        "criteria": criteria,
        "issuer": issuer_url(),
    }


def assertion_document(assertion: Assertion) -> dict[str, Any]:
    """The hosted assertion (also what the badge PNG bakes)."""
    return {
        "@context": OB2_CONTEXT,
        "id": assertion_url(assertion),
        "type": "Assertion",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.identity_hash,
        },
        "badge": badge_url(assertion.badge_class),
        "verification": {"type": "hosted"},
        "issuedOn": iso(assertion.issued_at),
        "image": external("badges.baked_image", public_id=assertion.public_id),
    }


def revoked_document(assertion: Assertion, reason: str) -> dict[str, Any]:
    """What a revoked assertion's URL answers, with status 410."""
    return {
        "@context": OB2_CONTEXT,
        "id": assertion_url(assertion),
        "type": "Assertion",
        "revoked": True,
        "revocationReason": reason,
    }


# --- Open Badges 3.0 ----------------------------------------------------------------------


def credential_document(assertion: Assertion) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` of an assertion (unsigned)."""
    badge = assertion.badge_class
    with force_locale(document_locale(badge)):
        text = badge_text(badge)
    achievement: dict[str, Any] = {
        "id": badge_url(badge),
        "type": ["Achievement"],
        "name": text.name,
        "description": text.description,
        "criteria": {"narrative": text.criteria},
        "image": {"id": image_url(badge), "type": "Image"},
    }
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": credential_url(assertion),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": text.name,
        "issuer": {
            "id": issuer_url(),
            "type": ["Profile"],
            "name": issuer_name(),
            "url": external("catalog.index"),
            "email": issuer_email(),
        },
        "validFrom": iso(assertion.issued_at),
        "credentialSubject": {
            "id": recipient_url(assertion),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": assertion.identity_hash,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": assertion.salt,
                }
            ],
            "achievement": achievement,
        },
    }


def credential_jwt(assertion: Assertion) -> str:
    """The credential as a VC-JWT signed with the issuer's Ed25519 key."""
    credential = credential_document(assertion)
    issued = int(assertion.issued_at.timestamp())
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": issued,
        "iat": issued,
    }
    return sign_jwt(claims, kid=key_url())
