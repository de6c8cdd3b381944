"""Import then export gives back the same files, byte for byte; export protects folders."""

from __future__ import annotations

import pytest

from tests.bundles.helpers import (
    MODULE_1,
    SLUG,
    edit,
    folder_files,
    image_bytes,
    run_export,
    run_import,
)
from tests.fixtures.app import COURSES_DIR

SAMPLE_BUNDLES = sorted(p for p in COURSES_DIR.iterdir() if (p / "course.yml").is_file())


def test_every_shipped_bundle_is_found():
    assert len(SAMPLE_BUNDLES) >= 3


@pytest.mark.parametrize("source", SAMPLE_BUNDLES, ids=lambda p: p.name)
def test_shipped_bundle_round_trips_byte_for_byte(runner, tmp_path, source):
    result = run_import(runner, COURSES_DIR)
    assert result.exit_code == 0, result.output

    result = run_export(runner, source.name, tmp_path)

    assert result.exit_code == 0, result.output
    exported, original = folder_files(tmp_path / source.name), folder_files(source)
    assert sorted(exported) == sorted(original)
    for name, content in original.items():
        assert exported[name] == content, f"{name} differs after import and export"


def test_own_bundle_round_trips_after_each_import(runner, tmp_path, bundle):
    assert run_import(runner, bundle).exit_code == 0
    edit(bundle / MODULE_1[0], "30 litres", "thirty litres")
    (bundle / "media" / "tank.png").write_bytes(image_bytes(size=(3, 3)))
    assert run_import(runner, bundle).exit_code == 0

    assert run_export(runner, SLUG, tmp_path / "out").exit_code == 0

    assert folder_files(tmp_path / "out" / SLUG) == folder_files(bundle)


def test_export_reports_what_it_wrote(runner, tmp_path, bundle):
    run_import(runner, bundle)
    result = run_export(runner, SLUG, tmp_path / "out")
    assert result.exit_code == 0
    assert f"{SLUG}: wrote 4 files" in result.output


def test_dotfiles_in_a_bundle_are_ignored(runner, tmp_path, bundle):
    (bundle / ".git").mkdir()
    (bundle / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (bundle / "modules" / ".notes.md").write_text("not a module")
    (bundle / "media" / ".DS_Store").write_bytes(b"\0\1")

    assert run_import(runner, bundle).exit_code == 0
    run_export(runner, SLUG, tmp_path / "out")

    assert folder_files(tmp_path / "out" / SLUG) == folder_files(bundle)


def test_export_refuses_a_non_empty_folder_without_force(runner, tmp_path, bundle):
    run_import(runner, bundle)
    target = tmp_path / "out" / SLUG
    target.mkdir(parents=True)
    (target / "course.yml").write_text("mine\n")

    result = run_export(runner, SLUG, tmp_path / "out")

    assert result.exit_code != 0
    assert "--force" in result.stderr and str(target) in result.stderr
    assert folder_files(target) == {"course.yml": b"mine\n"}


def test_export_into_an_empty_existing_folder_needs_no_force(runner, tmp_path, bundle):
    run_import(runner, bundle)
    (tmp_path / "out" / SLUG).mkdir(parents=True)
    assert run_export(runner, SLUG, tmp_path / "out").exit_code == 0
    assert folder_files(tmp_path / "out" / SLUG) == folder_files(bundle)


def test_export_with_force_overwrites_and_drops_stale_files(runner, tmp_path, bundle):
    run_import(runner, bundle)
    target = tmp_path / "out" / SLUG
    run_export(runner, SLUG, tmp_path / "out")
    (target / "course.yml").write_text("edited by hand\n")
    (target / ".git").mkdir()
    (target / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    # The course loses a module and its image; a stale file would bring them back on import.
    (bundle / MODULE_1[0]).unlink()
    (bundle / "media" / "tank.png").unlink()
    edit(
        bundle / "modules" / "02-build-the-tank.md",
        "![The tank wall in section](media/tank.png)",
        "",
    )
    run_import(runner, bundle)

    result = run_export(runner, SLUG, tmp_path / "out", "--force")

    assert result.exit_code == 0, result.output
    assert folder_files(target) == folder_files(bundle)
    assert (target / ".git" / "HEAD").is_file()


def test_export_of_unknown_slug_fails_with_a_message(runner, tmp_path):
    result = run_export(runner, "no-such-course", tmp_path)
    assert result.exit_code != 0
    assert "no course with slug 'no-such-course'" in result.stderr
    assert not any(tmp_path.iterdir())
