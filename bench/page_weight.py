"""What every key page a learner opens weighs, against the budget of issue 6.

In a temporary SQLite database: imports the three courses in ``courses/`` and builds the
class of ``tests/pages`` (four learners in the tubular biogas digester course, each with a
submitted build log of three dated entries with measurements, every log reviewed by the
three classmates, and amina asking for a log to review). Then it fetches, with the Flask
test client, every key page in English and in Spanish, and prints a Markdown table for
docs/performance.md: HTML bytes, HTML gzip bytes, CSS bytes, CSS gzip bytes, their sums,
and whether the page is within the budget (HTML + CSS ≤ 30 KB, and ≤ 10 KB gzipped; the
stylesheet counted with every page, as on a first visit; photos excluded).

The same figures are asserted in ``tests/pages/test_budget.py``.

Run: ``.venv/bin/python bench/page_weight.py`` (a few seconds).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peerlearn import create_app  # noqa: E402
from peerlearn.authoring.bundle_io import import_bundle  # noqa: E402
from peerlearn.bundles.reader import find_bundles, read_bundle  # noqa: E402
from peerlearn.extensions import db  # noqa: E402
from tests.fixtures.pages import (  # noqa: E402
    GZIP_BUDGET,
    LANGUAGES,
    RAW_BUDGET,
    ask_for_review,
    build_class,
    render_pages,
    table,
)


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
            scene = build_class()
        client, anonymous = app.test_client(), app.test_client()
        scene = ask_for_review(client, scene)
        pages = [
            page for lang in LANGUAGES for page in render_pages(client, anonymous, scene, lang)
        ]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"Budget: HTML + CSS ≤ {RAW_BUDGET:,} bytes, gzip ≤ {GZIP_BUDGET:,} bytes.\n")
    print(table(pages))
    over = [page.name for page in pages if not page.within_budget]
    if over:
        print(f"\nOver budget: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
