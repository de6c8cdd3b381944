"""Three-way merge of module text, so that a stale edit is merged instead of lost.

An edit carries the revision it started from (its *base*). When someone else saved a newer
revision in the meantime (*theirs*), the editor's text (*ours*) is merged line by line with
the classic diff3 rule: where only one side changed a region, that change wins; where both
made the same change, it is taken once; where both changed it differently, it is an edit
conflict that a person has to resolve. The same rule lets a fork pull upstream changes.

Markdown keeps a paragraph on one line or a few, so lines are the natural unit: two people
fixing different paragraphs merge cleanly, two people rewording the same sentence do not.
Edits to *adjacent* lines also conflict, as in GNU diff3 and git: nothing unchanged is left
between them to show where one edit ends and the other begins.

Pure: no Flask, no database. The caller decides what to store and what to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Conflict", "MergeResult", "merge3", "merge_titles"]


@dataclass(frozen=True)
class Conflict:
    """One region both sides changed differently, as text, for the conflict page.

    ``line`` is the 1-based line in :attr:`MergeResult.text` where our side of the region
    starts; when our side deleted the region it is the line that now follows the gap (one
    past the last line if the gap is at the end).
    """

    base: str
    ours: str
    theirs: str
    line: int


@dataclass(frozen=True)
class MergeResult:
    """The merged text and the conflicts left in it.

    Where there are conflicts, ``text`` holds our side of each, so the editor's own words are
    never dropped; the page shows ``conflicts`` next to it for the person to resolve.
    """

    text: str
    conflicts: tuple[Conflict, ...] = ()

    @property
    def clean(self) -> bool:
        """True when the merge needed no human decision and ``text`` can be saved as is."""
        return not self.conflicts


#: Stands after the last line of a text that does not end with a line ending, like GNU
#: diff's "\\ No newline at end of file". It is merged like any line, so adding or
#: removing the final newline is a change of its own: the side that made it wins, and it
#: never makes an edit of the last line conflict with an edit next to it. No real line is
#: empty (each keeps its ending), so the marker cannot match one.
_NO_EOL = ""


@dataclass(frozen=True)
class _Side:
    """A text as lines for matching, each with its line ending.

    A last line without an ending gets ``ending`` added for matching (``"b"`` at the end of
    one version and ``"b\\n"`` in the middle of another are the same line to a reader) and
    is followed by :data:`_NO_EOL`; the added ending is removed again when the text is put
    back together.
    """

    lines: list[str]
    ending: str

    def text(self, start: int, end: int) -> str:
        """The original text of lines ``start:end``, without the added ending if at the end."""
        chunk = "".join(self.lines[start:end])
        if chunk and self.lines[start : end + 1][-1] == _NO_EOL:
            chunk = chunk[: -len(self.ending)]
        return chunk


def _first_ending(*texts: str) -> str:
    """The line ending of the first line that has one in any of ``texts``, else ``"\\n"``.

    Used for the ending added to a last line that has none, so a CRLF text still matches
    its CRLF lines. As in diff3, only ``"\\n"`` ends a line; a ``"\\r"`` before it makes
    the ending CRLF.
    """
    for text in texts:
        line, newline, _ = text.partition("\n")
        if newline:
            return "\r\n" if line.endswith("\r") else "\n"
    return "\n"


def _side(text: str, ending: str) -> _Side:
    """Split ``text`` into lines after each ``"\\n"`` (as diff3 does, unlike ``splitlines``,
    which would also split at a form feed or a lone ``"\\r"`` inside a line)."""
    lines = text.split("\n")
    last = lines.pop()
    lines = [line + "\n" for line in lines]
    if last:
        lines += [last + ending, _NO_EOL]
    return _Side(lines, ending)


def _sync_regions(
    base: list[str], ours: list[str], theirs: list[str]
) -> list[tuple[int, int, int, int]]:
    """Base ranges that both sides kept unchanged, as ``(base_start, base_end, ours_start,
    theirs_start)``, ending with an empty region at the end of all three texts.

    These are the intersections of the base↔ours and base↔theirs matching blocks; between
    two consecutive regions lies a chunk that at least one side changed.
    """
    with_ours = SequenceMatcher(None, base, ours, autojunk=False).get_matching_blocks()
    with_theirs = SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    # Both lists end with the same empty block at the end of base, so ``i`` never passes
    # the end of ``with_ours`` before ``j`` reaches the end of ``with_theirs``.
    while j < len(with_theirs):
        o, t = with_ours[i], with_theirs[j]
        start = max(o.a, t.a)
        end = min(o.a + o.size, t.a + t.size)
        if start < end:
            regions.append((start, end, o.b + start - o.a, t.b + start - t.a))
        # Advance whichever block ends first; the other may still overlap the next one.
        if o.a + o.size < t.a + t.size:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(ours), len(theirs)))
    return regions


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge ``ours`` and ``theirs``, two edits of ``base``, line by line (diff3).

    Line endings pass through unchanged (CRLF stays CRLF). Whether the merged text ends with
    a line ending follows the same rule as the lines: the side that changed it wins.
    """
    ending = _first_ending(base, ours, theirs)
    b, o, t = _side(base, ending), _side(ours, ending), _side(theirs, ending)

    out: list[str] = []
    conflicts: list[Conflict] = []
    b0 = o0 = t0 = 0
    for b_start, b_end, o_start, t_start in _sync_regions(b.lines, o.lines, t.lines):
        base_chunk = b.lines[b0:b_start]
        ours_chunk = o.lines[o0:o_start]
        theirs_chunk = t.lines[t0:t_start]
        if ours_chunk == base_chunk:
            out.extend(theirs_chunk)
        elif theirs_chunk == base_chunk or ours_chunk == theirs_chunk:
            out.extend(ours_chunk)
        else:
            conflicts.append(
                Conflict(
                    base=b.text(b0, b_start),
                    ours=o.text(o0, o_start),
                    theirs=t.text(t0, t_start),
                    line=len(out) + 1,
                )
            )
            out.extend(ours_chunk)
        out.extend(b.lines[b_start:b_end])
        size = b_end - b_start
        b0, o0, t0 = b_end, o_start + size, t_start + size

    text = "".join(out)
    if out[-1:] == [_NO_EOL]:
        text = text[: -len(ending)]
    return MergeResult(text=text, conflicts=tuple(conflicts))


def merge_titles(base: str, ours: str, theirs: str) -> str | None:
    """Merge a one-line title by the same rule as :func:`merge3`.

    Returns the merged title, or ``None`` when both sides changed it to different titles
    and a person has to choose.
    """
    if ours == base:
        return theirs
    if theirs in (base, ours):
        return ours
    return None
