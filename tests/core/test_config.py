"""Configuration: environment overrides, the default database, the production guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlearn import create_app


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("PEERLEARN_SECRET_KEY", raising=False)
    monkeypatch.delenv("PEERLEARN_ENV", raising=False)
    with pytest.raises(RuntimeError, match="PEERLEARN_SECRET_KEY is not set"):
        create_app()


def test_production_starts_with_a_secret_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PEERLEARN_SECRET_KEY", "a" * 64)
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    app = create_app()
    assert app.config["ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("prod.sqlite3")


@pytest.mark.parametrize("key", ["a" * 31, "short", "ñ" * 15])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(monkeypatch, tmp_path, key):
    monkeypatch.delenv("PEERLEARN_ENV", raising=False)
    monkeypatch.setenv("PEERLEARN_SECRET_KEY", key)
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    with pytest.raises(RuntimeError, match="at least 32 random bytes"):
        create_app()


def test_production_accepts_a_secret_key_of_exactly_32_bytes(monkeypatch, tmp_path):
    monkeypatch.delenv("PEERLEARN_ENV", raising=False)
    monkeypatch.setenv("PEERLEARN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    assert create_app().config["ENV"] == "production"


def test_development_still_starts_with_the_placeholder_key(monkeypatch):
    monkeypatch.setenv("PEERLEARN_ENV", "development")
    monkeypatch.delenv("PEERLEARN_SECRET_KEY", raising=False)
    assert create_app().config["ENV"] == "development"


def test_environment_overrides_use_the_peerlearn_prefix(monkeypatch):
    monkeypatch.setenv("PEERLEARN_ENV", "development")
    monkeypatch.setenv("PEERLEARN_COURSES_PER_PAGE", "25")
    app = create_app()
    assert app.config["COURSES_PER_PAGE"] == 25


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.setenv("PEERLEARN_ENV", "development")
    monkeypatch.delenv("PEERLEARN_DATABASE_URL", raising=False)
    app = create_app()
    expected = Path(app.instance_path) / "peerlearn.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_postgresql_url_switches_the_database(monkeypatch):
    monkeypatch.setenv("PEERLEARN_ENV", "development")
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", "postgresql+psycopg://u@db.example/peerlearn")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PEERLEARN_ENV", "staging")
    with pytest.raises(RuntimeError, match="PEERLEARN_ENV must be one of"):
        create_app()
