"""What looking up interface messages costs on a page, per message (issue #15, item 8).

In a temporary SQLite database: imports the courses in ``courses/``, approves one
community translation in Spanish (so the approved layer is in use, as on a live site),
then renders the longest module page in Spanish with the test client under cProfile and
counts the calls made for each message looked up (``gettext``, ``ngettext``, ``pgettext``
and the template ones all go through ``Domain.get_translations``).

Run: ``.venv/bin/python bench/translation_lookup.py`` (a few seconds). It prints the
messages looked up per page, the function calls per message and the time per message
(timings are of this machine; the call counts are the figure to compare).

Measured on 2026-12-07 (2 shared cores, SQLite), 19 lookups per render of the page: before
the merged catalog (an ``OverrideTranslations`` over the compiled catalog as its fallback,
the layer and the locale resolved again for every message) a message after the request's
first took 67 Python calls and 14.3 µs; with the catalog merged once per (language,
version) and the result kept for the request, 31 calls and 5.9-6.5 µs.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peerlearn import create_app  # noqa: E402
from peerlearn.authoring.bundle_io import import_bundle  # noqa: E402
from peerlearn.bundles.reader import find_bundles, read_bundle  # noqa: E402
from peerlearn.community_i18n.catalog import message_key  # noqa: E402
from peerlearn.community_i18n.models import (  # noqa: E402
    TranslationOverride,
    TranslationSuggestion,
    TranslationVersion,
    encode_forms,
)
from peerlearn.extensions import db  # noqa: E402
from peerlearn.i18n import _  # noqa: E402

PAGE = "/courses/tubular-biogas-digester/m/how-biogas-works"
ROUNDS = 20


def approve_one() -> None:
    """One approved Spanish text, written the way the layer reads it."""
    suggestion = TranslationSuggestion(
        locale="es",
        msg_key=message_key("Skip to content"),
        msgid="Skip to content",
        text=encode_forms(["Ir al texto"]),
        status="approved",
    )
    db.session.add(suggestion)
    db.session.flush()
    db.session.add(
        TranslationOverride(locale="es", msg_key=suggestion.msg_key, suggestion_id=suggestion.id)
    )
    db.session.add(TranslationVersion(locale="es", version="bench-1"))
    db.session.commit()


def one_message(app: Any) -> tuple[int, float]:
    """Python function calls and time for one ``_()`` after the request's first."""
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert _("Skip to content") == "Ir al texto"
        calls = 0

        def count(frame: Any, event: str, arg: Any) -> None:
            nonlocal calls
            if event == "call":
                calls += 1

        sys.setprofile(count)
        _("Skip to content")
        sys.setprofile(None)
        seconds = min(timeit.repeat(lambda: _("Skip to content"), number=10_000, repeat=5))
    return calls, seconds / 10_000 * 1e6


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"}
        )
        with app.test_request_context():
            db.create_all()
            for bundle in find_bundles(ROOT / "courses"):
                import_bundle(read_bundle(bundle))
            db.session.commit()
            approve_one()
        client = app.test_client()
        headers = {"Accept-Language": "es"}
        page = client.get(PAGE, headers=headers)
        assert page.status_code == 200, page.status_code
        assert "Ir al texto" in page.get_data(as_text=True)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(ROUNDS):
            client.get(PAGE, headers=headers)
        profile.disable()
        elapsed = time.perf_counter() - started
        stats = pstats.Stats(profile)
        lookups = 0
        inside = 0.0
        for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            if name == "get_translations" and "flask_babel" in filename:
                lookups = max(lookups, row[1])
        # Time and calls under the lookups: cumulative time of the outermost get_translations.
        for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            if name == "get_translations" and "layering" in filename:
                inside = row[3]
        per_page = lookups / ROUNDS
        print(f"page: {PAGE} in Spanish, {ROUNDS} renders, {elapsed * 1000 / ROUNDS:.1f} ms each")
        print(f"translation lookups per page: {per_page:.0f}")
        per_lookup = inside / max(lookups, 1) * 1e6
        print(f"time in LayeredDomain.get_translations per lookup (profiled): {per_lookup:.1f} µs")
        stats.sort_stats("cumulative").print_stats("layering|flask_babel|gettext|babel/support", 12)
        calls, micros = one_message(app)
        print(f"one message looked up again in a request: {calls} Python calls, {micros:.2f} µs")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
