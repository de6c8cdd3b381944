"""The key pages on a slow mobile connection: time to first render and bytes, cold and warm.

Serves the app (werkzeug, in a thread, like the browser tests) on a temporary SQLite
database holding the sample courses of ``courses/``, a learner enrolled in the tubular
biogas digester course whose build log (three dated entries, two photos, a daily gas
measurement, so a chart) is submitted, and loads each key page in headless Chromium with
DevTools network emulation: 400 kbit/s down and up (50,000 bytes/s) and 400 ms of latency
on every request, in a phone-sized window.

For each page: a cold load (a new browser profile: empty cache, cookies only) and a warm
load (the same page again in that profile: the fingerprinted stylesheet comes from the
cache). Reported: first contentful paint, DOMContentLoaded and load (ms after the start of
the navigation, from the Performance API; JavaScript is on for the measurement only, the
pages have none), and the bytes on the wire and the number of requests that went to the
network (``encodedDataLength`` of every response that finished until the network was quiet
after the load: headers plus the body as sent, gzip if it was; cache hits count nothing).
The median of ``--runs`` runs (3 by default).

Run: ``.venv/bin/python bench/slow_network.py`` (about two minutes). Prints a Markdown
table for docs/performance.md. Needs the test extras (Playwright) and Chromium
(``apt-get install chromium``; ``PEERLEARN_CHROMIUM`` names another binary).
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image, ImageFilter
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peerlearn import create_app
from peerlearn.accounts.services import register_user
from peerlearn.assignments import buildlogs
from peerlearn.assignments.measurements import parse_measurement
from peerlearn.assignments.models import Assignment
from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.reader import find_bundles, read_bundle
from peerlearn.catalog.models import Enrolment
from peerlearn.content.models import Course, Module
from peerlearn.extensions import db
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
COURSE = "tubular-biogas-digester"
PASSWORD = "lentils-and-tortillas"
#: 400 kbit/s is 50,000 bytes/s; Chromium adds the latency to every request.
BYTES_PER_SECOND = 400_000 // 8
LATENCY_MS = 400
#: A common phone screen; lazy images below the first screen do not load with the page.
VIEWPORT = {"width": 412, "height": 915}


@dataclass
class Load:
    fcp: float
    dcl: float
    load: float
    bytes: int
    requests: int


def phone_photo(seed: int, size: tuple[int, int] = (2016, 1512)) -> bytes:
    """A photo-like JPEG (smooth scene plus grain) of a few hundred KB."""
    rng = random.Random(seed)
    small = (size[0] // 60, size[1] // 60)
    scene = Image.merge(
        "RGB",
        [
            Image.effect_noise(small, 50 + rng.randint(0, 40)).resize(size),
            Image.linear_gradient("L").rotate(rng.randint(0, 359)).resize(size),
            Image.radial_gradient("L").resize(size),
        ],
    ).filter(ImageFilter.GaussianBlur(3))
    grain = Image.merge("RGB", [Image.effect_noise(size, 48) for _ in range(3)])
    buffer = io.BytesIO()
    Image.blend(scene, grain, 0.1).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def build(app: Flask) -> dict[str, str]:
    """Sample courses, a learner with a submitted build log; returns page name -> path."""
    with app.test_request_context():
        db.create_all()
        for folder in find_bundles(ROOT / "courses"):
            import_bundle(read_bundle(folder))
        course = db.session.scalars(db.select(Course).where(Course.slug == COURSE)).one()
        assignment = db.session.scalars(
            db.select(Assignment).where(Assignment.course_id == course.id)
        ).first()
        module = db.session.scalars(
            db.select(Module).where(Module.course_id == course.id).order_by(Module.position)
        ).first()
        assert assignment is not None and module is not None
        learner = register_user("lucia", "lucia@example.org", PASSWORD, "en")
        db.session.add(Enrolment(course_id=course.id, user_id=learner.id))
        db.session.flush()
        log = buildlogs.start_log(learner, assignment)
        buildlogs.save_log(
            learner, log, "Our 2 m³ tube digester", "Built behind the kitchen with my family."
        )
        for day in range(3):
            photo = (phone_photo(day), f"Day {day + 1}: the bag and the inlet") if day < 2 else None
            entry = buildlogs.add_entry(
                learner,
                log,
                date(2026, 3, 1) + timedelta(days=day),
                f"Day {day + 1}: fed 20 kg of **manure** and 60 litres of water.\n\n"
                "- the gas valve was closed overnight\n- no smell at the outlet",
                photo,
            )
            value = f"{0.2 + 0.1 * day:.1f}"
            buildlogs.add_measurement(
                learner, entry, parse_measurement("Gas production", value, "m³/day", "en")
            )
        submission = buildlogs.submit(learner, log)
        assert submission is not None
        db.session.commit()
        c = f"/courses/{course.slug}"
        a = f"{c}/a/{assignment.slug}"
        return {
            "home": "/",
            "catalog search": "/?q=biogas",
            "course": c,
            "module": f"{c}/m/{module.slug}",
            "module with a figure": f"{c}/m/materials-site-and-trench",
            "login": "/login",
            "register": "/register",
            "dashboard": "/dashboard",
            "assignment": a,
            "build log editor": f"{a}/log",
            "submitted version": f"{a}/log/versions/{submission.version}",
        }


#: Pages read logged in (the others are read by a visitor).
LOGGED_IN = {"dashboard", "assignment", "build log editor", "submitted version"}


def serve(app: Flask) -> tuple[Any, str]:
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http, f"http://127.0.0.1:{http.server_port}"


def session_cookies(browser: Any, base: str) -> list[dict[str, Any]]:
    """Log the learner in once, at full speed, and keep the cookies."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("input[name=login]").fill("lucia")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button").last.click()
    assert "/login" not in page.url, "the learner could not log in"
    cookies: list[dict[str, Any]] = context.cookies()
    context.close()
    return cookies


_TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {fcp: fcp ? fcp.startTime : -1, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd};
}"""


def measure(page: Any, cdp: Any, url: str) -> Load:
    """Navigate, wait for the load event and then for the network to be quiet (lazy
    images on the first screen load just after the load event); bytes are those of every
    response that came over the network meanwhile (not from the cache)."""
    finished: dict[str, float] = {}

    def on_finished(event: dict[str, Any]) -> None:
        finished[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.loadingFinished", on_finished)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response)
    page.wait_for_function(
        "performance.getEntriesByType('navigation')[0].loadEventEnd > 0"
        " && performance.getEntriesByName('first-contentful-paint').length > 0"
    )
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.loadingFinished", on_finished)
    timings = page.evaluate(_TIMINGS)
    fetched = [size for size in finished.values() if size > 0]  # cache hits report 0
    return Load(timings["fcp"], timings["dcl"], timings["load"], int(sum(fetched)), len(fetched))


def cold_and_warm(browser: Any, url: str, cookies: list[dict[str, Any]]) -> tuple[Load, Load]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", java_script_enabled=True)
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": BYTES_PER_SECOND,
            "uploadThroughput": BYTES_PER_SECOND,
        },
    )
    cold = measure(page, cdp, url)
    warm = measure(page, cdp, url)
    context.close()
    return cold, warm


def median(loads: list[Load]) -> Load:
    return Load(
        statistics.median(x.fcp for x in loads),
        statistics.median(x.dcl for x in loads),
        statistics.median(x.load for x in loads),
        int(statistics.median(x.bytes for x in loads)),
        int(statistics.median(x.requests for x in loads)),
    )


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return "Chromium"
    return out.stdout.strip() or "Chromium"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="loads per page (median shown)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": url})
        for name in ("werkzeug", "peerlearn.request"):  # one line per request otherwise
            logging.getLogger(name).setLevel(logging.WARNING)
        pages = build(app)
        http, base = serve(app)
        rows: list[tuple[str, str, Load, Load]] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cookies = session_cookies(browser, base)
                for name, path in pages.items():
                    jar = cookies if name in LOGGED_IN else []
                    runs = [cold_and_warm(browser, base + path, jar) for _ in range(args.runs)]
                    cold = median([c for c, _ in runs])
                    warm = median([w for _, w in runs])
                    rows.append((name, path, cold, warm))
                    print(f"  {name}: cold {cold.fcp:.0f} ms, {cold.bytes:,} B", file=sys.stderr)
                browser.close()
        finally:
            http.shutdown()

    print(
        f"{chromium_version()}, headless, DevTools network emulation: "
        f"{BYTES_PER_SECOND * 8 // 1000} kbit/s down and up, {LATENCY_MS} ms latency; "
        f"{VIEWPORT['width']} x {VIEWPORT['height']} window; median of {args.runs} runs. "
        "Times in ms from the start of the navigation; bytes on the wire (headers + body as "
        "sent, gzip where the server compresses) and requests that went to the network, "
        "until it was quiet after the load event (lazy images on the first screen included)."
    )
    print()
    print(
        "| page | cold: first render | cold: DOMContentLoaded | cold: load | cold: bytes "
        "(requests) | warm: first render | warm: load | warm: bytes (requests) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, cold, warm in rows:
        print(
            f"| {name} (`{path}`) | {cold.fcp:,.0f} | {cold.dcl:,.0f} | {cold.load:,.0f} | "
            f"{cold.bytes:,} ({cold.requests}) | {warm.fcp:,.0f} | {warm.load:,.0f} | "
            f"{warm.bytes:,} ({warm.requests}) |"
        )


if __name__ == "__main__":
    main()
