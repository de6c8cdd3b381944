"""Where the signing key comes from: the configured PEM or its file, else one generated
once into the instance folder (readable by its owner only) and reused after a restart."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from flask import Flask

from peerlearn.recognition.signing import (
    KEY_FILE,
    SigningKeyError,
    public_jwk,
    signing_key,
)


def _pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _app(tmp_path, **config):
    app = Flask("keys", instance_path=str(tmp_path / "instance"))
    app.config.update(ENV="production", **config)
    return app


def test_a_configured_pem_or_path_is_the_key(tmp_path):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "key.pem"
    path.write_text(_pem(key))

    for configured in (_pem(key), str(path)):
        found = signing_key(_app(tmp_path, BADGE_SIGNING_KEY=configured))
        assert public_jwk(found) == public_jwk(key)
    assert not (tmp_path / "instance" / KEY_FILE).exists()


def test_a_key_of_another_kind_is_refused(tmp_path):
    rsa = generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SigningKeyError):
        signing_key(_app(tmp_path, BADGE_SIGNING_KEY=_pem(rsa)))


def test_without_configuration_one_key_is_generated_into_the_instance_folder(tmp_path):
    first = signing_key(_app(tmp_path))
    path = tmp_path / "instance" / KEY_FILE

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_jwk(signing_key(_app(tmp_path))) == public_jwk(first), "same key after restart"
