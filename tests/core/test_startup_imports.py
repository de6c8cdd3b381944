"""A web worker does not load what only other processes need (issue #15: worker memory).

Alembic (with Mako and Pygments), NumPy and zxcvbn's word lists cost each worker about
40 MB together; they are loaded by ``flask db``, a model fit and a password choice, not
by starting the app or serving its pages. A fresh interpreter checks it: this test
process has long imported them for other tests.
"""

from __future__ import annotations

import subprocess
import sys

from tests.settings import ROOT

HEAVY = ("alembic", "numpy", "zxcvbn")

_SCRIPT = """
import sys
from peerlearn import create_app
app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
client = app.test_client()
assert client.get("/healthz").status_code == 200
assert client.get("/login").status_code == 200
print(" ".join(sorted(name for name in %r if name in sys.modules)))
"""


def test_starting_the_app_and_serving_a_page_loads_none_of_the_heavy_libraries():
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT % (HEAVY,)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_flask_db_still_finds_the_migrations(tmp_path):
    """The stand-in for Flask-Migrate sets it up when ``flask db`` runs."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PEERLEARN_ENV": "development",
        "PEERLEARN_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]
    upgrade = subprocess.run(
        [*flask, "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert upgrade.returncode == 0, upgrade.stderr
    current = subprocess.run(
        [*flask, "current"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert current.returncode == 0, current.stderr
    assert "(head)" in current.stdout
