"""Where each link and image of an offline package's pages points, rule by rule.

Pure: plain strings in, plain strings out (the package tests build real zips).
"""

from __future__ import annotations

import pytest

from peerlearn.offline.links import (
    PackageLinks,
    assignment_page,
    is_safe_media_path,
    module_page,
    relink_html,
    resolve_url,
)

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

LINKS = PackageLinks(
    course_slug="c",
    modules={"intro": "modules/01-intro.html", "build": "modules/02-build.html"},
    assignments={"test": "assignments/test.html"},
    media={"media/a.png", "media/steps/b c.png"},
    server_hosts={"peerlearn.example", "peerlearn.example:8080"},
)


def test_page_names_follow_the_bundle_files() -> None:
    assert module_page(1, "intro") == "modules/01-intro.html"
    assert module_page(12, "build") == "modules/12-build.html"
    assert module_page(100, "more") == "modules/100-more.html"
    assert assignment_page("gas-test") == "assignments/gas-test.html"


@pytest.mark.parametrize(
    ("url", "page_dir", "expected"),
    [
        # Inside the page.
        ("#step-2", "modules", ("#step-2", None)),
        ("  #step-2  ", "modules", ("#step-2", None)),
        # Other websites and e-mail stay as they are; other schemes go.
        ("https://example.org/page?q=1#top", "modules", ("https://example.org/page?q=1#top", None)),
        ("http://example.org/", "", ("http://example.org/", None)),
        ("mailto:ana@example.org", "modules", ("mailto:ana@example.org", None)),
        ("//cdn.example/x.png", "modules", ("https://cdn.example/x.png", None)),
        ("javascript:alert(1)", "modules", (None, None)),
        ("ftp://example.org/file", "modules", (None, None)),
        ("data:image/png;base64,AAAA", "modules", (None, None)),
        ("http://[::1", "modules", (None, None)),
        ("", "modules", (None, None)),
        ("   ", "modules", (None, None)),
        # The site itself, by path or by host: only this course's pages, never the server.
        ("/courses/c", "modules", ("../index.html", "index.html")),
        ("/courses/c/", "", ("index.html", "index.html")),
        ("/courses/c/m/intro", "modules", ("01-intro.html", "modules/01-intro.html")),
        (
            "/courses/c/m/build/",
            "assignments",
            ("../modules/02-build.html", "modules/02-build.html"),
        ),
        (
            "/courses/c/m/intro#part-2",
            "",
            ("modules/01-intro.html#part-2", "modules/01-intro.html"),
        ),
        ("/courses/c/a/test", "modules", ("../assignments/test.html", "assignments/test.html")),
        ("/courses/c/media/a.png", "modules", ("../media/a.png", "media/a.png")),
        ("/courses/c/media/steps/b%20c.png", "", ("media/steps/b c.png", "media/steps/b c.png")),
        ("/courses/c/m/missing", "modules", (None, None)),
        ("/courses/c/a/missing", "modules", (None, None)),
        ("/courses/c/media/missing.png", "modules", (None, None)),
        ("/courses/c/edit", "modules", (None, None)),
        ("/courses/other/m/intro", "modules", (None, None)),
        ("/login", "modules", (None, None)),
        (
            "https://peerlearn.example/courses/c/m/intro",
            "modules",
            ("01-intro.html", "modules/01-intro.html"),
        ),
        ("HTTP://PeerLearn.Example:8080/courses/c", "", ("index.html", "index.html")),
        ("https://peerlearn.example/login", "modules", (None, None)),
        (
            "https://peerlearn.example:9999/courses/c",
            "modules",
            ("https://peerlearn.example:9999/courses/c", None),
        ),
        # Files as a bundle names them, from the bundle folder or from the page's folder.
        ("media/a.png", "modules", ("../media/a.png", "media/a.png")),
        ("./media/a.png", "modules", ("../media/a.png", "media/a.png")),
        ("../media/a.png", "modules", ("../media/a.png", "media/a.png")),
        ("media/steps/b%20c.png", "", ("media/steps/b c.png", "media/steps/b c.png")),
        ("media/missing.png", "modules", (None, None)),
        ("course.yml", "", ("index.html", "index.html")),
        ("../course.yml", "modules", ("../index.html", "index.html")),
        ("index.html", "modules", ("../index.html", "index.html")),
        ("modules/01-intro.md", "", ("modules/01-intro.html", "modules/01-intro.html")),
        (
            "modules/01-intro.md#step-2",
            "",
            ("modules/01-intro.html#step-2", "modules/01-intro.html"),
        ),
        ("02-build.md", "modules", ("02-build.html", "modules/02-build.html")),
        ("modules/03-missing.md", "", (None, None)),
        ("assignments/test.yml", "modules", ("../assignments/test.html", "assignments/test.html")),
        (
            "../assignments/test.yml",
            "modules",
            ("../assignments/test.html", "assignments/test.html"),
        ),
        ("assignments/missing.yml", "", (None, None)),
        (
            "modules/02-build.html",
            "assignments",
            ("../modules/02-build.html", "modules/02-build.html"),
        ),
        ("01-intro.html", "modules", ("01-intro.html", "modules/01-intro.html")),
        ("test.html", "assignments", ("test.html", "assignments/test.html")),
        ("../../etc/passwd", "modules", (None, None)),
        ("..", "modules", (None, None)),
        (".", "", (None, None)),
        ("?v=2", "", (None, None)),
        ("notes.txt", "modules", (None, None)),
    ],
)
def test_resolve_url(url: str, page_dir: str, expected: tuple[str | None, str | None]) -> None:
    assert resolve_url(url, page_dir, LINKS) == expected


def test_a_site_mounted_under_a_path_is_recognised_by_that_path() -> None:
    links = PackageLinks("c", {"intro": "modules/01-intro.html"}, {}, (), script_root="/site/")

    assert resolve_url("/site/courses/c/m/intro", "", links) == (
        "modules/01-intro.html",
        "modules/01-intro.html",
    )
    assert resolve_url("/site/courses/c", "modules", links) == ("../index.html", "index.html")
    assert resolve_url("/courses/c/m/intro", "", links) == (None, None)
    assert resolve_url("/sitemap/courses/c", "", links) == (None, None)
    assert resolve_url("/site", "", links) == (None, None)


def test_a_mount_point_is_compared_whole() -> None:
    # Only the trailing slash is dropped: "/BOX/" is "/BOX", never "/BO".
    links = PackageLinks("c", {}, {}, (), script_root="/BOX/")

    assert resolve_url("/BOX/courses/c", "", links) == ("index.html", "index.html")
    assert resolve_url("/BO/courses/c", "", links) == (None, None)


def test_relinked_html_points_into_the_package_and_counts_the_images_shown() -> None:
    html = (
        '<p><a href="/courses/c/m/build" title="Next">Next</a> '
        '<a href="/login">Log in</a> '
        '<a href="https://example.org/">Elsewhere</a> '
        '<img src="media/a.png" alt="Tank"> '
        '<img src="media/gone.png" alt="Gone"></p>'
    )
    shown: set[str] = set()

    result = relink_html(html, "modules", LINKS, shown)

    assert str(result) == (
        '<p><a href="02-build.html" title="Next" rel="noopener noreferrer nofollow">Next</a> '
        '<a rel="noopener noreferrer nofollow">Log in</a> '
        '<a href="https://example.org/" rel="noopener noreferrer nofollow">Elsewhere</a> '
        '<img src="../media/a.png" alt="Tank"> '
        '<img alt="Gone"></p>'
    )
    assert shown == {"media/a.png"}


def test_relinked_html_is_sanitized_again() -> None:
    shown: set[str] = set()

    result = relink_html('<p onclick="x()">Hi<script>alert(1)</script></p>', "", LINKS, shown)

    assert str(result) == "<p>Hi</p>"
    assert shown == set()


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("media/a.png", True),
        ("media/steps/b.jpg", True),
        ("media/A-1_b.v2.webp", True),
        ("media", False),
        ("media/", False),
        ("other/a.png", False),
        ("media/../a.png", False),
        ("media/./a.png", False),
        ("media/.hidden.png", False),
        ("media/steps//b.png", False),
        ("media/b c.png", False),
        ("/media/a.png", False),
    ],
)
def test_safe_media_paths(path: str, safe: bool) -> None:
    assert is_safe_media_path(path) is safe
