"""Importing again updates the course in place, keeps history and reports what changed."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from peerlearn.content.models import Module, ModuleContent, ModuleRevision
from peerlearn.extensions import db
from tests.bundles.helpers import (
    COURSE_ID,
    MODULE_1,
    MODULE_2,
    SLUG,
    counts,
    course,
    edit,
    folder_files,
    image_bytes,
    run_export,
    run_import,
    snapshot,
)
from tests.fixtures.app import COURSES_DIR


def module(key: str) -> Module:
    db.session.expire_all()
    found = db.session.scalar(select(Module).where(Module.key == key))
    assert found is not None
    return found


def revisions_of(key: str) -> list[str]:
    return list(
        db.session.scalars(
            select(ModuleContent.body)
            .join(ModuleRevision, ModuleRevision.content_id == ModuleContent.id)
            .join(Module, ModuleRevision.module_id == Module.id)
            .where(Module.key == key)
            .order_by(ModuleRevision.id)
        )
    )


def test_first_import_creates_the_course(runner, bundle):
    result = run_import(runner, bundle)

    assert result.exit_code == 0, result.output
    assert f"{SLUG}: created (2 module changes)" in result.output
    imported = course()
    assert imported is not None and imported.key == COURSE_ID
    assert imported.title == "Build a ferrocement rain tank"
    assert imported.author_names == ["Ana Quispe", "Jean Habimana"]
    assert imported.tag_names == ["water", "construction"]
    assert [m.title for m in imported.modules] == ["Why store rain?", "Build the tank"]
    assert [m.path for m in imported.media] == ["media/tank.png"]


def test_importing_the_same_bundle_twice_changes_nothing(runner, bundle):
    run_import(runner, bundle)
    before = snapshot()

    result = run_import(runner, bundle)

    assert result.exit_code == 0, result.output
    assert f"{SLUG}: unchanged (0 module changes)" in result.output
    assert snapshot() == before
    assert counts() == {"courses": 1, "modules": 2, "module_revisions": 2, "course_media": 1}


def test_importing_all_shipped_courses_twice_changes_nothing(runner):
    assert run_import(runner, COURSES_DIR).exit_code == 0
    before, numbers = snapshot(), counts()

    result = run_import(runner, COURSES_DIR)

    assert result.exit_code == 0, result.output
    assert result.output.count(": unchanged (0 module changes)") == numbers["courses"] == 3
    assert snapshot() == before and counts() == numbers


def test_changed_module_gets_a_new_revision_and_keeps_the_old(runner, bundle, tmp_path):
    run_import(runner, bundle)
    edit(bundle / MODULE_1[0], "30 litres", "thirty litres")

    result = run_import(runner, bundle)

    assert f"{SLUG}: updated (1 module changes)" in result.output
    assert counts()["module_revisions"] == 3
    bodies = revisions_of(MODULE_1[1])
    assert len(bodies) == 2 and "30 litres" in bodies[0] and "thirty litres" in bodies[1]
    assert "thirty litres" in module(MODULE_1[1]).current.body
    assert len(revisions_of(MODULE_2[1])) == 1
    run_export(runner, SLUG, tmp_path / "out")
    assert b"thirty litres" in (tmp_path / "out" / SLUG / MODULE_1[0]).read_bytes()


def test_changed_module_title_gets_a_new_revision(runner, bundle):
    run_import(runner, bundle)
    edit(bundle / MODULE_2[0], "title: Build the tank", "title: Build the tank step by step")

    run_import(runner, bundle)

    assert [m.title for m in course().modules] == ["Why store rain?", "Build the tank step by step"]
    assert len(revisions_of(MODULE_2[1])) == 2


def test_removed_module_leaves_the_course_but_keeps_its_history(runner, bundle, tmp_path):
    run_import(runner, bundle)
    saved = (bundle / MODULE_1[0]).read_bytes()
    (bundle / MODULE_1[0]).unlink()

    result = run_import(runner, bundle)

    assert f"{SLUG}: updated (1 module changes)" in result.output
    assert [m.key for m in course().modules] == [MODULE_2[1]]
    assert module(MODULE_1[1]).removed_at is not None
    assert len(revisions_of(MODULE_1[1])) == 1
    run_export(runner, SLUG, tmp_path / "out")
    assert sorted(folder_files(tmp_path / "out" / SLUG)) == sorted(folder_files(bundle))

    # Putting the file back brings the same module back, with no new revision.
    (bundle / MODULE_1[0]).write_bytes(saved)
    run_import(runner, bundle)
    assert [m.key for m in course().modules] == [MODULE_1[1], MODULE_2[1]]
    assert counts() == {"courses": 1, "modules": 2, "module_revisions": 2, "course_media": 1}


def test_renumbered_and_renamed_modules_keep_their_identity(runner, bundle):
    run_import(runner, bundle)
    (bundle / MODULE_1[0]).rename(bundle / "modules" / "02-why-keep-rain.md")
    (bundle / MODULE_2[0]).rename(bundle / "modules" / "01-build-the-tank.md")

    run_import(runner, bundle)

    assert [(m.key, m.slug, m.position) for m in course().modules] == [
        (MODULE_2[1], "build-the-tank", 1),
        (MODULE_1[1], "why-keep-rain", 2),
    ]
    assert counts() == {"courses": 1, "modules": 2, "module_revisions": 2, "course_media": 1}


def test_changed_course_metadata_is_updated(runner, bundle):
    run_import(runner, bundle)
    yml = bundle / "course.yml"
    edit(yml, "title: Build a ferrocement rain tank", "title: Ferrocement rain tanks")
    edit(yml, "- Ana Quispe\n- Jean Habimana", "- Jean Habimana\n- Ana Quispe\n- Rosa Mamani")
    edit(yml, "- water\n- construction", "- construction\n- water\n- rain")
    edit(yml, "licence: CC-BY-SA-4.0", "licence: CC0-1.0")

    result = run_import(runner, bundle)

    assert result.exit_code == 0, result.output
    assert f"{SLUG}: updated (0 module changes)" in result.output
    updated = course()
    assert (updated.title, updated.licence) == ("Ferrocement rain tanks", "CC0-1.0")
    assert updated.author_names == ["Jean Habimana", "Ana Quispe", "Rosa Mamani"]
    assert updated.tag_names == ["construction", "water", "rain"]
    assert counts() == {"courses": 1, "modules": 2, "module_revisions": 2, "course_media": 1}


def test_renamed_slug_is_followed(runner, bundle, tmp_path):
    run_import(runner, bundle)
    before = course()
    edit(bundle / "course.yml", f"slug: {SLUG}", "slug: rainwater-tank")

    run_import(runner, bundle)

    assert course() is None
    renamed = course("rainwater-tank")
    assert renamed is not None and renamed.id == before.id and renamed.key == COURSE_ID
    assert counts()["courses"] == 1
    assert run_export(runner, "rainwater-tank", tmp_path).exit_code == 0
    assert run_export(runner, SLUG, tmp_path).exit_code != 0


def test_changed_and_removed_media_follow_the_bundle(runner, bundle, tmp_path):
    run_import(runner, bundle)
    new_png = image_bytes(size=(5, 5))
    (bundle / "media" / "tank.png").write_bytes(new_png)
    (bundle / "media" / "mesh.jpg").write_bytes(image_bytes("JPEG"))

    assert f"{SLUG}: updated" in run_import(runner, bundle).output
    run_export(runner, SLUG, tmp_path / "one")
    assert folder_files(tmp_path / "one" / SLUG)["media/tank.png"] == new_png

    (bundle / "media" / "mesh.jpg").unlink()
    run_import(runner, bundle)
    assert [m.path for m in course().media] == ["media/tank.png"]


def test_fork_imported_with_its_original_is_a_second_course(runner, bundle, tmp_path):
    fork = tmp_path / "src" / "rain-tank-rw"
    shutil.copytree(bundle, fork)
    edit(fork / "course.yml", f"id: {COURSE_ID}", "id: rain-tank-rw")
    edit(fork / "course.yml", f"slug: {SLUG}", "slug: rain-tank-rw")
    edit(fork / "course.yml", "language: en", "language: rw")
    with (fork / "course.yml").open("a") as file:
        file.write(f"forked_from: {COURSE_ID}\n")

    result = run_import(runner, tmp_path / "src")

    assert result.exit_code == 0, result.output
    forked, original = course("rain-tank-rw"), course()
    assert (forked.forked_from, forked.translation_of, forked.language) == (COURSE_ID, None, "rw")
    assert original.forked_from is None
    assert counts() == {"courses": 2, "modules": 4, "module_revisions": 4, "course_media": 2}
    run_export(runner, "rain-tank-rw", tmp_path / "out")
    assert folder_files(tmp_path / "out" / "rain-tank-rw") == folder_files(fork)
