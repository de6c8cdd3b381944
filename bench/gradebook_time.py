"""Milliseconds per gradebook request on a data set made by ``bench/generate.py``.

    .venv/bin/python bench/gradebook_time.py DATABASE_URL [--views N]

Signs in as ``bench-maintainer`` through the Flask test client (in process, no server)
and asks for the digester course's gradebook and its CSV: the first view, then ``N``
more (default 5), printing the time and SQL statements of each. With stored grades
(issue #15) only a first view of an assignment that has none computes them; run it from
an older checkout on the same database for the figures before. Timings are reported,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.generate import manifest_path  # noqa: E402
from peerlearn import create_app  # noqa: E402
from peerlearn.extensions import db  # noqa: E402


def manifest_of(url: str) -> dict[str, object]:
    """The manifest ``generate.py`` wrote for this database."""
    return dict(json.loads(manifest_path(url).read_text()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--views", type=int, default=5)
    args = parser.parse_args()
    manifest = manifest_of(args.database)
    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": args.database,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client()
    accounts = manifest["accounts"]
    assert isinstance(accounts, dict)
    response = client.post(
        "/login", data={"login": accounts["maintainer"], "password": manifest["password"]}
    )
    assert response.status_code == 302, response.status_code
    urls = manifest["urls"]
    assert isinstance(urls, dict)
    page = urls["gradebook"]
    for url in (page, page.split("?")[0].rstrip("/") + ".csv"):
        timings = []
        for view in range(args.views + 1):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code)
            print(f"{url} view {view + 1}: {elapsed:.0f} ms, {len(statements)} queries")
            if view:
                timings.append(elapsed)
        print(f"{url}: median of views 2+: {statistics.median(timings):.0f} ms")


if __name__ == "__main__":
    main()
