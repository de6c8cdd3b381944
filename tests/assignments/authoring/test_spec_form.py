"""The structured editor's draft, without Flask: form ↔ draft ↔ the reader's mapping."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from peerlearn.assignments import spec_form
from peerlearn.bundles.assignment_reader import parse_assignment, read_assignment
from peerlearn.bundles.assignment_writer import dump_assignment
from peerlearn.bundles.format import BundleError
from tests.fixtures.assignment_authoring import ASSIGNMENT_ID, assignment_text

FILE = "assignments/tank-build.yml"


@pytest.fixture
def spec():
    return parse_assignment(assignment_text(), FILE, "tank-build")


def form_of(draft: spec_form.AssignmentDraft) -> dict[str, str]:
    """The inputs a browser would send back for ``draft``."""
    form = dict(draft.settings)
    if draft.self_assessment:
        form["self_assessment"] = "y"
    for i, c in enumerate(draft.rubric):
        form.update({f"c{i}-id": c.id, f"c{i}-title": c.title, f"c{i}-weight": c.weight,
                     f"c{i}-description": c.description})  # fmt: skip
        for n, level in enumerate(c.levels):
            form.update({f"c{i}-l{n}-points": level.points, f"c{i}-l{n}-title": level.title,
                         f"c{i}-l{n}-description": level.description})  # fmt: skip
    return form


def test_a_spec_survives_the_form_unchanged(spec):
    draft = spec_form.draft_from_form(form_of(spec_form.draft_of(spec)))

    again = read_assignment(FILE, spec_form.values_of(draft, ASSIGNMENT_ID), "tank-build")

    assert again == spec


def test_numbers_the_reader_cannot_take_are_passed_on_as_text(spec):
    draft = spec_form.draft_of(spec)
    draft.rubric[0].weight = "2,25"
    draft.rubric[0].levels[0].points = "lots"
    draft.settings["flexible_after_days"] = ""

    values = spec_form.values_of(draft, ASSIGNMENT_ID)

    assert values["rubric"][0]["weight"] == Decimal("2.25")
    assert values["rubric"][0]["levels"][0]["points"] == "lots"
    assert values["flexible_after_days"] is None


def test_gaps_left_by_removed_inputs_are_closed(spec):
    form = form_of(spec_form.draft_of(spec))
    form = {k.replace("c0-", "c3-").replace("-l1-", "-l7-"): v for k, v in form.items()}

    draft = spec_form.draft_from_form(form)

    assert [c.id for c in draft.rubric] == ["build"]
    assert [lv.title for lv in draft.rubric[0].levels] == ["Not shown", "Sound"]


def test_buttons_add_and_remove(spec):
    draft = spec_form.draft_of(spec)

    assert spec_form.apply(draft, "add-criterion")
    assert spec_form.apply(draft, "add-level-0")
    assert [lv.points for lv in draft.rubric[0].levels] == ["0", "2", "3"]
    assert draft.rubric[1].id == "criterion-2"
    assert spec_form.apply(draft, "remove-level-0-1")
    assert spec_form.apply(draft, "remove-criterion-1")
    assert [lv.points for lv in draft.rubric[0].levels] == ["0", "3"]
    assert len(draft.rubric) == 1
    assert spec_form.apply(draft, "remove-level-9-9")  # stale button: nothing to remove
    assert not spec_form.apply(draft, "save")


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("must_review", "must_review"),
        ("rubric", "rubric"),
        ("rubric[2]", "c1-id"),
        ("rubric[2].weight", "c1-weight"),
        ("rubric[1].levels", "c0-levels"),
        ("rubric[1].levels[3]", "c0-l2-points"),
        ("rubric[1].levels[3].title", "c0-l2-title"),
        ("id", ""),
        (None, ""),
    ],
)
def test_a_readers_field_names_its_input(field, name):
    assert spec_form.input_of(field) == name


def test_resubmission_and_the_reviewing_weight_survive_the_form_and_the_file(spec):
    changed = dataclasses.replace(spec, resubmission=True, reviewing_weight=30)
    form = form_of(spec_form.draft_of(changed))
    assert (form["resubmission"], form["reviewing_weight"]) == ("y", "30")

    again = read_assignment(
        FILE, spec_form.values_of(spec_form.draft_from_form(form), ASSIGNMENT_ID), "tank-build"
    )

    assert again == changed
    text = dump_assignment(changed)
    assert "resubmission: true\nreviewing_weight: 30\n" in text
    assert parse_assignment(text, FILE, "tank-build") == changed
    # Files from before the two settings keep their bytes: defaults are not written.
    assert "resubmission" not in dump_assignment(spec)
    assert "reviewing_weight" not in dump_assignment(spec)


@pytest.mark.parametrize("weight", ["-1", "101", "ten"])
def test_a_reviewing_weight_outside_0_to_100_is_refused_at_its_input(spec, weight):
    draft = spec_form.draft_of(spec)
    draft.settings["reviewing_weight"] = weight

    with pytest.raises(BundleError) as refused:
        read_assignment(FILE, spec_form.values_of(draft, ASSIGNMENT_ID), "tank-build")

    assert spec_form.input_of(refused.value.field) == "reviewing_weight"


def test_the_interval_width_setting_survives_the_form_and_is_left_out_when_empty(spec):
    """max_interval_width (issue #17): set in the editor, it reads back; emptied, the key
    is not written at all, so files that never used it stay as they were."""
    from dataclasses import replace

    from peerlearn.bundles.assignment_writer import dump_assignment

    strict = replace(spec, max_interval_width=20)
    draft = spec_form.draft_from_form(form_of(spec_form.draft_of(strict)))
    assert draft.settings["max_interval_width"] == "20"
    again = read_assignment(FILE, spec_form.values_of(draft, ASSIGNMENT_ID), "tank-build")
    assert again == strict
    assert "max_interval_width: 20\n" in dump_assignment(strict)

    draft.settings["max_interval_width"] = " "
    assert "max_interval_width" not in spec_form.values_of(draft, ASSIGNMENT_ID)
    assert "max_interval_width" not in dump_assignment(spec)


@pytest.mark.parametrize("width", [0, 101, "wide"])
def test_the_interval_width_is_a_share_from_1_to_100(width):
    from peerlearn.bundles.format import BundleError

    text = assignment_text().replace(
        "grading: model\n", f"grading: model\nmax_interval_width: {width}\n"
    )
    with pytest.raises(BundleError):
        parse_assignment(text, FILE, "tank-build")
