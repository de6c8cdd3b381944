"""The issuer's Ed25519 signing key, its public JWK, and compact JWS (VC-JWT) signing.

The key comes from ``PEERLEARN_BADGE_SIGNING_KEY`` — a PEM (PKCS#8) private key, or the
path of a file holding one. Without it, a key is generated once into the instance folder
(``badge-signing-key.pem``, readable by its owner only), which is right for one host and
for development; several app hosts must share one configured key, or each would sign with
its own. Tests get a key per app, in memory. The key is never in the repository.

Signing uses ``cryptography`` directly; the tests verify with a separate JOSE library.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask, current_app

KEY_FILE = "badge-signing-key.pem"
_EXTENSION = "peerlearn_badge_key"


class SigningKeyError(RuntimeError):
    """The configured key is not an Ed25519 private key."""


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes every binary value."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def _load_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("PEERLEARN_BADGE_SIGNING_KEY must be an Ed25519 private key")
    return key


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _instance_key(app: Flask) -> Ed25519PrivateKey:
    path = Path(app.instance_path) / KEY_FILE
    if path.exists():
        return _load_pem(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first: use theirs
        return _load_pem(path.read_bytes())
    with os.fdopen(fd, "wb") as out:
        out.write(_pem(key))
    return key


def signing_key(app: Flask | None = None) -> Ed25519PrivateKey:
    """The app's key, loaded (or made) once per app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_EXTENSION)
    if key is not None:
        return key
    configured = app.config.get("BADGE_SIGNING_KEY")
    if configured:
        text = str(configured).strip()
        data = text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes()
        key = _load_pem(data)
    elif app.config.get("ENV") == "testing":
        key = Ed25519PrivateKey.generate()
    else:
        key = _instance_key(app)
    app.extensions[_EXTENSION] = key
    return key


def public_jwk(key: Ed25519PrivateKey | None = None) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), with its RFC 7638 thumbprint as ``kid``."""
    key = key or signing_key()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}
    thumbprint = b64url(hashlib.sha256(_canonical(jwk)).digest())
    return {**jwk, "kid": thumbprint, "alg": "EdDSA", "use": "sig"}


def public_pem(key: Ed25519PrivateKey | None = None) -> str:
    key = key or signing_key()
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def sign_jwt(claims: dict[str, Any], kid: str, key: Ed25519PrivateKey | None = None) -> str:
    """A compact JWS of ``claims``: header ``alg`` EdDSA, ``typ`` JWT and ``kid``."""
    key = key or signing_key()
    header = {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    signing_input = f"{b64url(_canonical(header))}.{b64url(_canonical(claims))}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
