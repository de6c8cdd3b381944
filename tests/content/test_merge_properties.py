"""The three-way merge against an independent diff3 (the ``merge3`` package), and the
properties any three-way merge keeps, on generated texts (hypothesis).

The oracle sees each text as diff3 does: lines ending in ``"\\n"`` (CRLF lines keep their
``"\\r"``), and a last line without a newline followed by a marker line, as GNU diff writes
"\\ No newline at end of file". Adding or removing the final newline is then a change of
its own, merged like any other line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import merge3 as oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.content.merge import Conflict, MergeResult, merge3

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

#: No example database: the suite leaves nothing behind in the working tree. The number of
#: examples comes from the active profile (fewer under mutation testing, see tests/conftest.py).
SETTINGS = settings(deadline=None, database=None)

#: Few distinct lines, so that generated versions share lines and really merge; a blank
#: line, as between Markdown paragraphs; non-ASCII text.
LINES = ["Mix.", "Wait.", "", "Señal de gas", "m³ n'amase", "Mix. Wait."]
NO_EOL = None  # the oracle's marker line


class _Matcher(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """difflib without its "popular line" heuristic, as the merge under test uses it."""

    def __init__(self, isjunk: object, a: Sequence[object], b: Sequence[object]) -> None:
        super().__init__(None, a, b, autojunk=False)  # type: ignore[arg-type]


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, str, str]:
    """A base and two edits of it, all with one line ending (LF or CRLF), each with or
    without a final newline; an edit is either a few splices of the base or a new text."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    base_lines = draw(st.lists(st.sampled_from(LINES), max_size=6))

    def edited() -> list[str]:
        if draw(st.booleans()):
            return draw(st.lists(st.sampled_from(LINES), max_size=6))
        lines = list(base_lines)
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, len(lines)))
            end = draw(st.integers(start, min(start + 2, len(lines))))
            lines[start:end] = draw(st.lists(st.sampled_from(LINES), max_size=2))
        return lines

    def text(lines: list[str]) -> str:
        joined = newline.join(lines)
        return joined + newline if lines and draw(st.booleans()) else joined

    return text(base_lines), text(edited()), text(edited())


def _split(text: str) -> list[str]:
    """Lines as diff3 splits them: after each ``"\\n"``, and nowhere else."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _lines(text: str, newline: str) -> list[str | None]:
    """diff3's view of ``text``: its lines, then the marker if the last line has no newline
    (it gets ``newline``, so it matches the same line elsewhere)."""
    lines = _split(text)
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + newline, NO_EOL]
    return list(lines)


def _as_text(lines: Sequence[str | None], followed_by_marker: bool = False) -> str:
    """Lines back to text; a marker after the last line takes its newline away."""
    text = "".join(line for line in lines if line is not NO_EOL)
    if text and (followed_by_marker or (lines and lines[-1] is NO_EOL)):
        text = text.removesuffix("\n").removesuffix("\r")
    return text


def expected_merge(base: str, ours: str, theirs: str) -> MergeResult:
    """What diff3 (the merge3 package) makes of the three texts, in our result's terms:
    our side of each conflict stays in the text, and each conflict is reported as written."""
    newline = "\r\n" if "\r\n" in base + ours + theirs else "\n"
    b, o, t = (_lines(text, newline) for text in (base, ours, theirs))

    def chunk(lines: list[str | None], start: int, end: int) -> str:
        return _as_text(lines[start:end], lines[start : end + 1][-1:] == [NO_EOL])

    out: list[str | None] = []
    conflicts = []
    for region in oracle.Merge3(b, o, t, sequence_matcher=_Matcher).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += b[region[1] : region[2]]
        elif kind in ("a", "same"):
            out += o[region[1] : region[2]]
        elif kind == "b":
            out += t[region[1] : region[2]]
        else:
            _, b0, b1, o0, o1, t0, t1 = region
            conflicts.append(
                Conflict(chunk(b, b0, b1), chunk(o, o0, o1), chunk(t, t0, t1), line=len(out) + 1)
            )
            out += o[o0:o1]
    return MergeResult(text=_as_text(out), conflicts=tuple(conflicts))


@SETTINGS
@given(versions())
def test_merge_agrees_with_diff3(texts: tuple[str, str, str]) -> None:
    """Clean where diff3 is clean, with the same text; the same conflicts where it is not."""
    assert merge3(*texts) == expected_merge(*texts)


@SETTINGS
@given(versions())
def test_texts_ending_with_a_newline_merge_exactly_as_plain_diff3(
    texts: tuple[str, str, str],
) -> None:
    """With a final newline everywhere there is no marker: plain diff3 on the raw lines."""
    base, ours, theirs = (t + "\n" if t and not t.endswith("\n") else t for t in texts)
    diff3 = oracle.Merge3(_split(base), _split(ours), _split(theirs), sequence_matcher=_Matcher)
    groups = list(diff3.merge_groups())
    result = merge3(base, ours, theirs)

    assert result.clean == all(group[0] != "conflict" for group in groups)
    kept = [group[2] if group[0] == "conflict" else group[1] for group in groups]
    assert result.text == "".join(line for lines in kept for line in lines)
    assert [(c.base, c.ours, c.theirs) for c in result.conflicts] == [
        ("".join(group[1]), "".join(group[2]), "".join(group[3]))
        for group in groups
        if group[0] == "conflict"
    ]


@SETTINGS
@given(versions())
def test_one_side_unchanged_gives_the_other(texts: tuple[str, str, str]) -> None:
    base, changed, _ = texts

    assert merge3(base, changed, base) == MergeResult(text=changed)
    assert merge3(base, base, changed) == MergeResult(text=changed)


@SETTINGS
@given(versions())
def test_the_same_change_on_both_sides_is_taken_once(texts: tuple[str, str, str]) -> None:
    base, changed, _ = texts

    assert merge3(base, changed, changed) == MergeResult(text=changed)


@SETTINGS
@given(versions())
def test_swapping_sides_swaps_the_conflicts(texts: tuple[str, str, str]) -> None:
    base, ours, theirs = texts
    forward, backward = merge3(base, ours, theirs), merge3(base, theirs, ours)

    assert forward.clean == backward.clean
    if forward.clean:
        assert forward.text == backward.text
    assert [(c.base, c.ours, c.theirs) for c in forward.conflicts] == [
        (c.base, c.theirs, c.ours) for c in backward.conflicts
    ]


@SETTINGS
@given(versions())
def test_each_conflict_points_at_our_side_in_the_merged_text(texts: tuple[str, str, str]) -> None:
    result = merge3(*texts)
    lines = result.text.splitlines(keepends=True)

    for conflict in result.conflicts:
        at = "".join(lines[conflict.line - 1 :])
        assert at.startswith(conflict.ours)
