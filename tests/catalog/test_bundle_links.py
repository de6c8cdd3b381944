"""Links and images written as bundle paths work on the site, in the editor's preview and
in a fork, the same way the offline package resolves them.

Authors of real lessons write raw HTML figures (``<img src="media/x.png">`` inside a
``<figure>``) and link to other modules by their file name in the bundle
(``modules/02-trench.md``); both must reach the right page and image online.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.authoring.forking import fork_course
from peerlearn.bundles.format import CourseBundle, MediaFile, ModuleDoc
from peerlearn.content.models import Course
from peerlearn.extensions import db

FIGURE = (
    '<figure><img src="media/panel.png" alt="A panel on a roof">'
    "<figcaption>The panel</figcaption></figure>"
)
BODY = f"""# Wiring

![Controller](media/controller.png)

{FIGURE}

<img src="../media/panel.png" alt="The same panel, from the module's folder">

See [the trench](modules/02-trench.md#depth), [beside it](02-trench.md),
[the test](assignments/gas-test.yml), [the course](course.yml),
[outside](https://example.org/x.png), [here](#wiring), [missing](modules/09-nowhere.md)
and <a href="modules/02-trench.md">raw HTML</a>.
"""


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def solar(db):
    bundle = CourseBundle(
        id="solar", slug="solar", title="Solar", summary="s", language="en",
        licence="CC-BY-SA-4.0", authors=("A",), tags=(),
        modules=(ModuleDoc("m1", 1, "wiring", "Wiring", BODY),
                 ModuleDoc("m2", 2, "trench", "Trench", "## Depth\n\n60 cm.\n")),
        media=(MediaFile("media/controller.png", _png("green")),
               MediaFile("media/panel.png", _png("blue"))),
    )  # fmt: skip
    import_bundle(bundle)
    db.session.commit()
    return db.session.scalar(db.select(Course).where(Course.slug == "solar"))


def links_of(html: str) -> dict[str, list[str]]:
    return {
        "src": re.findall(r'<img src="([^"]+)"', html),
        "href": re.findall(r'<a href="([^"]+)"', html.split("<main", 1)[-1]),
    }


def check_links(client, html: str, slug: str) -> None:
    found = links_of(html)
    assert len(found["src"]) == 3
    for src in found["src"]:
        assert re.fullmatch(rf"/courses/{slug}/media/(controller|panel)\.png\?v=[0-9a-f]{{12}}",
                            src), src  # fmt: skip
        assert client.get(src).status_code == 200
    hrefs = found["href"]
    assert f"/courses/{slug}/m/trench#depth" in hrefs
    assert hrefs.count(f"/courses/{slug}/m/trench") == 2  # Markdown and raw HTML
    assert f"/courses/{slug}/a/gas-test" in hrefs
    assert f"/courses/{slug}" in hrefs
    assert "https://example.org/x.png" in hrefs and "#wiring" in hrefs
    # A module file the course lacks still reads as a module page (which answers 404).
    assert f"/courses/{slug}/m/nowhere" in hrefs
    assert client.get(f"/courses/{slug}/m/trench").status_code == 200


def test_module_page_resolves_bundle_paths_in_markdown_and_raw_html(client, solar):
    html = client.get("/courses/solar/m/wiring").get_data(as_text=True)
    assert "<figure>" in html and "<figcaption>The panel</figcaption>" in html
    check_links(client, html, "solar")


def test_a_fork_resolves_them_under_its_own_slug(client, solar, create_user):
    owner = create_user("wanjiru")
    fork_course(owner, solar, slug="solar-rw", title="Solar (Rwanda)", licence=solar.licence)
    db.session.commit()
    html = client.get("/courses/solar-rw/m/wiring").get_data(as_text=True)
    check_links(client, html, "solar-rw")
    assert "/courses/solar/" not in html.split("<main", 1)[-1].split("</article>")[0]


def test_the_editors_preview_shows_images_and_links_as_the_page_will(
    client, login, create_user, solar
):
    from peerlearn.content.models import CourseMaintainer

    maintainer = create_user("ana")
    db.session.add(CourseMaintainer(course_id=solar.id, user_id=maintainer.id))
    db.session.commit()
    login(maintainer)
    page = client.get("/courses/solar/m/wiring/edit").get_data(as_text=True)
    base = re.search(r'name="base_revision_id"[^>]*value="(\d+)"', page)
    assert base, page
    response = client.submit(
        "/courses/solar/m/wiring/edit",
        {"title": "Wiring", "body": BODY, "base_revision_id": base.group(1), "preview": "1"},
    )
    assert response.status_code == 200
    preview = response.get_data(as_text=True).split('class="preview"', 1)[-1]
    check_links(client, preview, "solar")
