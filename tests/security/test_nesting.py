"""Hostile YAML: text nested a thousand levels deep, or aliases that expand a few hundred
bytes into billions of values, is refused with a message, never a crash.

PyYAML builds a document recursively; before the limits in ``bundles.yaml_limits`` such a
text cost seconds of CPU and ended in a ``RecursionError`` (a server error in the editor, a
traceback from ``flask peerlearn import``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from peerlearn.assignments.models import Assignment, AssignmentRevision
from peerlearn.bundles.format import BundleError
from peerlearn.bundles.yaml_limits import MAX_DEPTH, check_yaml_limits
from peerlearn.extensions import db
from tests.bundles.helpers import MODULE_2, SLUG, counts, edit, run_import, write_bundle_folder
from tests.fixtures.assignment_authoring import assignment_text, textarea_of

EDIT = "/courses/biogas/assignments/gas-test/edit"
NEW = "/courses/biogas/assignments/new"
#: Far more levels than PyYAML's recursion survives. Block styles indent one more space
#: per level, so theirs stay under the editor's 200,000 characters.
DEPTH = {"flow lists": 5000, "flow mappings": 5000, "block mappings": 600, "block lists": 600}

#: Deep in every way YAML can nest: flow lists, flow mappings, block mappings, block lists.
DEEP = {
    "flow lists": "[" * DEPTH["flow lists"] + "]" * DEPTH["flow lists"],
    "flow mappings": "{a: " * DEPTH["flow mappings"] + "1" + "}" * DEPTH["flow mappings"],
    "block mappings": "".join(" " * i + "a:\n" for i in range(DEPTH["block mappings"]))
    + " " * DEPTH["block mappings"]
    + "1\n",
    "block lists": "".join(" " * i + "-\n" for i in range(DEPTH["block lists"])),
}
#: Ten values, each list ten aliases of the one before: 10**9 values from 400 bytes.
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{before}'] * 10)}]\n"
    for before, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def _deep_assignment(kind: str) -> str:
    """A valid assignment file whose ``rubric`` is replaced by something very deep."""
    text = assignment_text()
    head = text[: text.index("rubric:")]
    value = DEEP[kind]
    if kind.startswith("block"):
        value = "\n" + "".join("  " + line + "\n" for line in value.splitlines())
    return head + "rubric: " + value + "\n"


# --- The check itself -------------------------------------------------------------------


@pytest.mark.parametrize("kind", DEEP)
def test_deep_nesting_is_refused_without_recursion(kind):
    with pytest.raises(BundleError) as caught:
        check_yaml_limits("x.yml", DEEP[kind])
    assert caught.value.code == "yaml_too_deep"
    assert f"nested more than {MAX_DEPTH} levels deep" in str(caught.value)


def test_an_alias_bomb_is_refused():
    with pytest.raises(BundleError) as caught:
        check_yaml_limits("x.yml", LAUGHS)
    assert caught.value.code == "yaml_too_many_values"


def test_an_alias_inside_its_own_value_is_refused():
    with pytest.raises(BundleError) as caught:
        check_yaml_limits("x.yml", "levels: &levels [1, 2, *levels]\n")
    assert caught.value.code == "yaml_alias_loop"
    assert "*levels" in str(caught.value)


def test_an_overlong_text_is_refused_before_parsing():
    with pytest.raises(BundleError) as caught:
        check_yaml_limits("x.yml", "prompt: '" + "x" * 700_000 + "'\n")
    assert caught.value.code == "yaml_too_long"


def test_real_files_pass_including_reused_levels():
    check_yaml_limits("x.yml", assignment_text())
    reused = "levels: &scale [{points: 0}, {points: 1}]\nagain: *scale\nonce_more: *scale\n"
    check_yaml_limits("x.yml", reused)


# --- The assignment editor ---------------------------------------------------------------


@pytest.fixture
def gas_test(create_user, create_course, create_assignment, login):
    maintainer = create_user("ana")
    course = create_course("biogas", maintainer=maintainer)
    login(maintainer)
    return create_assignment(course, slug="gas-test")


def _revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AssignmentRevision))


@pytest.mark.parametrize("kind", DEEP)
@pytest.mark.parametrize("button", ["save", "preview"])
def test_the_editor_refuses_deep_yaml_with_a_form_error(client, gas_test, kind, button):
    text = _deep_assignment(kind)
    before = _revision_count()

    response = client.submit(
        EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id, button: "1"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == (422 if button == "save" else 200)
    assert f"the YAML is nested more than {MAX_DEPTH} levels deep" in page
    assert "an assignment needs at most five levels" in page
    assert textarea_of(page) == text  # the maintainer's text stays, to be fixed
    assert _revision_count() == before


def test_the_editor_refuses_an_alias_bomb(client, gas_test):
    text = assignment_text().replace("prompt: |", LAUGHS.replace("a: &a", "x: &a", 1) + "prompt: |")
    response = client.submit(
        EDIT, {"text": text, "base_revision_id": gas_test.current_revision_id, "save": "1"}
    )
    assert response.status_code == 422
    assert "counting each alias (*name) as all the values it repeats" in response.get_data(
        as_text=True
    )


def test_a_new_assignment_with_deep_yaml_is_refused_in_spanish(client, gas_test, db):
    client.submit("/settings", {"language": "es", "timezone": "UTC"})
    module = gas_test.module.key
    text = _deep_assignment("flow lists").replace(gas_test.key, "another-id")
    text = re.sub(r"(?m)^module: .*$", f"module: {module}", text)  # the menu's module

    response = client.submit(
        NEW, {"module": module, "written_for": module, "slug": "deep", "text": text, "save": "1"}
    )

    assert response.status_code == 422
    assert f"más de {MAX_DEPTH} niveles" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


# --- Bundle import ----------------------------------------------------------------------


def _bundle(tmp_path: Path) -> Path:
    root = write_bundle_folder(tmp_path / "src" / SLUG)
    (root / "assignments").mkdir()
    (root / "assignments" / "tank-build.yml").write_text(assignment_text(module=MODULE_2[1]))
    return root


@pytest.mark.parametrize("kind", ["flow lists", "block mappings"])
@pytest.mark.parametrize("where", ["course.yml", "front matter", "assignment"])
def test_import_refuses_deep_yaml_and_writes_nothing(runner, db, tmp_path, kind, where):
    root = _bundle(tmp_path)
    deep = DEEP[kind]
    if kind.startswith("block"):
        deep = "\n" + "".join("  " + line + "\n" for line in deep.splitlines())
    if where == "course.yml":
        edit(root / "course.yml", "tags:\n- water\n- construction\n", f"tags: {deep}\n")
        file = "course.yml"
    elif where == "front matter":
        edit(root / MODULE_2[0], "title: Build the tank\n", f"title: {deep}\n")
        file = MODULE_2[0]
    else:
        (root / "assignments" / "tank-build.yml").write_text(_deep_assignment(kind))
        file = "assignments/tank-build.yml"

    result = run_import(runner, root)

    assert result.exit_code != 0
    assert f"{file}: nested more than {MAX_DEPTH} levels deep" in result.output
    assert "Nothing was imported." in result.output
    assert counts() == {"courses": 0, "modules": 0, "module_revisions": 0, "course_media": 0}


def test_import_refuses_an_alias_bomb_in_course_yml(runner, db, tmp_path):
    root = _bundle(tmp_path)
    edit(root / "course.yml", "tags:\n", LAUGHS.replace("a: &a", "x: &a", 1) + "tags:\n")

    result = run_import(runner, root)

    assert result.exit_code != 0
    assert "course.yml: holds more than" in result.output
    assert counts()["courses"] == 0
