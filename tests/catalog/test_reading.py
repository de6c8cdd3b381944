"""Reading modules, marking them done, and the learner dashboard."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from peerlearn.authoring.bundle_io import import_bundle
from peerlearn.bundles.format import CourseBundle, MediaFile, ModuleDoc

BODY = """## Choose the site

Sunny, near the stable.

| Tube width | Trench depth |
|-----------:|-------------:|
| 1.0 m      | 0.6 m        |

## Choose the site
"""


def test_module_page_renders_markdown_with_anchors_and_tables(client, create_course):
    create_course("biogas", modules=[("Site", BODY), ("Trench", "Dig.")])
    html = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert '<h2 id="choose-the-site">Choose the site</h2>' in html
    assert '<h2 id="choose-the-site-2">' in html
    assert '<th style="text-align:right">Tube width</th>' in html
    assert "Module 1 of 2" in html


def test_previous_and_next_navigation(client, create_course):
    create_course("biogas", modules=[("One", "1"), ("Two", "2"), ("Three", "3")])
    first = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert 'rel="prev"' not in first and 'rel="next" href="/courses/biogas/m/module-2"' in first
    middle = client.get("/courses/biogas/m/module-2").get_data(as_text=True)
    assert 'rel="prev" href="/courses/biogas/m/module-1"' in middle
    assert 'rel="next" href="/courses/biogas/m/module-3"' in middle
    last = client.get("/courses/biogas/m/module-3").get_data(as_text=True)
    assert 'rel="next"' not in last.split("</article>")[1]


HOSTILE = """# Hello

<script>alert('x')</script>
<img src="x.png" onerror="alert(1)">
<a href="javascript:alert(1)">click</a>

[js](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org)

<iframe src="https://evil.example"></iframe>
<p style="position:fixed" onclick="steal()">text</p>
"""


def test_module_markdown_is_sanitized(client, create_course):
    create_course("biogas", modules=[("Hostile", HOSTILE)])
    html = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    article = html.split('<article class="module"')[1].split("</article>")[0]
    assert "<script" not in article
    assert "onerror" not in article and "onclick" not in article
    assert 'href="javascript:' not in article and 'href="data:' not in article
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in article
    assert "<iframe" not in article and "position:fixed" not in article
    assert '<img src="x.png">' in article


def test_mark_done_needs_enrolment(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user())
    page = client.get("/courses/biogas/m/module-1").get_data(as_text=True)
    assert "Enrol to keep track of your progress" in page and "Mark as done" not in page
    refused = client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    assert refused.status_code == 403
    assert "Enrol in the course" in refused.get_data(as_text=True)


def test_mark_done_and_undo(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user())
    client.submit("/courses/biogas/enrol")
    marked = client.submit("/courses/biogas/m/module-2/progress", {"done": "1"})
    # Back at the progress box (it holds the focus), a Tab or two before "Next".
    assert marked.headers["Location"] == "/courses/biogas/m/module-2#progress"
    page = client.get("/courses/biogas/m/module-2").get_data(as_text=True)
    assert "You marked this module as done" in page
    assert "1 of 3 modules done" in client.get("/courses/biogas").get_data(as_text=True)
    client.submit("/courses/biogas/m/module-2/progress", {"done": "0"})
    assert "0 of 3 modules done" in client.get("/courses/biogas").get_data(as_text=True)


def test_progress_survives_leaving_and_rejoining(client, login, create_user, create_course):
    create_course("biogas")
    login(create_user())
    client.submit("/courses/biogas/enrol")
    client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    client.submit("/courses/biogas/leave")
    client.submit("/courses/biogas/enrol")
    assert "1 of 3 modules done" in client.get("/courses/biogas").get_data(as_text=True)


def test_dashboard_shows_progress_and_where_to_continue(client, login, create_user, create_course):
    create_course("biogas", title="Biogas", modules=[("One", "1"), ("Two", "2"), ("Three", "3")])
    create_course("solar", title="Solar", modules=[("Panels", "p")])
    login(create_user())
    assert "not enrolled in any course" in client.get("/dashboard").get_data(as_text=True)
    client.submit("/courses/biogas/enrol")
    client.submit("/courses/solar/enrol")
    client.submit("/courses/biogas/m/module-1/progress", {"done": "1"})
    client.submit("/courses/solar/m/module-1/progress", {"done": "1"})
    html = client.get("/dashboard").get_data(as_text=True)
    assert "1 of 3 modules done" in html
    assert re.search(r'href="/courses/biogas/m/module-2">Continue where you left off', html)
    assert "1 of 1 modules done" in html and "You have done every module" in html


def test_dashboard_needs_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_dashboard_query_count_does_not_grow(
    client, login, create_user, create_course, count_queries
):
    login(create_user())
    for n in range(6):
        create_course(f"c{n}")
        client.submit(f"/courses/c{n}/enrol")
        if n == 0:
            with count_queries() as one:
                client.get("/dashboard")
    with count_queries() as six:
        client.get("/dashboard")
    assert six.count == one.count


def test_unknown_module_is_404(client, create_course):
    create_course("biogas")
    assert client.get("/courses/biogas/m/nope").status_code == 404
    assert client.get("/courses/nope/m/module-1").status_code == 404


@pytest.fixture
def course_with_image(app, db):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "green").save(buffer, "PNG")
    bundle = CourseBundle(
        id="img", slug="img", title="With image", summary="s", language="en",
        licence="CC0-1.0", authors=("A",), tags=(),
        modules=(ModuleDoc("m1", 1, "one", "One", "![A trench](media/trench.png)\n"),),
        media=(MediaFile("media/trench.png", buffer.getvalue()),),
    )  # fmt: skip
    import_bundle(bundle)
    db.session.commit()
    return buffer.getvalue()


def test_module_images_are_served_with_long_cache_and_lazy_loading(client, course_with_image):
    html = client.get("/courses/img/m/one").get_data(as_text=True)
    match = re.search(
        r'<img src="(/courses/img/media/trench.png\?v=[0-9a-f]{12})" '
        r'alt="A trench" loading="lazy">',
        html,
    )
    assert match, html
    image = client.get(match.group(1))
    assert image.status_code == 200 and image.data == course_with_image
    assert image.mimetype == "image/png"
    assert "immutable" in image.headers["Cache-Control"]
    assert client.get("/courses/img/media/missing.png").status_code == 404
