"""A bad bundle is refused whole, with a message naming the file and field to fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.bundles.helpers import (
    COURSE_ID,
    MODULE_1,
    MODULE_2,
    MODULE_FILES,
    SLUG,
    counts,
    edit,
    image_bytes,
    run_import,
    snapshot,
)

NOTHING = {"courses": 0, "modules": 0, "module_revisions": 0, "course_media": 0}


def course_yml(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / "course.yml", old, new)


def module_2(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / MODULE_2[0], old, new)


def module_1(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / MODULE_1[0], old, new)


def write(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda root: (root / name).write_bytes(content)


def rename_1(name: str) -> Callable[[Path], None]:
    return lambda root: (root / MODULE_1[0]).rename(root / "modules" / name)


M1, M2 = MODULE_1[0], MODULE_2[0]
LATIN_1 = MODULE_FILES[M1].replace("Rain is free", "Lluvia para él").encode("latin-1")
TITLE = "title: Build a ferrocement rain tank"
AUTHORS = "authors:\n- Ana Quispe\n- Jean Habimana"
LONG_MEDIA = f"media/{'b' * 250}.png"
HUGE_PNG = image_bytes() + bytes(5 * 1024 * 1024)

# How to break the bundle, and what the error says after the bundle's folder.
BAD = {
    "invalid-yaml": (
        course_yml(TITLE, "title: Rain: a tank"),
        "course.yml: invalid YAML at line 3",
    ),
    "not-a-mapping": (write("course.yml", b"- a\n- list\n"), "course.yml: must be a YAML mapping"),
    "missing-licence": (
        course_yml("licence: CC-BY-SA-4.0\n", ""),
        "course.yml: field 'licence': is required",
    ),
    "unknown-field": (
        course_yml("language: en", "language: en\nlevel: easy"),
        "course.yml: field 'level': unknown field; allowed: id, slug, title",
    ),
    "unknown-licence": (
        course_yml("CC-BY-SA-4.0", "CC-BY-3.0"),
        "course.yml: field 'licence': unknown licence 'CC-BY-3.0'; use one of CC-BY-SA-4.0",
    ),
    "unknown-language": (
        course_yml("language: en", "language: xx"),
        "course.yml: field 'language': unknown language code 'xx'",
    ),
    "bad-slug": (course_yml("slug: rain-tank", "slug: Rain_Tank"), "course.yml: field 'slug': "),
    "bad-id": (
        course_yml(f"id: {COURSE_ID}", "id: rain/1"),
        "course.yml: field 'id': must be",
    ),
    "empty-title": (course_yml(TITLE, "title: ''"), "course.yml: field 'title': must be non-empty"),
    "long-author": (
        course_yml("- Ana Quispe", "- " + "A" * 201),
        "course.yml: field 'authors': an author name is longer than 200 characters",
    ),
    "no-authors": (
        course_yml(AUTHORS, "authors: []"),
        "course.yml: field 'authors': must be a list with at least one name",
    ),
    "capital-tag": (
        course_yml("- water", "- Water"),
        "course.yml: field 'tags': 'Water' must be lowercase",
    ),
    "tag-twice": (
        course_yml("- construction", "- water"),
        "course.yml: field 'tags': a tag is listed twice",
    ),
    "duplicate-module-id": (
        module_2(MODULE_2[1], MODULE_1[1]),
        f"{M2}: field 'id': id '{MODULE_1[1]}' is also used by {Path(M1).name}",
    ),
    "duplicate-module-number": (
        write("modules/01-extra.md", b"---\nid: extra\ntitle: Extra\n---\n"),
        f"{M1}: number '1' is also used by 01-extra.md",
    ),
    "module-not-utf8": (write(M1, LATIN_1), f"{M1}: not valid UTF-8 text"),
    "module-unknown-field": (
        module_2("title: Build", "author: Ana\ntitle: Build"),
        f"{M2}: field 'author': unknown field; allowed: id, title",
    ),
    "module-without-title": (
        module_2("title: Build the tank\n", ""),
        f"{M2}: field 'title': must be non-empty text",
    ),
    "module-without-front-matter": (
        write(M1, b"## Rain is free\n"),
        f"{M1}: must start with a '---' front matter line",
    ),
    "module-front-matter-not-closed": (
        module_1("---\n\n## Rain", "\n## Rain"),
        f"{M1}: front matter is not closed",
    ),
    "module-badly-named": (
        rename_1("1-why.md"),
        "modules/1-why.md: module files are",
    ),
    "module-with-capitals": (rename_1("01-Why.md"), "modules/01-Why.md: module files are named"),
    "module-slug-too-long": (rename_1(f"01-{'a' * 81}.md"), f"01-{'a' * 81}.md: slug in the name"),
    "media-not-an-image": (write("media/a.png", b"list\n"), "media/a.png: is not a readable image"),
    "media-wrong-extension": (
        write("media/tank.png", image_bytes("JPEG")),
        "media/tank.png: contains JPEG data, not PNG",
    ),
    "media-unsupported-type": (
        write("media/plan.pdf", b"%PDF-1.7"),
        "media/plan.pdf: media must be one of .gif, .jpeg, .jpg, .png, .svg, .webp",
    ),
    "media-svg-without-namespace": (
        write("media/plan.svg", b"<svg/>"),
        "media/plan.svg: is not an SVG document (its root is not <svg>)",
    ),
    "media-bad-name": (write("media/a b.png", image_bytes()), "media/a b.png: media names use"),
    "media-path-too-long": (write(LONG_MEDIA, image_bytes()), f"{LONG_MEDIA}: path is longer"),
    "media-too-large": (write("media/tank.png", HUGE_PNG), "media/tank.png: larger than 5 MB"),
}


def assert_refused(result: Any, expected: str) -> None:
    """Exit status, the message naming file and field, and the all-or-nothing notice."""
    assert result.exit_code != 0
    assert f"/{expected}" in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("Nothing was imported.")


@pytest.mark.parametrize(("breaker", "expected"), BAD.values(), ids=BAD.keys())
def test_bad_new_bundle_imports_nothing(runner, bundle, breaker, expected):
    breaker(bundle)

    result = run_import(runner, bundle)

    assert_refused(result, expected)
    assert counts() == NOTHING


@pytest.mark.parametrize(("breaker", "expected"), BAD.values(), ids=BAD.keys())
def test_bad_update_leaves_the_course_as_it_was(runner, bundle, breaker, expected):
    assert run_import(runner, bundle).exit_code == 0
    before = snapshot()
    # A good change alongside the bad one must not get in either.
    edit(bundle / M2, "for a week", "for two weeks")
    breaker(bundle)

    result = run_import(runner, bundle)

    assert_refused(result, expected)
    assert snapshot() == before


def copy_as(bundle: Path, folder: Path, course_id: str, slug: str) -> Path:
    shutil.copytree(bundle, folder)
    edit(folder / "course.yml", f"id: {COURSE_ID}", f"id: {course_id}")
    edit(folder / "course.yml", f"slug: {SLUG}", f"slug: {slug}")
    return folder


def test_slug_of_another_course_is_refused(runner, bundle, create_course):
    create_course(slug=SLUG)
    before = snapshot()

    result = run_import(runner, bundle)

    assert_refused(
        result,
        f"{SLUG}/course.yml: field 'slug': slug '{SLUG}' is already used by another course"
        f" (id {SLUG}-id)",
    )
    assert snapshot() == before


def test_renaming_onto_another_courses_slug_changes_nothing(runner, bundle, create_course):
    create_course(slug="taken")
    run_import(runner, bundle)
    before = snapshot()
    edit(bundle / "course.yml", f"slug: {SLUG}", "slug: taken")
    edit(bundle / "course.yml", TITLE, "title: A new title")

    result = run_import(runner, bundle)

    assert_refused(result, "course.yml: field 'slug': slug 'taken' is already used by another")
    assert snapshot() == before


def test_one_bad_bundle_in_a_folder_stops_the_good_ones(runner, bundle, tmp_path):
    copy_as(bundle, tmp_path / "src" / "a-good", "good-course", "good-course")
    edit(bundle / "course.yml", "CC-BY-SA-4.0", "CC-BY-3.0")

    result = run_import(runner, tmp_path / "src")

    assert_refused(result, f"{SLUG}/course.yml: field 'licence': unknown licence")
    assert counts() == NOTHING


def test_slug_clash_found_late_rolls_back_earlier_bundles(runner, bundle, tmp_path, create_course):
    create_course(slug="z-taken")
    before = snapshot()
    copy_as(bundle, tmp_path / "src" / "z-clash", "clash-course", "z-taken")

    result = run_import(runner, tmp_path / "src")

    assert_refused(result, "z-clash/course.yml: field 'slug': slug 'z-taken' is already used")
    assert snapshot() == before


def test_every_bad_bundle_in_a_folder_is_reported(runner, bundle, tmp_path):
    other = copy_as(bundle, tmp_path / "src" / "other", "other-course", "other-course")
    edit(bundle / "course.yml", "language: en", "language: xx")
    (other / MODULE_1[0]).write_bytes(LATIN_1)

    result = run_import(runner, tmp_path / "src")

    assert_refused(result, f"{SLUG}/course.yml: field 'language': unknown language")
    assert f"other/{MODULE_1[0]}: not valid UTF-8" in result.stderr
    assert counts() == NOTHING


@pytest.mark.parametrize("field", ["id", "slug"])
def test_two_folders_with_one_id_or_slug_are_refused(runner, bundle, tmp_path, field):
    copy_as(
        bundle,
        tmp_path / "src" / "twin",
        COURSE_ID if field == "id" else "twin-id",
        SLUG if field == "slug" else "twin",
    )

    result = run_import(runner, tmp_path / "src")

    assert_refused(result, f"twin/course.yml: field '{field}': also used by {bundle}")
    assert counts() == NOTHING


def test_missing_folder_or_folder_without_bundles_is_refused(runner, tmp_path):
    result = run_import(runner, tmp_path / "nowhere")
    assert result.exit_code != 0 and "no such folder" in result.stderr

    result = run_import(runner, tmp_path)
    assert result.exit_code != 0 and "no course.yml here" in result.stderr
    assert "Nothing was imported." in result.stderr
