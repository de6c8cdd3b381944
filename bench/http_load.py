"""The key pages under load, as a visitor's browser would ask for them, against a data set
made by ``bench/generate.py``.

    .venv/bin/python bench/generate.py S
    .venv/bin/python bench/http_load.py                       # instance/bench-S.sqlite3
    .venv/bin/python bench/http_load.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_s
    .venv/bin/python bench/http_load.py --write-docs ...      # also update docs/performance.md

What it does:

1. **Queries and bytes**, in-process: each page once through the Flask test client,
   signed in as the account the page is for, counting the SQL statements it runs and the
   bytes of its HTML (raw and gzip).
2. **Load**: gunicorn in production settings (2 workers, the database above) and `wrk`
   (8 connections, 2 threads) on each page for ``--duration`` seconds, signed in with a
   real session cookie where the page needs one, and on ``/healthz`` in the same round.
   Each page's requests/s is divided by ``/healthz``'s of the same round: the ratio says
   how close the page gets to what the framework, gunicorn and this machine can do at
   all, and stays comparable between machines. ``--runs`` rounds (default 3); the table
   shows the median of each figure.
3. **Memory**: the resident size of each gunicorn worker after everything.

The table (page, requests/s, ratio, p50/p95/p99 ms, bytes, queries) is printed; with
``--write-docs`` it replaces the part of ``docs/performance.md`` between the markers
``<!-- bench/http_load.py: <size> <database> -->`` and ``<!-- /bench/http_load.py -->``, with the
commit and the machine. Timings are never asserted anywhere: they belong here.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import default_url, manifest_path  # noqa: E402

#: Who looks at each page: None for an anonymous visitor.
ACTORS = {
    "home": None,
    "catalog search": None,
    "catalog filter": None,
    "course": "learner",
    "module": "learner",
    "assignment": "learner",
    "dashboard": "learner",
    "build-log editor": "learner",
    "review page": "learner",
    "module history": "author",
    "diff": "author",
    "fork network": None,
    "circle page": "facilitator",
    "facilitator view": "facilitator",
    # Last: at thousands of logs a gradebook request takes seconds, and the requests wrk
    # leaves queued would still occupy the workers while the next page is measured.
    "gradebook": "maintainer",
}
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50": %.3f, "p95": %.3f, "p99": %.3f}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- 1. queries and bytes, in-process ---------------------------------------------------


def page_facts(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Status, SQL statements and HTML bytes of each page, rendered once (after one
    warm-up request, so the counts are those of a running site, not of a cold start)."""
    from sqlalchemy import event

    from peerlearn import create_app
    from peerlearn.extensions import db

    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": manifest["database"],
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    facts: dict[str, dict[str, Any]] = {}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    # No app context is held around the requests: each request gets its own, as in a
    # server (one held open would share ``g``, and with it the signed-in user).
    event.listen(engine, "before_cursor_execute", count)
    clients: dict[str | None, Any] = {}
    for actor in set(ACTORS.values()):
        client = app.test_client()
        if actor is not None:
            username = manifest["accounts"][actor]
            response = client.post(
                "/login", data={"login": username, "password": manifest["password"]}
            )
            if response.status_code != 302:
                raise SystemExit(f"could not sign in as {username}: {response.status_code}")
        clients[actor] = client
    for page, url in manifest["urls"].items():
        client = clients[ACTORS.get(page)]
        client.get(url)  # warm-up: caches, lazy imports
        statements.clear()
        response = client.get(url)
        body = response.get_data()
        facts[page] = {
            "status": response.status_code,
            "queries": len(statements),
            "bytes": len(body),
            "gzip": len(gzip.compress(body, 6)),
        }
    event.remove(engine, "before_cursor_execute", count)
    return facts


# -- 2. load, through gunicorn and wrk ----------------------------------------------------


@contextmanager
def gunicorn(database_url: str, workers: int) -> Iterator[tuple[str, int]]:
    """gunicorn in production settings on a free local port; yields (base URL, pid)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERLEARN_")}
    env.update(
        PEERLEARN_ENV="production",
        PEERLEARN_SECRET_KEY=secrets.token_hex(32),
        PEERLEARN_DATABASE_URL=database_url,
        # The benchmark signs in a handful of times from one address and then reads.
        PEERLEARN_RATELIMIT_ENABLED="false",
    )
    log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{port}.log"
    log = log_path.open("w")  # open for as long as gunicorn runs; closed below
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not start; see {log_path}")
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def sign_in(base: str, username: str, password: str) -> str:
    """A real sign-in (form, CSRF token, password); returns the Cookie header to send."""
    jar = http.cookiejar.CookieJar()

    class KeepSecure(http.cookiejar.DefaultCookiePolicy):
        """Production cookies are Secure; the benchmark talks plain HTTP on loopback."""

        def return_ok(self, cookie, request):
            return True

    jar.set_policy(KeepSecure())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    with opener.open(f"{base}/login") as response:
        form = response.read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if match is None:
        raise SystemExit("no CSRF token on the login form")
    data = urllib.parse.urlencode(
        {"csrf_token": match.group(1), "login": username, "password": password}
    ).encode()
    request = urllib.request.Request(f"{base}/login", data=data)
    request.add_header("Referer", f"{base}/login")
    try:
        opener.open(request)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise SystemExit(f"sign-in as {username} answered {error.code}") from error
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(f"{base}/dashboard", headers={"Cookie": cookie})
    with urllib.request.urlopen(check) as response:
        if username not in response.read().decode():
            raise SystemExit(f"signed in as {username}, but the dashboard does not say so")
    return cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict[str, float]:
    """One wrk run; requests/s and latency percentiles in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "60s",
        "-s",
        script.name,
        "-H",
        "Accept-Encoding: gzip",
        "-H",
        "Accept-Language: en",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    result = json.loads(output.strip().splitlines()[-1])
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50": result["p50"],
        "p95": result["p95"],
        "p99": result["p99"],
        "bytes": result["bytes"] / max(result["requests"], 1),
        "errors": result["errors"] + result["non2xx"],
    }


def settle(base: str, limit: float = 120.0) -> None:
    """Wait until the server answers /healthz at once: a slow page leaves requests queued
    in the workers after wrk stops, and the next page must not be measured behind them."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        start = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=limit) as response:
            response.read()
        if time.monotonic() - start < 0.05:
            return
        time.sleep(0.5)


def worker_rss(master: int) -> list[int]:
    """Resident set size (KiB) of each gunicorn worker (children of the master)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]))
    return sorted(sizes)


def load(
    manifest: dict[str, Any], runs: int, duration: int, connections: int, workers: int
) -> tuple[dict[str, dict[str, float]], list[int]]:
    """Median over ``runs`` rounds of every page and /healthz; worker RSS at the end."""
    rounds: dict[str, list[dict[str, float]]] = {}
    with gunicorn(manifest["database"], workers) as (base, master):
        cookies = {
            actor: sign_in(base, manifest["accounts"][actor], manifest["password"])
            for actor in {a for a in ACTORS.values() if a}
        }
        pages = {"/healthz": "/healthz"}
        pages.update((page, manifest["urls"][page]) for page in ACTORS if page in manifest["urls"])
        for _ in range(runs):
            settle(base)
            healthz = wrk(f"{base}/healthz", None, duration, connections)
            for page, url in pages.items():
                if page == "/healthz":
                    result = healthz
                else:
                    settle(base)
                    result = wrk(
                        f"{base}{url}", cookies.get(ACTORS.get(page)), duration, connections
                    )
                result = {**result, "ratio": result["rps"] / healthz["rps"]}
                rounds.setdefault(page, []).append(result)
        rss = worker_rss(master)
    medians = {
        page: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for page, results in rounds.items()
    }
    return medians, rss


# -- 3. the table -----------------------------------------------------------------------


def table(
    manifest: dict[str, Any],
    facts: dict[str, dict[str, Any]],
    medians: dict[str, dict[str, float]],
    rss: list[int],
    args: argparse.Namespace,
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    backend = manifest["database"].split(":", 1)[0].split("+")[0]
    counts = manifest["counts"]
    lines = [
        f"Data set {manifest['size']} ({counts['users']:,} users, {counts['courses']:,} courses, "
        f"{counts['build_logs']:,} submitted build logs, {counts['reviews']:,} reviews) on "
        f"{backend}; commit {commit}; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; gunicorn {args.workers} workers, wrk "
        f"{args.connections} connections, {args.duration} s a page, median of {args.runs} "
        "rounds. Requests/s include wrk itself on the same cores.",
        "",
        "| page | requests/s | ratio to /healthz | p50 ms | p95 ms | p99 ms "
        "| HTML bytes (gzip) | SQL queries | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page, result in medians.items():
        fact = facts.get(page, {})
        size = f"{fact['bytes']:,} ({fact['gzip']:,})" if fact else "—"
        queries = str(fact["queries"]) if fact else "—"
        status = "" if not fact or fact["status"] == 200 else f" (status {fact['status']})"
        if result["rps"] == 0:
            lines.append(
                f"| {page}{status} | 0 | 0 | no request finished in {args.duration} s | | | "
                f"{size} | {queries} | {result['errors']:.0f} |"
            )
            continue
        lines.append(
            f"| {page}{status} | {result['rps']:,.0f} | {result['ratio']:.2f} | "
            f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} | {size} | "
            f"{queries} | {result['errors']:.0f} |"
        )
    lines += [
        "",
        "gunicorn worker RSS after the benchmark: "
        + ", ".join(f"{kib / 1024:.0f} MiB" for kib in rss)
        + ".",
    ]
    return "\n".join(lines)


def write_docs(section: str, manifest: dict[str, Any]) -> None:
    backend = manifest["database"].split(":", 1)[0].split("+")[0]
    start = f"<!-- bench/http_load.py: {manifest['size']} {backend} -->"
    end = "<!-- /bench/http_load.py -->"
    path = ROOT / "docs" / "performance.md"
    doc = path.read_text()
    block = f"{start}\n{section}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: block, doc)
    else:
        doc = doc.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", help="URL of a generated data set (default S)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    database = args.database or default_url("S")
    path = manifest_path(database)
    if not path.is_file():
        raise SystemExit(f"no data set at {database}: run bench/generate.py first")
    manifest = json.loads(path.read_text())
    facts = page_facts(manifest)
    medians, rss = load(manifest, args.runs, args.duration, args.connections, args.workers)
    section = table(manifest, facts, medians, rss, args)
    print(section)
    if args.write_docs:
        write_docs(section, manifest)


if __name__ == "__main__":
    main()
