"""Assignment files: what a course author writes, what reviewers score against."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.assignment_spec import (
    Anonymity,
    AssignmentSpec,
    Criterion,
    Level,
    ScoreError,
    max_points,
    weighted_total,
)
from peerlearn.bundles.assignment_writer import dump_assignment
from peerlearn.bundles.format import BundleError

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

SAMPLES = Path(__file__).parent / "assignment_samples"
SAMPLE_NAMES = ["gas-production-test", "installation-check", "prueba-de-hervir-agua"]
FILE = "assignments/gas-test.yml"
LA_PAZ = timezone(timedelta(hours=-4))


def sample_text(name: str) -> str:
    return (SAMPLES / f"{name}.yml").read_text(encoding="utf-8")


def gas_test() -> AssignmentSpec:
    return parse_assignment(sample_text("gas-production-test"), FILE, "gas-test")


def with_data(change: Callable[[dict[str, Any]], object]) -> str:
    """The gas test sample, changed as a person editing it might."""
    data = yaml.safe_load(sample_text("gas-production-test"))
    change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def refused(text: str, slug: str = "gas-test") -> BundleError:
    with pytest.raises(BundleError) as caught:
        parse_assignment(text, FILE, slug)
    return caught.value


def minimal(**extra: str) -> str:
    lines = {
        "id": "a1",
        "title": "Gas test",
        "module": "m1",
        "prompt": "Measure the gas.",
        "rubric": (
            "\n- id: safety\n  title: Safety\n  description: Safe?\n  levels:\n"
            "  - points: 0\n    title: Unsafe\n    description: Gas burnt indoors.\n"
            "  - points: 1\n    title: Safe\n    description: Gas released outdoors."
        ),
        **extra,
    }
    return "".join(f"{key}: {value}\n" for key, value in lines.items())


# --- canonical files -------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_canonical_file_is_written_back_byte_for_byte(name):
    text = sample_text(name)

    spec = parse_assignment(text, f"assignments/{name}.yml", name)

    assert dump_assignment(spec) == text


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_written_file_reads_back_as_the_same_assignment(name):
    spec = parse_assignment(sample_text(name), f"assignments/{name}.yml", name)

    assert parse_assignment(dump_assignment(spec), "again.yml", name) == spec


def test_reads_every_part_of_the_gas_test():
    spec = gas_test()

    assert (spec.id, spec.slug, spec.module, spec.filename) == (
        "dd4caa0b-e60d-4388-8945-168c8b3c23c3", "gas-test",
        "3f174ba1-a50c-499b-ba48-abef44479a3a", "gas-test.yml",
    )  # fmt: skip
    assert spec.title == "Gas production test of your tubular digester"
    assert spec.prompt.startswith("Start up the digester you built")
    assert spec.prompt.endswith("what will you change?\n")
    assert (spec.must_review, spec.must_be_reviewed) == (4, 3)
    assert (spec.self_assessment, spec.calibration_examples) == (True, 2)
    assert spec.anonymity == Anonymity.DOUBLE_BLIND == "double-blind"
    assert spec.submission_deadline == datetime(2027, 3, 1, 18, tzinfo=LA_PAZ)
    assert spec.review_deadline == datetime(2027, 3, 15, 18, tzinfo=LA_PAZ)
    assert [(c.id, c.title, c.weight) for c in spec.rubric] == [
        ("build-quality", "Build quality", 1),
        ("measurements", "Measurements recorded", 2),
        ("safety", "Safety", Decimal("1.5")),
        ("documentation", "Documentation", 1),
    ]
    assert spec.rubric[2].levels[0] == Level(
        0,
        "Unsafe",
        "First gas tested or released indoors or near a flame, or no safety valve on the line.",
    )
    assert [len(c.levels) for c in spec.rubric] == [4, 4, 3, 3]


def test_spanish_text_is_kept_as_written():
    spec = parse_assignment(sample_text("prueba-de-hervir-agua"), "x.yml", "prueba")
    text = dump_assignment(spec)

    assert spec.rubric[2].title == "Cálculos y conclusión"
    assert "¿Están bien calculados" in text
    assert "\\u" not in text


def test_only_required_fields_gives_the_defaults_and_the_dump_writes_them_out():
    spec = parse_assignment(minimal(), FILE, "gas-test")

    assert (spec.must_review, spec.must_be_reviewed, spec.self_assessment) == (4, 3, False)
    assert (spec.calibration_examples, spec.anonymity) == (0, "double-blind")
    assert (spec.submission_deadline, spec.review_deadline) == (None, None)
    assert spec.rubric[0].weight == 1
    assert dump_assignment(spec) == (
        "id: a1\n"
        "title: Gas test\n"
        "module: m1\n"
        "must_review: 4\n"
        "must_be_reviewed: 3\n"
        "self_assessment: false\n"
        "calibration_examples: 0\n"
        "anonymity: double-blind\n"
        "grading: model\n"
        "flexible_after_days: null\n"
        "submission_deadline: null\n"
        "review_deadline: null\n"
        "prompt: Measure the gas.\n"
        "rubric:\n"
        "- id: safety\n"
        "  title: Safety\n"
        "  weight: 1\n"
        "  description: Safe?\n"
        "  levels:\n"
        "  - points: 0\n"
        "    title: Unsafe\n"
        "    description: Gas burnt indoors.\n"
        "  - points: 1\n"
        "    title: Safe\n"
        "    description: Gas released outdoors.\n"
    )


def test_a_spec_built_in_code_round_trips():
    spec = AssignmentSpec(
        id="2024",
        slug="tank-check",
        title="Tank: a check",
        module="m1",
        prompt="Line one\nline two ends with spaces   \n",
        rubric=(
            Criterion(
                id="walls",
                title="Walls",
                description="Are the walls\neven?",
                weight=Decimal("2.50"),
                levels=(Level(0, "No", "Cracked."), Level(5, "Yes", "Even.")),
            ),
            Criterion(
                id="roof",
                title="Roof",
                description="Roof on?",
                weight=Decimal("1E+1"),
                levels=(Level(1, "No", "Open."), Level(2, "Yes", "Closed.")),
            ),
        ),
        anonymity=Anonymity.OPEN,
        submission_deadline=datetime(2027, 1, 1, 12, tzinfo=UTC),
    )

    text = dump_assignment(spec)

    assert "id: '2024'\n" in text
    assert "title: 'Tank: a check'\n" in text
    assert "    title: 'No'\n" in text
    assert "  weight: 2.5\n" in text
    assert "  weight: 10\n" in text
    assert "submission_deadline: '2027-01-01T12:00:00+00:00'\n" in text
    assert "description: |-\n    Are the walls\n    even?\n" in text
    assert parse_assignment(text, "x.yml", "tank-check") == spec
    assert dump_assignment(parse_assignment(text, "x.yml", "tank-check")) == text


def test_a_file_that_is_valid_but_not_canonical_reads_the_same():
    text = sample_text("gas-production-test")
    messy = "# written by hand\r\n" + text.replace(
        "anonymity: double-blind", "anonymity: 'double-blind'  # default"
    ).replace("must_review: 4\n", "").replace("\n", "\r\n")

    assert parse_assignment("\ufeff" + messy, FILE, "gas-test") == gas_test()


def test_an_unquoted_no_as_a_level_title_is_refused_with_how_to_fix_it():
    text = minimal().replace("title: Unsafe", "title: No")

    error = refused(text)

    assert error.field == "rubric[1].levels[1].title"
    assert "put it in quotes (title: 'No')" in error.message
    assert parse_assignment(text.replace("title: No", "title: 'No'"), FILE, "gas-test")


# --- deadlines -------------------------------------------------------------------------


def test_an_unquoted_yaml_timestamp_with_an_offset_is_accepted_and_written_quoted():
    text = sample_text("gas-production-test").replace(
        "'2027-03-01T18:00:00-04:00'", "2027-03-01T18:00:00-04:00"
    )
    assert yaml.safe_load(text)["submission_deadline"] == datetime(2027, 3, 1, 22, tzinfo=UTC)

    spec = parse_assignment(text, FILE, "gas-test")

    assert spec.submission_deadline == datetime(2027, 3, 1, 18, tzinfo=LA_PAZ)
    assert spec.submission_deadline.utcoffset() == timedelta(hours=-4)
    assert dump_assignment(spec) == sample_text("gas-production-test")


def test_yaml_reads_unquoted_timestamps_as_dates_and_datetimes():
    # What the parser has to cope with when an author leaves a deadline unquoted.
    loaded = yaml.safe_load("a: 2027-03-01 18:00:00\nb: 2027-03-01\n")

    assert loaded["a"] == datetime(2027, 3, 1, 18)
    assert loaded["a"].tzinfo is None
    assert type(loaded["b"]).__name__ == "date"


def test_z_means_utc():
    spec = parse_assignment(minimal(submission_deadline="'2027-03-01T22:00:00Z'"), FILE, "gas-test")

    assert spec.submission_deadline == datetime(2027, 3, 1, 22, tzinfo=UTC)
    assert "submission_deadline: '2027-03-01T22:00:00+00:00'\n" in dump_assignment(spec)


NEEDS_OFFSET = (
    "needs a UTC offset, e.g. '2027-03-01T18:00:00-04:00': without one the deadline "
    "would be a different moment in every time zone"
)
NOT_A_DEADLINE = (
    "must be a date and time in ISO 8601 with a UTC offset, e.g. '2027-03-01T18:00:00-04:00'"
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("'2027-03-01T18:00:00'", NEEDS_OFFSET, id="naive-text"),
        pytest.param("2027-03-01 18:00:00", NEEDS_OFFSET, id="naive-yaml-timestamp"),
        pytest.param("'2027-03-01'", NEEDS_OFFSET, id="date-text"),
        pytest.param(
            "2027-03-01",
            "needs a time and a UTC offset, e.g. '2027-03-01T18:00:00-04:00'",
            id="yaml-date",
        ),
        pytest.param("next monday", NOT_A_DEADLINE, id="words"),
        pytest.param("20270301", NOT_A_DEADLINE, id="number"),
    ],
)
def test_a_deadline_without_an_offset_is_refused(value, message):
    error = refused(minimal(submission_deadline=value))

    assert str(error) == f"{FILE}: field 'submission_deadline': {message}"


# --- every rule, refused with the file and the field -----------------------------------


def put(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], object]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def drop(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], object]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def levels_points(criterion: int, *points: int) -> Callable[[dict[str, Any]], object]:
    def change(data: dict[str, Any]) -> None:
        for level, value in zip(data["rubric"][criterion]["levels"], points, strict=True):
            level["points"] = value

    return change


ID_RULE = "must be 1-64 letters, digits, '.', '_' or '-' (a UUID is best)"
TOP_FIELDS = (
    "id, title, module, must_review, must_be_reviewed, self_assessment, calibration_examples, "
    "anonymity, grading, flexible_after_days, max_interval_width, submission_deadline, "
    "review_deadline, days_to_submit, days_to_review, resubmission, reviewing_weight, "
    "prompt, rubric"
)
LEVEL = ("rubric", 0, "levels", 1)

RULES = [
    # required and unknown fields
    *(
        pytest.param(drop((name,)), name, "is required", id=f"missing-{name}")
        for name in ("id", "title", "module", "prompt", "rubric")
    ),
    pytest.param(
        drop(("rubric", 1, "description")),
        "rubric[2].description",
        "is required",
        id="missing-criterion-description",
    ),
    pytest.param(
        drop(("rubric", 0, "levels")), "rubric[1].levels", "is required", id="missing-levels"
    ),
    pytest.param(
        drop((*LEVEL, "title")),
        "rubric[1].levels[2].title",
        "is required",
        id="missing-level-title",
    ),
    pytest.param(
        put(("colour",), "red"),
        "colour",
        f"unknown field; allowed: {TOP_FIELDS}",
        id="unknown-field",
    ),
    pytest.param(
        put(("slug",), "gas-test"),
        "slug",
        f"unknown field; allowed: {TOP_FIELDS}",
        id="slug-is-the-file-name",
    ),
    pytest.param(
        put(("rubric", 2, "points"), 3),
        "rubric[3].points",
        "unknown field; allowed: id, title, weight, description, levels",
        id="unknown-criterion-field",
    ),
    pytest.param(
        put((*LEVEL, "score"), 1),
        "rubric[1].levels[2].score",
        "unknown field; allowed: points, title, description",
        id="unknown-level-field",
    ),
    # ids and text
    pytest.param(put(("id",), "not an id"), "id", ID_RULE, id="bad-id"),
    pytest.param(put(("id",), 2024), "id", ID_RULE, id="number-id"),
    pytest.param(put(("module",), "-m1"), "module", ID_RULE, id="bad-module"),
    pytest.param(put(("rubric", 1, "id"), "a" * 65), "rubric[2].id", ID_RULE, id="long-crit-id"),
    pytest.param(
        put(("title",), "x" * 201), "title", "is longer than 200 characters", id="long-title"
    ),
    pytest.param(put(("title",), "  "), "title", "must be non-empty text", id="blank-title"),
    *(
        pytest.param(
            put((*LEVEL, "title"), value),
            "rubric[1].levels[2].title",
            "must be text; put it in quotes (title: 'No') because YAML reads yes, no, on, off, "
            "true, false, numbers and dates as something else",
            id=f"title-read-as-{type(value).__name__}",
        )
        for value in (False, 2024, 1.5)
    ),
    pytest.param(put(("prompt",), ""), "prompt", "must be non-empty text", id="empty-prompt"),
    pytest.param(put(("prompt",), None), "prompt", "must be non-empty text", id="null-prompt"),
    pytest.param(
        put(("rubric", 0, "title"), ""),
        "rubric[1].title",
        "must be non-empty text",
        id="blank-criterion-title",
    ),
    pytest.param(
        put(("rubric", 3, "description"), "x" * 2001),
        "rubric[4].description",
        "is longer than 2000 characters",
        id="long-criterion-description",
    ),
    pytest.param(
        put((*LEVEL, "title"), "x" * 201),
        "rubric[1].levels[2].title",
        "is longer than 200 characters",
        id="long-level-title",
    ),
    pytest.param(
        put((*LEVEL, "description"), " "),
        "rubric[1].levels[2].description",
        "must be non-empty text",
        id="blank-level-description",
    ),
    # the rubric
    pytest.param(
        put(("rubric",), []),
        "rubric",
        "must be a list with at least one criterion",
        id="no-criteria",
    ),
    pytest.param(
        put(("rubric",), "be nice"),
        "rubric",
        "must be a list with at least one criterion",
        id="rubric-not-a-list",
    ),
    pytest.param(
        lambda data: data.update(rubric=data["rubric"] * 6),
        "rubric",
        "at most 20 criteria",
        id="too-many-criteria",
    ),
    pytest.param(
        put(("rubric", 1), "Measurements"),
        "rubric[2]",
        "each criterion must be a mapping of field: value",
        id="criterion-not-a-mapping",
    ),
    pytest.param(
        put(("rubric", 3, "id"), "safety"),
        "rubric[4].id",
        "id 'safety' is also used by criterion 3",
        id="duplicate-criterion-id",
    ),
    pytest.param(
        lambda data: data["rubric"][2]["levels"].__delitem__(slice(1, None)),
        "rubric[3].levels",
        "must be a list of at least 2 levels",
        id="one-level",
    ),
    pytest.param(
        put(("rubric", 0, "levels"), []),
        "rubric[1].levels",
        "must be a list of at least 2 levels",
        id="no-levels",
    ),
    pytest.param(
        lambda data: data["rubric"][0].update(
            levels=[{"points": n, "title": "T", "description": "D"} for n in range(11)]
        ),
        "rubric[1].levels",
        "at most 10 levels",
        id="too-many-levels",
    ),
    pytest.param(
        put((*LEVEL,), "good"),
        "rubric[1].levels[2]",
        "each level must be a mapping of field: value",
        id="level-not-a-mapping",
    ),
    pytest.param(
        levels_points(0, 0, 1, 1, 3),
        "rubric[1].levels[3].points",
        "1 points are also given by level 2",
        id="same-points-twice",
    ),
    pytest.param(
        levels_points(1, 0, 2, 1, 3),
        "rubric[2].levels[3].points",
        "levels are written from fewest to most points (1 comes after 2)",
        id="descending",
    ),
    pytest.param(
        levels_points(3, 2, 1, 0),
        "rubric[4].levels[2].points",
        "levels are written from fewest to most points (1 comes after 2)",
        id="reversed",
    ),
    pytest.param(
        put((*LEVEL, "points"), -1),
        "rubric[1].levels[2].points",
        "must be a whole number from 0 to 100",
        id="negative-points",
    ),
    pytest.param(
        put((*LEVEL, "points"), 101),
        "rubric[1].levels[2].points",
        "must be a whole number from 0 to 100",
        id="too-many-points",
    ),
    pytest.param(
        put((*LEVEL, "points"), 1.5),
        "rubric[1].levels[2].points",
        "must be a whole number from 0 to 100",
        id="fractional-points",
    ),
    pytest.param(
        put((*LEVEL, "points"), "one"),
        "rubric[1].levels[2].points",
        "must be a whole number from 0 to 100",
        id="points-as-words",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), 0),
        "rubric[1].weight",
        "must be greater than 0 and at most 100",
        id="zero-weight",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), -2),
        "rubric[1].weight",
        "must be greater than 0 and at most 100",
        id="negative-weight",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), 100.5),
        "rubric[1].weight",
        "must be greater than 0 and at most 100",
        id="huge-weight",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), 0.125),
        "rubric[1].weight",
        "use at most 2 decimal places",
        id="weight-too-precise",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), "heavy"),
        "rubric[1].weight",
        "must be a number greater than 0",
        id="weight-as-words",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), True),
        "rubric[1].weight",
        "must be a number greater than 0",
        id="weight-true",
    ),
    pytest.param(
        put(("rubric", 0, "weight"), float("inf")),
        "rubric[1].weight",
        "must be a number greater than 0",
        id="weight-infinite",
    ),
    # review settings
    pytest.param(
        put(("must_review",), 2),
        "must_review",
        "must be at least must_be_reviewed (3)",
        id="must-review-below-must-be-reviewed",
    ),
    pytest.param(
        put(("must_be_reviewed",), 0),
        "must_be_reviewed",
        "must be a whole number from 1 to 20",
        id="must-be-reviewed-zero",
    ),
    pytest.param(
        put(("must_review",), 21),
        "must_review",
        "must be a whole number from 1 to 20",
        id="must-review-too-many",
    ),
    pytest.param(
        put(("must_review",), "four"),
        "must_review",
        "must be a whole number from 1 to 20",
        id="must-review-words",
    ),
    pytest.param(
        put(("must_be_reviewed",), True),
        "must_be_reviewed",
        "must be a whole number from 1 to 20",
        id="must-be-reviewed-true",
    ),
    pytest.param(
        put(("calibration_examples",), 11),
        "calibration_examples",
        "must be a whole number from 0 to 10",
        id="too-many-calibration-examples",
    ),
    pytest.param(
        put(("calibration_examples",), -1),
        "calibration_examples",
        "must be a whole number from 0 to 10",
        id="negative-calibration-examples",
    ),
    pytest.param(
        put(("self_assessment",), "sometimes"),
        "self_assessment",
        "must be true or false",
        id="self-assessment-words",
    ),
    pytest.param(
        put(("self_assessment",), 1),
        "self_assessment",
        "must be true or false",
        id="self-assessment-number",
    ),
    pytest.param(
        put(("anonymity",), "anonymous"),
        "anonymity",
        "must be one of double-blind, single-blind, open",
        id="unknown-anonymity",
    ),
    pytest.param(
        put(("review_deadline",), "2027-02-20T18:00:00-04:00"),
        "review_deadline",
        "must be after submission_deadline (2027-03-01T18:00:00-04:00)",
        id="review-before-submission",
    ),
    pytest.param(
        put(("review_deadline",), "2027-03-01T22:00:00+00:00"),
        "review_deadline",
        "must be after submission_deadline (2027-03-01T18:00:00-04:00)",
        id="review-at-the-same-moment",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), RULES)
def test_every_rule_is_refused_with_the_file_and_the_field(change, field, message):
    error = refused(with_data(change))

    assert (error.file, error.field, error.message) == (FILE, field, message)
    assert str(error) == f"{FILE}: field '{field}': {message}"


def test_the_example_message_from_the_brief():
    error = refused(with_data(put(("must_review",), 2)))

    assert str(error) == (
        "assignments/gas-test.yml: field 'must_review': must be at least must_be_reviewed (3)"
    )


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        pytest.param(
            "id: a\ntitle: [unclosed\n",
            None,
            "invalid YAML at line 3: expected ',' or ']', but got '<stream end>'",
            id="bad-yaml",
        ),
        pytest.param(
            "- just\n- a list\n", None, "must be a YAML mapping of field: value", id="a-list"
        ),
        pytest.param("", None, "must be a YAML mapping of field: value", id="empty-file"),
        pytest.param(
            minimal() + "title: Another title\n",
            "title",
            "written twice (again at line 16)",
            id="key-twice",
        ),
    ],
)
def test_a_file_that_is_not_an_assignment_mapping_is_refused(text, field, message):
    error = refused(text)

    assert (error.field, error.message) == (field, message)


@pytest.mark.parametrize("slug", ["Gas-Test", "gas_test", "gas--test", "", "g" * 81])
def test_the_file_name_must_be_a_slug(slug):
    error = refused(minimal(), slug=slug)

    assert error.field is None
    assert error.message.startswith("assignment files are named <slug>.yml")


# --- scoring ---------------------------------------------------------------------------


def test_max_points_is_every_criterion_at_its_top_level_times_its_weight():
    # 3 * 1 + 3 * 2 + 2 * 1.5 + 2 * 1
    assert max_points(gas_test()) == Decimal("14")


def test_weighted_total_sums_points_times_weight():
    chosen = {"build-quality": 2, "measurements": 1, "safety": 2, "documentation": 0}

    total = weighted_total(gas_test(), chosen)

    assert total == Decimal("7.0")
    assert isinstance(total, Decimal)


def test_weighted_total_with_every_top_level_is_max_points():
    spec = gas_test()
    top = {criterion.id: criterion.levels[-1].points for criterion in spec.rubric}

    assert weighted_total(spec, top) == max_points(spec)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        pytest.param(
            {"build-quality": 2, "measurements": 1, "safety": 2},
            "no points chosen for criterion 'documentation'",
            id="criterion-missing",
        ),
        pytest.param(
            {"build-quality": 2, "measurements": 1, "safety": 2, "documentation": 0, "colour": 1},
            "criterion 'colour' is not in the rubric of 'gas-test'",
            id="unknown-criterion",
        ),
        pytest.param(
            {"build-quality": 2, "measurements": 1, "safety": 3, "documentation": 0},
            "criterion 'safety' has no level with 3 points; choose one of 0, 1, 2",
            id="points-not-a-level",
        ),
        pytest.param(
            {"build-quality": 2, "measurements": 1, "safety": True, "documentation": 0},
            "criterion 'safety' has no level with True points; choose one of 0, 1, 2",
            id="points-true",
        ),
    ],
)
def test_weighted_total_refuses_points_that_do_not_fit_the_rubric(chosen, message):
    with pytest.raises(ScoreError) as caught:
        weighted_total(gas_test(), chosen)

    assert str(caught.value) == message
