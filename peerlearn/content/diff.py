"""Readable differences between two versions of module text, for history and conflict pages.

Pages are read on phones, so changes are shown inline, word by word, rather than side by
side: :func:`word_diff` for a short text (a title, a conflicting paragraph),
:func:`line_diff_blocks` for a whole module, where only the changed lines and a little
context are shown, and :func:`diff_stats` for the "+12 -3" of a history list.

This module only says *what* changed. Turning segments into HTML is the template's job: it
escapes ``Segment.text`` and wraps inserts and deletes in ``<ins>`` and ``<del>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "DiffBlock",
    "DiffLine",
    "Segment",
    "diff_stats",
    "line_diff_blocks",
    "tokenize",
    "word_diff",
]

_Opcodes = Sequence[tuple[str, int, int, int, int]]
SegmentOp = Literal["equal", "insert", "delete"]
LineOp = Literal["equal", "insert", "delete", "replace"]

# Combining marks count as part of a word, so a decomposed "ñ" (n + U+0303) does not split
# "señal" in two. An apostrophe between letters joins them ("n'abana", "ch'aki"): in
# Kinyarwanda and Quechua it is part of the word, and a changed word should read as one.
_WORD_CHAR = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_APOSTROPHES = "'\u2019"  # ASCII and typographic
_TOKEN = re.compile(rf"{_WORD_CHAR}+(?:[{_APOSTROPHES}]{_WORD_CHAR}+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w")

#: Above this many old x new line pairs in one changed region, lines are paired by position
#: instead of by best similarity, to keep a rewritten module from costing seconds.
_PAIRING_BUDGET = 2_500
#: Above this many old x new token pairs in one changed region, the region is shown as
#: deleted and re-inserted whole: word matching there would cost seconds and show noise.
_TOKEN_BUDGET = 1_000_000
#: How similar (0..1, over words) two lines must be to be shown as one edited line.
_SIMILAR = 0.5


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged, inserted or deleted."""

    op: SegmentOp
    text: str


@dataclass(frozen=True)
class DiffLine:
    """One displayed line.

    ``equal``, ``insert`` and ``delete`` lines carry one segment with the whole line;
    a ``replace`` line is an old line and its edited version shown as one line with
    word-level segments. An empty line has no segments; ``op`` still says what happened.
    """

    op: LineOp
    segments: list[Segment]


@dataclass(frozen=True)
class DiffBlock:
    """A group of changed lines with unchanged context around them.

    ``old_start`` and ``new_start`` are the 1-based line numbers where the block starts in
    the old and new text. ``skipped_before`` is how many unchanged lines are hidden before
    the block (since the previous block, or the start); ``skipped_after`` is only set on
    the last block and counts the hidden unchanged lines at the end.
    """

    old_start: int
    new_start: int
    lines: list[DiffLine]
    skipped_before: int = 0
    skipped_after: int = 0


def tokenize(text: str) -> list[str]:
    """Split ``text`` into words, whitespace runs and single punctuation characters.

    Joining the tokens gives back ``text`` exactly.
    """
    return _TOKEN.findall(text)


def _is_word(token: str) -> bool:
    return _WORD.search(token) is not None


def _token_opcodes(old: list[str], new: list[str]) -> _Opcodes:
    return SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def _is_blank(line: str) -> bool:
    return not line.strip()


def _line_opcodes(old: list[str], new: list[str]) -> _Opcodes:
    """Line-level opcodes where blank lines cannot anchor a match on their own.

    Markdown puts a blank line between paragraphs; left as anchors they pair up the
    wrong paragraphs ("insert End., equal blank, delete End."). As difflib "junk" they
    still join a match next to them, so they are rarely shown as changed.
    """
    matcher = SequenceMatcher(_is_blank, old, new, autojunk=False)
    return matcher.get_opcodes()


def word_diff(old: str, new: str) -> list[Segment]:
    """The word-level difference from ``old`` to ``new`` as inline segments.

    Equal and delete segments concatenated give ``old``; equal and insert segments give
    ``new``. Adjacent segments never share an op, and a delete comes before the insert
    that replaces it. A single space (or other whitespace within a line) left unchanged
    between two changes is folded into them, so a reworded phrase reads as
    "<del>quick brown</del><ins>slow red</ins>" rather than as alternating words.

    Unchanged lines are matched first and words are compared only within the changed
    regions between them: that keeps a long text cheap, and keeps a change from being
    explained with words borrowed from a distant paragraph. A changed region of more than
    about a thousand words on each side is shown as deleted and inserted whole.
    """
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in _line_opcodes(old_lines, new_lines):
        if tag == "equal":
            raw.append(Segment("equal", "".join(old_lines[i1:i2])))
            continue
        a = tokenize("".join(old_lines[i1:i2]))
        b = tokenize("".join(new_lines[j1:j2]))
        if len(a) * len(b) > _TOKEN_BUDGET:
            raw += [Segment("delete", "".join(a)), Segment("insert", "".join(b))]
            continue
        for word_tag, k1, k2, m1, m2 in _token_opcodes(a, b):
            if word_tag == "equal":
                raw.append(Segment("equal", "".join(a[k1:k2])))
                continue
            if k2 > k1:
                raw.append(Segment("delete", "".join(a[k1:k2])))
            if m2 > m1:
                raw.append(Segment("insert", "".join(b[m1:m2])))
    return _fold(raw)


def _fold(raw: list[Segment]) -> list[Segment]:
    """Merge neighbouring equal runs, and neighbouring changes into one delete followed by
    one insert.

    Changes separated only by whitespace without a line break are merged too (the
    whitespace is then part of both the delete and the insert, which keeps the
    reconstruction of both texts exact).
    """
    out: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(Segment("delete", "".join(deleted)))
        if inserted:
            out.append(Segment("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, segment in enumerate(raw):
        if segment.op == "delete":
            deleted.append(segment.text)
        elif segment.op == "insert":
            inserted.append(segment.text)
        elif (
            (deleted or inserted)
            and index + 1 < len(raw)
            and raw[index + 1].op != "equal"
            and segment.text.isspace()
            and "\n" not in segment.text
            and "\r" not in segment.text
        ):
            deleted.append(segment.text)
            inserted.append(segment.text)
        else:
            flush()
            if out and out[-1].op == "equal":
                out[-1] = Segment("equal", out[-1].text + segment.text)
            else:
                out.append(segment)
    flush()
    return out


def _whole(op: LineOp, line: str) -> DiffLine:
    segment_op: SegmentOp = "insert" if op == "insert" else "delete" if op == "delete" else "equal"
    return DiffLine(op, [Segment(segment_op, line)] if line else [])


def _edited(old_line: str, new_line: str) -> DiffLine:
    if old_line == new_line:
        return _whole("equal", old_line)
    return DiffLine("replace", word_diff(old_line, new_line))


def _similarity(old_words: list[str], new_words: list[str]) -> float:
    return SequenceMatcher(None, old_words, new_words, autojunk=False).ratio()


def _pair_lines(old: list[str], new: list[str]) -> list[DiffLine]:
    """Show a region of changed lines, pairing each old line with its edited version.

    An old line is paired with the most similar later new line (at least half its words in
    common); new lines passed over are inserts, unpaired old lines deletes. This keeps an
    added paragraph in front of an edited one from hiding the edit.
    """
    old_words = [[t for t in tokenize(line) if not t.isspace()] for line in old]
    new_words = [[t for t in tokenize(line) if not t.isspace()] for line in new]
    by_position = len(old) * len(new) > _PAIRING_BUDGET
    out: list[DiffLine] = []
    next_new = 0
    for i, line in enumerate(old):
        candidates = range(next_new, min(next_new + 1, len(new)) if by_position else len(new))
        best, best_score = -1, _SIMILAR
        for j in candidates:
            score = _similarity(old_words[i], new_words[j])
            if score >= best_score and (best < 0 or score > best_score):
                best, best_score = j, score
        if best < 0:
            out.append(_whole("delete", line))
            continue
        out.extend(_whole("insert", added) for added in new[next_new:best])
        out.append(_edited(line, new[best]))
        next_new = best + 1
    out.extend(_whole("insert", added) for added in new[next_new:])
    return out


def _all_lines(old: list[str], new: list[str]) -> list[tuple[int, int, DiffLine]]:
    """Every displayed line, with the 0-based old and new line numbers where it stands."""
    rows: list[tuple[int, int, DiffLine]] = []
    for tag, i1, i2, j1, j2 in _line_opcodes(old, new):
        if tag == "equal":
            rows.extend((i1 + k, j1 + k, _whole("equal", old[i1 + k])) for k in range(i2 - i1))
            continue
        i, j = i1, j1
        for line in _pair_lines(old[i1:i2], new[j1:j2]):
            rows.append((i, j, line))
            if line.op != "insert":
                i += 1
            if line.op != "delete":
                j += 1
    return rows


def line_diff_blocks(old: str, new: str, context: int = 2) -> list[DiffBlock]:
    """The changed lines of a long text, grouped with ``context`` unchanged lines around them.

    Lines are compared without their line endings, so a changed line ending alone is not
    shown. Unchanged runs between changes are hidden and counted in the blocks'
    ``skipped_before``/``skipped_after``, except that a single hidden line is shown
    instead: "1 unchanged line" takes as much room as the line. Identical texts give
    no blocks.
    """
    if context < 0:
        raise ValueError("context must not be negative")
    rows = _all_lines(old.splitlines(), new.splitlines())
    changed = [k for k, (_, _, line) in enumerate(rows) if line.op != "equal"]
    if not changed:
        return []

    spans: list[list[int]] = []
    for k in changed:
        start, end = max(k - context, 0), min(k + context + 1, len(rows))
        if spans and start <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    if spans[0][0] == 1:
        spans[0][0] = 0
    if spans[-1][1] == len(rows) - 1:
        spans[-1][1] = len(rows)

    blocks: list[DiffBlock] = []
    previous_end = 0
    for start, end in spans:
        old_line, new_line, _ = rows[start]
        blocks.append(
            DiffBlock(
                old_start=old_line + 1,
                new_start=new_line + 1,
                lines=[line for _, _, line in rows[start:end]],
                skipped_before=start - previous_end,
            )
        )
        previous_end = end
    last = blocks[-1]
    blocks[-1] = DiffBlock(
        last.old_start, last.new_start, last.lines, last.skipped_before, len(rows) - previous_end
    )
    return blocks


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """Words added and words removed from ``old`` to ``new``, for "+12 -3" in history lists.

    Counted on the same line pairing as :func:`line_diff_blocks`, so it stays cheap for a
    whole module even when most of it was rewritten. A token counts as a word if it has a
    letter or digit; a change of punctuation or spacing alone counts as nothing.
    """
    added = removed = 0
    for _, _, line in _all_lines(old.splitlines(), new.splitlines()):
        for segment in line.segments:
            words = sum(1 for token in tokenize(segment.text) if _is_word(token))
            if segment.op == "insert":
                added += words
            elif segment.op == "delete":
                removed += words
    return added, removed
