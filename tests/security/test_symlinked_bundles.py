"""A bundle's files are its own: a symbolic link anywhere in it refuses the whole import.

Before, ``modules/01-x.md -> /srv/app/.env`` made an outside file a public module, and a
linked image became course media. Each test links to a secret outside the bundle and checks
that the import names the link, writes nothing, and that the secret is nowhere in the
database.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from peerlearn.bundles import reader
from peerlearn.bundles.format import BundleError
from peerlearn.content.models import CourseMedia, ModuleRevision
from tests.bundles.helpers import MODULE_1, MODULE_2, SLUG, counts, image_bytes, run_import
from tests.bundles.helpers import write_bundle_folder as write_bundle
from tests.fixtures.assignment_authoring import assignment_text

NOTHING = {"courses": 0, "modules": 0, "module_revisions": 0, "course_media": 0}
SECRET = "SECRET_KEY=do-not-publish-me"
LINK_MESSAGE = "is a symbolic link; a bundle must hold its files itself"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the bundle that a link could point at: a secret, a module, an image."""
    folder = tmp_path / "outside"
    (folder / "media").mkdir(parents=True)
    (folder / "secret.md").write_text(f"---\nid: stolen\ntitle: Stolen\n---\n{SECRET}\n")
    (folder / "media" / "secret.png").write_bytes(image_bytes(size=(9, 9)))
    (folder / "assignment.yml").write_text(assignment_text(module=MODULE_2[1]))
    return folder


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    root = write_bundle(tmp_path / "src" / SLUG)
    (root / "assignments").mkdir()
    (root / "assignments" / "tank-build.yml").write_text(assignment_text(module=MODULE_2[1]))
    return root


def _replace_with_link(path: Path, target: Path) -> None:
    if path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        path.rmdir()
    elif path.exists():
        path.unlink()
    path.symlink_to(target)


# Where the link is (relative to the bundle), and what it points at outside it.
LINKS = {
    "module file": ("modules/03-stolen.md", "secret.md"),
    "module file replacing a real one": (MODULE_1[0], "secret.md"),
    "course.yml": ("course.yml", "secret.md"),
    "media file": ("media/secret.png", "media/secret.png"),
    "media file in a sub-folder": ("media/photos/secret.png", "media/secret.png"),
    "media folder": ("media", "media"),
    "folder inside media": ("media/more", "media"),
    "modules folder": ("modules", "."),
    "assignment file": ("assignments/stolen.yml", "assignment.yml"),
    "assignments folder": ("assignments", "."),
    "an unread file at the top": ("notes.md", "secret.md"),
}


@pytest.mark.parametrize("where", LINKS)
def test_a_link_anywhere_refuses_the_bundle(runner, db, bundle, outside, where):
    name, target = LINKS[where]
    link = bundle / name
    link.parent.mkdir(parents=True, exist_ok=True)
    _replace_with_link(link, outside / target)

    result = run_import(runner, bundle)

    assert result.exit_code == 1
    assert f"{link}: {LINK_MESSAGE}" in result.output
    assert "Nothing was imported." in result.output
    assert counts() == NOTHING


def test_a_link_to_a_file_inside_the_bundle_is_refused_too(runner, db, bundle):
    """Links are refused as such: whether one stays inside depends on where it is read."""
    (bundle / "media" / "copy.png").symlink_to("tank.png")

    result = run_import(runner, bundle)

    assert f"media/copy.png: {LINK_MESSAGE}" in result.output
    assert counts() == NOTHING


def test_a_fifo_is_refused_instead_of_blocking_the_import(runner, db, bundle):
    os.mkfifo(bundle / "media" / "pipe.png")

    result = run_import(runner, bundle)

    assert result.exit_code == 1
    assert "media/pipe.png: is neither a file nor a folder" in result.output
    assert counts() == NOTHING


def test_a_linked_bundle_in_a_folder_of_bundles_is_refused(runner, db, tmp_path, outside):
    courses = tmp_path / "courses"
    write_bundle(courses / "real")
    stranger = write_bundle(outside / "elsewhere")
    (courses / "linked").symlink_to(stranger)

    result = run_import(runner, courses)

    assert result.exit_code == 1
    assert f"{courses / 'linked'}: {LINK_MESSAGE}" in result.output
    assert counts() == NOTHING


def test_a_link_swapped_in_after_the_check_is_not_followed(bundle, outside, monkeypatch):
    """The files are opened with O_NOFOLLOW: a link made between check and read is refused."""
    checked = reader._refuse_links

    def check_then_swap(root: Path) -> None:
        checked(root)
        _replace_with_link(root / MODULE_1[0], outside / "secret.md")

    monkeypatch.setattr(reader, "_refuse_links", check_then_swap)

    with pytest.raises(BundleError) as caught:
        reader.read_bundle(bundle)

    assert caught.value.file == str(bundle / MODULE_1[0])
    assert LINK_MESSAGE in caught.value.message


def test_the_same_bundle_without_links_imports(runner, db, bundle):
    result = run_import(runner, bundle)

    assert result.exit_code == 0, result.output
    assert counts()["courses"] == 1
    revisions = db.session.scalars(select(ModuleRevision)).all()
    assert len(revisions) == 2 and not any(SECRET in r.body for r in revisions)
    assert db.session.scalars(select(CourseMedia.path)).all() == ["media/tank.png"]
