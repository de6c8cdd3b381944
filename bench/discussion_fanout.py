"""A reply in a thread with 1,000 followers returns as fast as one with a single follower.

Telling a thread's followers of a reply is a job (``peerlearn.discussions.announce``): the
request records the post and answers; the notices are written after the response has been
sent (or on an RQ worker with Redis). This measures both sides over real HTTP.

In a temporary SQLite database: the tubular biogas digester course, a thread about its
first module started by amina, followed by 1 person (amina) or by 1,000 people (amina and
999 others). baraka replies five times through the served app (werkzeug's threaded server,
no Redis, so the fan-out runs in the server process once the response is sent); for each
reply it records the time until the whole response (a redirect) has arrived, and the time
until the last notice of that reply is in the database and emailed (written to the log, as
without SMTP_HOST), before the next reply.

Run: ``.venv/bin/python bench/discussion_fanout.py`` (about a minute).
"""

from __future__ import annotations

import http.cookiejar
import logging
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, insert, select
from werkzeug.serving import make_server

from peerlearn import create_app, jobs
from peerlearn.accounts.models import User
from peerlearn.accounts.services import register_user
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.reader import read_bundle
from peerlearn.content.models import Module
from peerlearn.db import utcnow
from peerlearn.discussions import services
from peerlearn.discussions.models import Follower, Post, TargetKind
from peerlearn.extensions import db
from peerlearn.notifications import Notification

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "courses" / "tubular-biogas-digester"
PASSWORD = "lentils-and-tortillas"
REPLIES = 5
SIZES = (1, 1000)
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def setup(app: Flask) -> dict[int, int]:
    """The course, amina and baraka, and one thread per size; returns size -> thread id."""
    with app.app_context(), app.test_request_context("/"):
        db.create_all()
        import_bundle(read_bundle(COURSE))
        amina = register_user("amina", "amina@example.org", PASSWORD, "en")
        baraka = register_user("baraka", "baraka@example.org", PASSWORD, "en")
        for person in (amina, baraka):  # old accounts: no newcomer limits
            person.created_at = utcnow() - timedelta(days=365)
        module = db.session.scalars(select(Module).order_by(Module.id)).first()
        assert module is not None
        threads = {}
        for size in SIZES:
            thread = services.start_thread(
                amina, TargetKind.MODULE, module.id, module.course_id,
                f"Followed by {size}", "How deep is your trench?",
            )  # fmt: skip
            db.session.flush()
            others = [
                {"username": f"f{size}-{n}", "email": f"f{size}-{n}@example.org",
                 "password_hash": "x", "locale": "en", "timezone": "UTC",
                 "created_at": utcnow()}
                for n in range(size - 1)
            ]  # fmt: skip
            if others:
                db.session.execute(insert(User), others)
                ids = db.session.scalars(
                    select(User.id).where(User.username.like(f"f{size}-%"))
                ).all()
                db.session.execute(
                    insert(Follower),
                    [{"thread_id": thread.id, "user_id": i, "created_at": utcnow()} for i in ids],
                )
            threads[size] = thread.id
        db.session.commit()
        jobs.take_ready(db.session)  # the opening posts' announcements: not measured
    return threads


def notices_for(app: Flask, post_id: int) -> int:
    with app.app_context():
        url_end = f"post={post_id}"
        count = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.url.endswith(url_end), Notification.sent_at.is_not(None)
            )
        )
        db.session.remove()
        return int(count or 0)


def last_post(app: Flask, thread_id: int) -> int:
    with app.app_context():
        post_id = db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread_id))
        db.session.remove()
        return int(post_id or 0)


def main() -> None:
    logging.disable(logging.INFO)  # the server's and the mail log's lines, not the table
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
        threads = setup(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

        def token() -> str:
            page = opener.open(base + "/login").read().decode()
            match = _CSRF.search(page)
            assert match is not None
            return match.group(1)

        def post(path: str, fields: dict[str, str]) -> float:
            data = urllib.parse.urlencode({"csrf_token": token(), **fields}).encode()
            start = time.perf_counter()
            try:
                opener.open(base + path, data=data).read()
            except urllib.error.HTTPError as answer:  # the 302 a form answers with
                answer.read()
                if answer.code != 302:
                    raise
            return time.perf_counter() - start

        post("/login", {"login": "baraka", "password": PASSWORD})
        print("| followers | reply answered (median of 5) | notices written and sent (median) |")
        print("|--:|--:|--:|")
        for size in SIZES:
            answered, fanned = [], []
            for n in range(REPLIES):
                start = time.perf_counter()
                answered.append(post(f"/discussions/{threads[size]}", {"body": f"Reply {n}."}))
                post_id = last_post(app, threads[size])
                while notices_for(app, post_id) < size:
                    time.sleep(0.005)
                fanned.append(time.perf_counter() - start)
            print(
                f"| {size:,} | {statistics.median(answered) * 1000:.0f} ms "
                f"| {statistics.median(fanned) * 1000:.0f} ms |"
            )
        server.shutdown()


if __name__ == "__main__":
    main()
