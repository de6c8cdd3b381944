"""No script in an SVG figure runs, however the figure is reached: inside the module page,
opened on its own from the site, or opened from an unzipped offline package on file://.

The browser here has JavaScript ON, so a script that survived would show as a dialog.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.format import CourseBundle, MediaFile, ModuleDoc
from peerlearn.content.models import Course, CourseMedia
from tests.fixtures.media import HOSTILE

pytestmark = pytest.mark.browser

RAW = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
    b'<circle cx="5" cy="5" r="4"/></svg>'
)


@pytest.fixture
def figures(db: Any) -> Course:
    body = '# Figures\n\n![A digester](media/digester.svg)\n\n<img src="media/raw.svg" alt="x">\n'
    import_bundle(CourseBundle(
        id="svg", slug="svg", title="Figures", summary="s", language="en",
        licence="CC0-1.0", authors=("A",), tags=(),
        modules=(ModuleDoc("m1", 1, "figures", "Figures", body),),
        media=(MediaFile("media/digester.svg", HOSTILE),),
    ))  # fmt: skip
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "svg"))
    assert course is not None
    # A hostile file that skipped the import's cleaning (as if written into the database
    # by some other road): the sandbox header alone must still stop it on the site.
    digest = hashlib.sha256(RAW).hexdigest()
    course.media.append(
        CourseMedia(path="media/raw.svg", content_type="image/svg+xml", sha256=digest, content=RAW)
    )
    db.session.commit()
    return course


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_timeout(300)  # a load handler or script would have fired by now


def test_no_svg_script_runs_on_the_site_or_offline(server, chromium, client, figures, tmp_path):
    context = chromium.new_context(java_script_enabled=True)
    dialogs: list[str] = []
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        _visit(page, f"{server}/courses/svg/m/figures")
        assert page.locator("article img").count() == 2
        _visit(page, f"{server}/courses/svg/media/digester.svg")
        assert page.locator("circle").count() == 1  # the drawing is there
        _visit(page, f"{server}/courses/svg/media/raw.svg")

        package = client.get("/courses/svg/offline.zip")
        assert package.status_code == 200
        zipfile.ZipFile(io.BytesIO(package.data)).extractall(tmp_path)
        _visit(page, (tmp_path / "svg" / "media" / "digester.svg").as_uri())
        assert page.locator("circle").count() == 1
        _visit(page, (tmp_path / "svg" / "modules" / "01-figures.html").as_uri())
    finally:
        context.close()
    assert dialogs == []
