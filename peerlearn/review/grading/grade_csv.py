"""``flask peerlearn grade INPUT.csv OUTPUT.csv``: re-grade exported scores offline.

An operator's tool for checking a course's grades, comparing methods, or grading scores
collected elsewhere (a paper rubric, another platform). It uses exactly the functions the
platform grades with (:func:`peerlearn.review.grading.grading.grade`), with weight 1 for every
criterion and each criterion's range taken from the data, so the file needs nothing but
the scores.

Input: UTF-8 CSV (a byte order mark is fine) whose header names the columns
``submission``, ``reviewer``, ``criterion`` and ``score``, in any order; other columns are
ignored, so an export with timestamps or names can be fed as it is. One row per score;
ids are text (surrounding spaces dropped), a score is a decimal number with a point.
Blank lines are skipped.

Output: ``submission,grade``, one row per submission, sorted by submission id as text; the
grade is the sum of the criterion grades with at most two decimals (``20``, ``7.5``). With
``--interval 0.9`` (model-based methods only) two more columns, ``low,high``: the grade's
90 % credible interval, within the scale.

The first problem found stops the command with the file and line it is on and a non-zero
exit. The output is written to a temporary file beside it and renamed only when complete,
so a failed run never leaves a half-written or stale-looking grade file.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from peerlearn.review.grading.grading import (
    DEFAULT_METHOD,
    INTERVAL_METHODS,
    METHODS,
    Grading,
    GradingError,
    Score,
    grade,
)

COLUMNS = ("submission", "reviewer", "criterion", "score")
OUTPUT_HEADER = ("submission", "grade")
INTERVAL_HEADER = ("low", "high")


class InputError(Exception):
    """A problem in the input file, with the line it is on."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}")


def read_scores(path: Path) -> list[Score]:
    """Every score of the CSV file at ``path``; raises :class:`InputError` on the first
    malformed line (missing column, empty id, score that is not a number, duplicate)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, line, "is not UTF-8 text; save the file as UTF-8") from None
    if not text.strip():
        raise InputError(path, 1, f"the file is empty; expected the header {','.join(COLUMNS)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
        positions = _positions(path, header)
        scores: list[Score] = []
        first_line: dict[tuple[str, str, str], int] = {}
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                scores.append(_score(path, line, row, len(header), positions, first_line))
            line = reader.line_num + 1
    except csv.Error as error:
        raise InputError(path, reader.line_num, f"not valid CSV ({error})") from None
    if not scores:
        raise InputError(path, 1, "there are no scores after the header")
    return scores


def _positions(path: Path, header: list[str]) -> dict[str, int]:
    positions = {}
    for column in COLUMNS:
        found = [i for i, name in enumerate(header) if name == column]
        if not found:
            raise InputError(
                path, 1,
                f"missing column '{column}'; the header must name "
                f"{', '.join(COLUMNS)} (found: {', '.join(header) or 'nothing'})",
            )  # fmt: skip
        if len(found) > 1:
            raise InputError(path, 1, f"column '{column}' appears {len(found)} times")
        positions[column] = found[0]
    return positions


def _score(
    path: Path,
    line: int,
    row: list[str],
    width: int,
    positions: dict[str, int],
    first_line: dict[tuple[str, str, str], int],
) -> Score:
    if len(row) != width:
        raise InputError(path, line, f"has {len(row)} fields, the header has {width}")
    submission, reviewer, criterion, text = (row[positions[c]].strip() for c in COLUMNS)
    for column, value in zip(COLUMNS[:3], (submission, reviewer, criterion), strict=True):
        if not value:
            raise InputError(path, line, f"empty {column} id")
    try:
        points = Decimal(text)
    except InvalidOperation:
        raise InputError(path, line, f"score '{text}' is not a number") from None
    if not points.is_finite():
        raise InputError(path, line, f"score '{text}' is not a finite number")
    key = (submission, reviewer, criterion)
    if key in first_line:
        raise InputError(
            path, line,
            f"reviewer '{reviewer}' already scored criterion '{criterion}' of submission "
            f"'{submission}' on line {first_line[key]}",
        )  # fmt: skip
    first_line[key] = line
    return Score(submission, reviewer, criterion, points)


def write_grades(grading: Grading, path: Path, interval: bool = False) -> None:
    """Write ``submission,grade`` rows (with ``interval``, ``low,high`` too) to ``path``
    all at once: to a temporary file in the same folder, then renamed over ``path`` (a
    rename within a folder is atomic)."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.",
        suffix=".tmp", delete=False,
    )  # fmt: skip
    try:
        with handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OUTPUT_HEADER + (INTERVAL_HEADER if interval else ()))
            for submission, result in sorted(grading.results.items()):
                row = [submission, format_grade(result.total)]
                if interval:
                    assert result.low is not None and result.high is not None
                    row += [format_grade(result.low), format_grade(result.high)]
                writer.writerow(row)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def format_grade(total: Decimal) -> str:
    """``20.00`` as ``20``, ``7.50`` as ``7.5``: a plain decimal, never an exponent."""
    return f"{total.normalize():f}"


def _methods_help() -> str:
    lines = ["Methods (--method):"]
    for name, method in METHODS.items():
        default = " (the default)" if name == DEFAULT_METHOD else ""
        lines.append(f"{name}{default}: {method.description}")
    # Each method its own paragraph, so click wraps them one by one.
    return "\n\n".join(lines)


@click.command("grade", epilog=_methods_help())
@click.argument(
    "input_path", metavar="INPUT.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.argument(
    "output_path", metavar="OUTPUT.csv", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--method",
    type=click.Choice(list(METHODS)),
    default=DEFAULT_METHOD,
    show_default=True,
    help="How the reviewers' scores become a grade (see below).",
)
@click.option(
    "--interval",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    metavar="P",
    help="Also write each grade's credible interval of probability P (e.g. 0.9) as "
    "columns low,high (model and bounded only).",
)
def grade_command(input_path: Path, output_path: Path, method: str, interval: float | None) -> None:
    """Re-grade the scores in INPUT.csv and write the grades to OUTPUT.csv.

    INPUT.csv: a header naming the columns submission, reviewer, criterion and score (any
    order; other columns are ignored), then one row per score. OUTPUT.csv: submission,grade
    for every submission with a score, sorted by submission id; the grade is the sum over
    the criteria, each weighted 1 and ranging from the lowest to the highest score seen.

    Nothing is written unless the whole input is valid.
    """
    if interval is not None and method not in INTERVAL_METHODS:
        _fail(f"--interval needs a model-based method (model or bounded), not {method}")
    try:
        # Without --interval, grades only: intervals and explanations cost a third more.
        grading = grade(read_scores(input_path), method, interval=interval)
        write_grades(grading, output_path, interval is not None)
    except (InputError, GradingError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.filename or output_path}: {error.strerror or error}")
    count = len(grading.results)
    plural = "" if count == 1 else "s"
    click.echo(f"{count} submission{plural} graded ({method}) into {output_path}")


def register_grade_command(group: click.Group) -> None:
    """Add ``grade`` to ``group`` (the ``flask peerlearn`` group). It needs no app context:
    it reads and writes files only."""
    group.add_command(grade_command)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
