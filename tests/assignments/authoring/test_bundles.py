"""Assignments travel in course bundles: import, re-import, export and refusals."""

from __future__ import annotations

import pytest

from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_writer import dump_assignment
from tests.bundles.helpers import (
    MODULE_1,
    MODULE_2,
    SLUG,
    course,
    folder_files,
    run_export,
    run_import,
)
from tests.fixtures.app import COURSES_DIR
from tests.fixtures.assignment_authoring import (
    ASSIGNMENT_FILE,
    ASSIGNMENT_ID,
    assignment_text,
    assignments,
    revisions,
)


def test_import_creates_the_assignment_on_its_module(runner, bundle_with_assignment):
    result = run_import(runner, bundle_with_assignment)

    assert result.exit_code == 0, result.output
    [assignment] = assignments()
    assert (assignment.key, assignment.slug, assignment.removed_at) == (
        ASSIGNMENT_ID,
        "tank-build",
        None,
    )
    assert assignment.module.key == MODULE_2[1]
    assert assignment.current.text == assignment_text()
    assert [r.kind for r in revisions(assignment)] == ["import"]


def test_import_then_export_gives_back_the_same_files(runner, tmp_path, bundle_with_assignment):
    run_import(runner, bundle_with_assignment)

    assert run_export(runner, SLUG, tmp_path / "out").exit_code == 0

    exported = folder_files(tmp_path / "out" / SLUG)
    assert exported[ASSIGNMENT_FILE] == assignment_text().encode()
    assert exported == folder_files(bundle_with_assignment)


def test_crlf_and_bom_are_read_as_plain_lf(runner, tmp_path, bundle_with_assignment):
    path = bundle_with_assignment / ASSIGNMENT_FILE
    path.write_bytes(b"\xef\xbb\xbf" + assignment_text().replace("\n", "\r\n").encode())

    assert run_import(runner, bundle_with_assignment).exit_code == 0

    assert assignments()[0].current.text == assignment_text()


def test_reimport_with_a_changed_file_adds_a_revision(runner, bundle_with_assignment):
    run_import(runner, bundle_with_assignment)
    changed = assignment_text(title="Build and test your rain tank", module=MODULE_1[1])
    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(changed.encode())

    result = run_import(runner, bundle_with_assignment)

    assert result.exit_code == 0, result.output
    assert f"{SLUG}: updated" in result.output
    [assignment] = assignments()
    assert assignment.current.text == changed
    assert assignment.module.key == MODULE_1[1]
    history = revisions(assignment)
    assert [r.kind for r in history] == ["import", "import"]
    assert history[1].parent_id == history[0].id
    assert history[0].text == assignment_text()


def test_reimport_of_the_same_bundle_changes_nothing(runner, bundle_with_assignment):
    run_import(runner, bundle_with_assignment)
    result = run_import(runner, bundle_with_assignment)
    assert f"{SLUG}: unchanged" in result.output
    assert len(revisions(assignments()[0])) == 1


def test_a_missing_file_removes_the_assignment_and_its_return_restores_it(
    runner, tmp_path, bundle_with_assignment
):
    run_import(runner, bundle_with_assignment)
    text = (bundle_with_assignment / ASSIGNMENT_FILE).read_bytes()
    (bundle_with_assignment / ASSIGNMENT_FILE).unlink()

    assert "updated" in run_import(runner, bundle_with_assignment).output
    [assignment] = assignments()
    assert assignment.removed_at is not None
    run_export(runner, SLUG, tmp_path / "out")
    assert ASSIGNMENT_FILE not in folder_files(tmp_path / "out" / SLUG)

    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(text)
    run_import(runner, bundle_with_assignment)
    [assignment] = assignments()
    assert assignment.removed_at is None
    assert len(revisions(assignment)) == 1


def _refused(runner, bundle, message):
    result = run_import(runner, bundle)
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert "Nothing was imported." in result.stderr
    assert course(SLUG) is None
    assert assignments() == []


def test_unknown_module_id_is_refused_naming_file_and_field(runner, bundle_with_assignment):
    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(
        assignment_text(module="no-such-module").encode()
    )
    _refused(
        runner,
        bundle_with_assignment,
        f"{ASSIGNMENT_FILE}: field 'module': no module with id 'no-such-module' in this bundle",
    )


def test_must_review_below_must_be_reviewed_is_refused(runner, bundle_with_assignment):
    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(
        assignment_text(must_review=2, must_be_reviewed=3).encode()
    )
    _refused(
        runner,
        bundle_with_assignment,
        f"{ASSIGNMENT_FILE}: field 'must_review': must be at least must_be_reviewed (3)",
    )


def test_deadline_without_offset_is_refused(runner, bundle_with_assignment):
    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(
        assignment_text(submission_deadline="'2027-03-01T18:00:00'").encode()
    )
    _refused(
        runner,
        bundle_with_assignment,
        f"{ASSIGNMENT_FILE}: field 'submission_deadline': needs a UTC offset",
    )


def test_duplicate_assignment_id_is_refused(runner, bundle_with_assignment):
    (bundle_with_assignment / "assignments" / "tank-test.yml").write_bytes(
        assignment_text().encode()
    )
    _refused(
        runner,
        bundle_with_assignment,
        "assignments/tank-test.yml: field 'id': id "
        f"'{ASSIGNMENT_ID}' is also used by tank-build.yml",
    )


@pytest.mark.parametrize("name", ["Tank.yml", "tank.yaml", "notes.txt"])
def test_badly_named_files_are_refused(runner, bundle_with_assignment, name):
    (bundle_with_assignment / ASSIGNMENT_FILE).rename(bundle_with_assignment / "assignments" / name)
    _refused(runner, bundle_with_assignment, f"assignments/{name}: ")


def test_a_bad_assignment_in_one_bundle_stops_the_whole_import(
    runner, tmp_path, bundle_with_assignment
):
    good = tmp_path / "src" / "good"
    good.mkdir()
    (good / "course.yml").write_bytes(
        (bundle_with_assignment / "course.yml")
        .read_bytes()
        .replace(b"rain-tank", b"good")
        .replace(b"0b6d7a52", b"1b6d7a52")
    )
    (bundle_with_assignment / ASSIGNMENT_FILE).write_bytes(b"id: [unclosed\n")

    result = run_import(runner, tmp_path / "src")

    assert result.exit_code == 1
    assert f"{ASSIGNMENT_FILE}: invalid YAML" in result.stderr
    assert course("good") is None


def test_dotfiles_in_assignments_are_ignored(runner, tmp_path, bundle_with_assignment):
    (bundle_with_assignment / "assignments" / ".draft.yml").write_text("not: valid")
    assert run_import(runner, bundle_with_assignment).exit_code == 0
    assert len(assignments()) == 1


@pytest.mark.parametrize(
    "folder",
    sorted(p for p in COURSES_DIR.iterdir() if (p / "course.yml").is_file()),
    ids=lambda p: p.name,
)
def test_every_shipped_course_has_a_canonical_assignment_on_one_of_its_modules(folder):
    files = sorted((folder / "assignments").glob("*.yml"))
    assert files, f"{folder.name} has no assignment"
    module_ids = {
        line.removeprefix("id: ")
        for path in (folder / "modules").glob("*.md")
        for line in path.read_text(encoding="utf-8").splitlines()[1:3]
        if line.startswith("id: ")
    }
    for path in files:
        text = path.read_text(encoding="utf-8")
        spec = parse_assignment(text, str(path), path.stem)
        assert dump_assignment(spec) == text, f"{path} is not in canonical form"
        assert spec.module in module_ids
        assert spec.submission_deadline is None and spec.review_deadline is None
        assert len(spec.rubric) >= 3


def test_shipped_courses_import_with_their_assignments(sample_courses):
    for each in sample_courses:
        assert len(assignments(each.id)) >= 1, each.slug
        assert all(a.module is not None for a in assignments(each.id))
