"""What the assignment reader says about text that is not (yet) an assignment: every
refusal names the file, carries its code, and none escapes as a crash.

The editor shows these messages to a maintainer who pasted or typed the YAML; the
command line shows them to an author importing a bundle.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from peerlearn.bundles.assignment_reader import _Loader, parse_assignment
from peerlearn.bundles.assignment_spec import Grading
from peerlearn.bundles.format import MAX_SLUG, BundleError

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

FILE = "assignments/gas-test.yml"
RUBRIC = (
    "rubric:\n- id: safety\n  title: Safety\n  description: Safe?\n  levels:\n"
    "  - points: 0\n    title: Unsafe\n    description: Gas burnt indoors.\n"
    "  - points: 1\n    title: Safe\n    description: Gas released outdoors.\n"
)
MINIMAL = "id: a1\ntitle: Gas test\nmodule: m1\nprompt: Measure the gas.\n" + RUBRIC


def refused(text: str, slug: str = "gas-test") -> BundleError:
    with pytest.raises(BundleError) as caught:
        parse_assignment(text, FILE, slug)
    return caught.value


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        pytest.param("id: a\ntitle: [unclosed\n", "gas-test", id="bad-yaml"),
        pytest.param("id: a\x07\n", "gas-test", id="control-character"),
        pytest.param("- just\n- a list\n", "gas-test", id="a-list"),
        pytest.param(MINIMAL + "title: Again\n", "gas-test", id="key-twice"),
        pytest.param(MINIMAL + "review_deadline: next monday\n", "gas-test", id="deadline"),
        pytest.param(MINIMAL, "Gas_Test", id="file-name"),
        pytest.param("id: " + "[" * 30 + "]" * 30 + "\n", "gas-test", id="nested-too-deep"),
    ],
)
def test_every_refusal_names_the_file(text: str, slug: str) -> None:
    assert refused(text, slug).file == FILE


def test_a_control_character_is_refused_not_a_crash() -> None:
    """A form feed or a bell pasted into the editor: PyYAML's reader refuses it before
    parsing starts, and that refusal too is a message, not a server error."""
    for text in ("id: a\x07\n", "title: Gas\x0ctest\n"):
        error = refused(text)
        assert (error.code, error.params, error.field) == ("yaml_unreadable", {}, None)
        assert str(error) == f"{FILE}: invalid YAML: cannot be parsed"


def test_a_parser_complaint_without_a_position_keeps_its_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PyYAML can complain without saying where; the complaint is kept as its own code."""

    def complain(self: Any) -> None:
        raise yaml.MarkedYAMLError(problem="found something odd", problem_mark=None)

    monkeypatch.setattr(_Loader, "get_single_data", complain)
    error = refused(MINIMAL)
    assert (error.code, error.params) == ("yaml", {"problem": "found something odd"})
    assert str(error) == f"{FILE}: invalid YAML: found something odd"


def test_the_longest_file_name_is_accepted() -> None:
    slug = "g" * MAX_SLUG
    assert parse_assignment(MINIMAL, FILE, slug).slug == slug


def test_settings_besides_the_defaults_are_read() -> None:
    spec = parse_assignment(
        MINIMAL + "must_be_reviewed: 2\nmust_review: 2\ngrading: median\n", FILE, "gas-test"
    )
    assert (spec.must_be_reviewed, spec.must_review, spec.grading) == (2, 2, Grading.MEDIAN)


def test_a_bad_grading_method_is_named() -> None:
    error = refused(MINIMAL + "grading: best\n")
    assert (error.file, error.field) == (FILE, "grading")


def test_a_key_written_twice_is_found_after_a_merge_key() -> None:
    """YAML merge keys (``<<: *anchor``) are not fields: skipping them must not stop the
    search for a field written twice."""
    text = MINIMAL.replace("- id: safety\n", "- <<: {weight: 2}\n  id: safety\n  id: again\n")
    error = refused(text)
    assert (error.code, error.field) == ("written_twice", "id")


def test_a_criterion_may_merge_two_others() -> None:
    text = (
        "id: a1\ntitle: Gas test\nmodule: m1\nprompt: Measure.\nrubric:\n"
        "- &safety\n  id: safety\n  title: Safety\n  description: Safe?\n"
        "  levels: [{points: 0, title: Unsafe, description: Indoors.},"
        " {points: 1, title: Safe, description: Outdoors.}]\n"
        "- &care\n  id: care\n  title: Care\n  description: Careful?\n  weight: 2\n"
        "  levels: [{points: 0, title: Careless, description: Rushed.},"
        " {points: 2, title: Careful, description: Checked twice.}]\n"
        "- <<: *safety\n  <<: *care\n  id: both\n"
    )
    rubric = parse_assignment(text, FILE, "gas-test").rubric
    assert [(c.id, c.title, c.weight, [level.points for level in c.levels]) for c in rubric] == [
        ("safety", "Safety", 1, [0, 1]),
        ("care", "Care", 2, [0, 2]),
        ("both", "Care", 2, [0, 2]),
    ]
