"""``flask peerlearn grade INPUT.csv OUTPUT.csv``: what an operator sees and gets."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask.cli import AppGroup

from peerlearn.review.grading.grade_csv import register_grade_command
from peerlearn.review.grading.grading import DEFAULT_METHOD, METHODS

ORA2_CSV = """submission,reviewer,criterion,score
s1,r1,ideas,10
s1,r2,ideas,7
s1,r3,ideas,8
s1,r1,content,7
s1,r2,content,9
s1,r3,content,8
s1,r1,grammar,4
s1,r2,grammar,4
s1,r3,grammar,5
s2,r1,ideas,7
s2,r3,ideas,8
s2,r1,content,2.5
"""


#: Stands in for ``flask peerlearn`` (an AppGroup too), so these tests do not depend on
#: the wiring in peerlearn/cli.py.
operator_cli = AppGroup("peerlearn")
register_grade_command(operator_cli)


def run(tmp_path: Path, text: str | bytes, *options: str) -> tuple[click.testing.Result, Path]:
    source = tmp_path / "scores.csv"
    if isinstance(text, bytes):
        source.write_bytes(text)
    else:
        source.write_text(text, encoding="utf-8")
    target = tmp_path / "grades.csv"
    result = CliRunner().invoke(operator_cli, ["grade", str(source), str(target), *options])
    return result, target


def test_grades_a_good_file_sorted_by_submission(tmp_path):
    result, target = run(tmp_path, ORA2_CSV, "--method", "median")
    assert result.exit_code == 0, result.output
    # s2: ideas ceil(7.5) = 8, content 2.5
    assert target.read_text(encoding="utf-8") == "submission,grade\ns1,20\ns2,10.5\n"
    assert "2 submissions graded (median)" in result.output


def test_mean_and_the_default_method(tmp_path):
    result, target = run(tmp_path, ORA2_CSV, "--method", "mean")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "submission,grade\ns1,20.67\ns2,10\n"
    result, target = run(tmp_path, ORA2_CSV)
    assert result.exit_code == 0, result.output
    assert f"({DEFAULT_METHOD})" in result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "submission,grade" and [line.split(",")[0] for line in lines[1:]] == [
        "s1", "s2"
    ]  # fmt: skip


def test_column_order_extra_columns_spaces_blank_lines_and_a_bom_are_fine(tmp_path):
    text = (
        "\ufeffwhen, score ,criterion,reviewer,submission\n"
        "monday,10,ideas,r1, s1\n"
        "\n"
        "tuesday,7,ideas,r2,s1 \n"
    )
    result, target = run(tmp_path, text.encode("utf-8"), "--method", "mean")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "submission,grade\ns1,8.5\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("submission,reviewer,criterion\ns1,r1,c\n",
         "line 1: missing column 'score'; the header must name submission, reviewer, "
         "criterion, score (found: submission, reviewer, criterion)"),
        ("submission,reviewer,criterion,score\n", "line 1: there are no scores after the header"),
        ("submission,reviewer,criterion,score,score\ns,r,c,1,1\n",
         "line 1: column 'score' appears 2 times"),
        (ORA2_CSV.replace("s1,r3,grammar,5", "s1,r3,grammar,abc"),
         "line 10: score 'abc' is not a number"),
        (ORA2_CSV.replace("s1,r3,grammar,5", "s1,r3,grammar,7,5"),
         "line 10: has 5 fields, the header has 4"),
        (ORA2_CSV.replace("s1,r3,grammar,5", "s1,r3,grammar,NaN"),
         "line 10: score 'NaN' is not a finite number"),
        (ORA2_CSV.replace("s1,r3,grammar,5", "s1,r3,grammar,"),
         "line 10: score '' is not a number"),
        (ORA2_CSV.replace("s1,r2,content,9", " ,r2,content,9"), "line 6: empty submission id"),
        (ORA2_CSV.replace("s1,r2,content,9", "s1,,content,9"), "line 6: empty reviewer id"),
        (ORA2_CSV.replace("s1,r2,content,9", "s1,r2,,9"), "line 6: empty criterion id"),
        (ORA2_CSV + "s1,r2,ideas,3\n",
         "line 14: reviewer 'r2' already scored criterion 'ideas' of submission 's1' on line 3"),
        (ORA2_CSV.encode("utf-8") + b"s3,r1,ideas,\xff\n", "line 14: is not UTF-8 text"),
    ],
)  # fmt: skip
def test_malformed_input_names_the_line_and_writes_nothing(tmp_path, text, message):
    result, target = run(tmp_path, text)
    assert result.exit_code != 0
    assert f"scores.csv, {message}" in result.output
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]  # no temporary file


def test_a_failed_run_leaves_an_earlier_output_alone(tmp_path):
    target = tmp_path / "grades.csv"
    target.write_text("submission,grade\nold,1\n", encoding="utf-8")
    result, target = run(tmp_path, "submission,reviewer,criterion,score\ns,r,c,x\n")
    assert result.exit_code != 0
    assert target.read_text(encoding="utf-8") == "submission,grade\nold,1\n"


def test_an_unwritable_output_is_an_error_not_a_traceback(tmp_path):
    source = tmp_path / "scores.csv"
    source.write_text(ORA2_CSV, encoding="utf-8")
    target = tmp_path / "missing-folder" / "grades.csv"
    result = CliRunner().invoke(operator_cli, ["grade", str(source), str(target)])
    assert result.exit_code == 1
    assert "error:" in result.output and "No such file or directory" in result.output


def test_help_lists_every_method_with_its_description(tmp_path):
    result = CliRunner(env={"COLUMNS": "200"}).invoke(operator_cli, ["grade", "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    for name, method in METHODS.items():
        assert f"{name}" in flat
        assert " ".join(method.description.split()) in flat
    assert f"{DEFAULT_METHOD} (the default)" in flat


def test_interval_adds_low_and_high_columns(tmp_path: Path) -> None:
    """``--interval 0.9``: every grade with its 90 % interval, which holds the grade."""
    result, output = run(tmp_path, ORA2_CSV, "--interval", "0.9")
    assert result.exit_code == 0, result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "submission,grade,low,high"
    for line in lines[1:]:
        _, grade, low, high = line.split(",")
        assert float(low) <= float(grade) <= float(high)
    _, plain_output = run(tmp_path, ORA2_CSV)
    assert [line.split(",")[:2] for line in lines[1:]] == [
        line.split(",") for line in plain_output.read_text(encoding="utf-8").splitlines()[1:]
    ]


def test_interval_needs_a_model_method(tmp_path: Path) -> None:
    result, output = run(tmp_path, ORA2_CSV, "--interval", "0.9", "--method", "median")
    assert result.exit_code == 1
    assert "--interval needs a model-based method (model or bounded), not median" in result.output
    assert not output.exists()


def test_interval_must_be_a_probability(tmp_path: Path) -> None:
    result, _ = run(tmp_path, ORA2_CSV, "--interval", "90")
    assert result.exit_code == 2
