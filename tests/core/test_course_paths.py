"""Which file of a course bundle a relative link names: the one answer the site, the
editor's preview, the Markdown importer and the offline package share.

Pure: strings in, a ``BundleTarget`` (or None) out. The offline package's own rules on top
of these are in ``tests/offline/test_links.py``.
"""

from __future__ import annotations

import pytest

from peerlearn.course_paths import BundleTarget, bundle_target, split_relative

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

MEDIA = {"media/a.png", "media/steps/b c.png"}


@pytest.mark.parametrize(
    ("path", "page_dir", "expected"),
    [
        ("course.yml", "", BundleTarget("course", "")),
        ("../course.yml", "modules", BundleTarget("course", "")),
        ("modules/01-intro.md", "", BundleTarget("module", "intro")),
        ("01-intro.md", "modules", BundleTarget("module", "intro")),
        ("modules/100-wiring-the-panel.md", "", BundleTarget("module", "wiring-the-panel")),
        ("assignments/gas-test.yml", "", BundleTarget("assignment", "gas-test")),
        ("../assignments/gas-test.yml", "modules", BundleTarget("assignment", "gas-test")),
        ("media/a.png", "modules", BundleTarget("media", "media/a.png")),
        ("../media/a.png", "modules", BundleTarget("media", "media/a.png")),
        ("./media/steps/b c.png", "", BundleTarget("media", "media/steps/b c.png")),
        # Not a file of this bundle.
        ("media/missing.png", "modules", None),
        ("modules/1-intro.md", "", None),
        ("modules/01-Intro.md", "", None),
        ("modules/01-intro.txt", "", None),
        ("assignments/gas-test.yaml", "", None),
        ("notes.txt", "modules", None),
    ],
)
def test_a_bundle_path_names_its_file(path: str, page_dir: str, expected: BundleTarget) -> None:
    assert bundle_target(path, page_dir, MEDIA) == expected


@pytest.mark.parametrize("path", ["..", ".", "../a.png", "../../a.png", "/a.png", "/etc/passwd"])
def test_a_path_out_of_the_bundle_names_nothing_even_if_a_media_list_holds_it(path: str) -> None:
    """The media list comes from the database; should it ever hold a name that climbs out
    of the bundle or starts at the root, a link still must not resolve to it."""
    hostile_media = {"..", ".", "../a.png", "../../a.png", "/a.png", "/etc/passwd", "a.png"}
    assert bundle_target(path, "", hostile_media) is None


def test_the_page_folder_is_only_a_second_guess() -> None:
    """A path that names a file from the bundle's root wins over the page's folder."""
    media = {"media/a.png", "modules/media/a.png"}
    assert bundle_target("media/a.png", "modules", media) == BundleTarget("media", "media/a.png")
    assert bundle_target("a.png", "media", {"a.png", "media/a.png"}) == BundleTarget(
        "media", "a.png"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("media/a.png", ("media/a.png", "")),
        ("  media/a.png  ", ("media/a.png", "")),
        ("media/steps/b%20c.png", ("media/steps/b c.png", "")),
        ("modules/02-build.md#step-2", ("modules/02-build.md", "step-2")),
        ("../course.yml?v=2", ("../course.yml", "")),
        ("02-build.md#", ("02-build.md", "")),
        # Not relative to the bundle.
        ("", None),
        ("   ", None),
        ("#step-2", None),
        ("/courses/c", None),
        ("//cdn.example/x.png", None),
        ("https://example.org/x.png", None),
        ("mailto:ana@example.org", None),
        ("http://[::1", None),
        ("?v=2", None),
    ],
)
def test_split_relative(url: str, expected: tuple[str, str] | None) -> None:
    assert split_relative(url) == expected
