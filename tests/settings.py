"""Where the test database lives: SQLite in a temporary folder unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_tests(tmp: Path) -> str:
    return os.environ.get("PEERLEARN_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite3'}"


def is_postgresql() -> bool:
    return (os.environ.get("PEERLEARN_TEST_DATABASE_URL") or "").startswith("postgresql")
