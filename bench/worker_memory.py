"""How much memory one app process holds: after starting, and after serving each key page
30 times, in-process (Flask's test client, production settings) on a data set made by
``bench/generate.py``.

    .venv/bin/python bench/generate.py S
    .venv/bin/python bench/worker_memory.py                 # instance/bench-S.sqlite3
    .venv/bin/python bench/worker_memory.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_m

Resident set size (VmRSS) of this process, in MiB. It is what a gunicorn worker holds
before the server's own buffers, and it moves with what the app imports and caches, not
with the load: issue #15's target is 100 MB per worker after the whole HTTP benchmark
(``bench/http_load.py`` reports the workers' RSS under load).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import default_url, manifest_path  # noqa: E402
from bench.http_load import ACTORS  # noqa: E402

REQUESTS_PER_PAGE = 30


def rss_mib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else default_url("S")
    manifest = json.loads(manifest_path(database).read_text())
    from peerlearn import create_app

    app = create_app(
        {
            "ENV": "production",
            "SQLALCHEMY_DATABASE_URI": manifest["database"],
            "SECRET_KEY": "bench-" + "x" * 64,
            "SITE_URL": "http://localhost",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    logging.disable(logging.INFO)  # the request log would print every request
    print(f"{'after create_app':24s} {rss_mib():4d} MiB")
    clients = {}
    for actor in set(ACTORS.values()):
        client = app.test_client()
        if actor is not None:
            client.post(
                "/login",
                data={"login": manifest["accounts"][actor], "password": manifest["password"]},
            )
        clients[actor] = client
    for page, actor in ACTORS.items():
        url = manifest["urls"].get(page)
        if url is None:
            continue
        for _ in range(REQUESTS_PER_PAGE):
            clients[actor].get(url)
        print(f"{'+ ' + page:24s} {rss_mib():4d} MiB")
    heavy = [name for name in ("numpy", "alembic", "zxcvbn") if name in sys.modules]
    print("heavy libraries loaded:", ", ".join(heavy) or "none")


if __name__ == "__main__":
    main()
