"""Readable inline differences for the history and conflict pages."""

from __future__ import annotations

import itertools
import random

import pytest

from peerlearn.content.diff import (
    DiffBlock,
    DiffLine,
    Segment,
    diff_stats,
    line_diff_blocks,
    tokenize,
    word_diff,
)

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py


def old_side(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments if s.op != "insert")


def new_side(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments if s.op != "delete")


PAIRS = [
    ("", ""),
    ("", "Nuevo texto."),
    ("Old text.", ""),
    ("The quick brown fox.", "The slow red fox!"),
    (
        "La señal de presión baja cuando el biodigestor pierde gas.",
        "La señal de presión sube cuando el biodigestor produce más biogás.",
    ),
    (
        "Ubwinshi bwa gaze buterwa n'ubushyuhe n'amase y'inka.",
        "Ubwinshi bwa biyogaze buterwa n'ubushyuhe bw'ahantu n'amase y'inka.",
    ),
    ("Volumen: 2 m³ de gas, 40 °C.", "Volumen: 2,5 m³ de gas, 35 °C."),
    ("Line one.\r\nLine two.\r\n\r\n- item", "Line one!\r\nLine 2.\r\n\r\n- item\r\n- more"),
    ("seña\u0303l decomposed", "sen\u0303al decomposed"),
    ("Emoji 🔥 and tabs\tand  double  spaces", "Emoji 🔥🔥 and tabs\t\tand double spaces"),
]


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_segments_rebuild_both_texts(old: str, new: str) -> None:
    segments = word_diff(old, new)

    assert old_side(segments) == old
    assert new_side(segments) == new
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in itertools.pairwise(segments))


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_segments_rebuild_both_texts_in_reverse(old: str, new: str) -> None:
    segments = word_diff(new, old)

    assert old_side(segments) == new
    assert new_side(segments) == old


def test_identical_texts_give_one_equal_segment() -> None:
    text = "Mezcle el estiércol con agua.\n\nAmazi n'amase.\n"

    assert word_diff(text, text) == [Segment("equal", text)]
    assert word_diff("", "") == []


def test_replacing_one_word_deletes_and_inserts_just_that_word() -> None:
    segments = word_diff("Mix the manure with water.", "Mix the dung with water.")

    assert segments == [
        Segment("equal", "Mix the "),
        Segment("delete", "manure"),
        Segment("insert", "dung"),
        Segment("equal", " with water."),
    ]


def test_unicode_words_stay_whole() -> None:
    assert tokenize("señal m³ n'amase") == ["señal", " ", "m³", " ", "n'amase"]
    assert tokenize("sen\u0303al") == ["sen\u0303al"]
    assert word_diff("la señal", "la senal") == [
        Segment("equal", "la "),
        Segment("delete", "señal"),
        Segment("insert", "senal"),
    ]
    assert word_diff("2 m³", "2 m²") == [
        Segment("equal", "2 "),
        Segment("delete", "m³"),
        Segment("insert", "m²"),
    ]


def test_a_reworded_phrase_reads_as_one_change() -> None:
    segments = word_diff("The quick brown fox.", "The slow red fox.")

    assert segments == [
        Segment("equal", "The "),
        Segment("delete", "quick brown"),
        Segment("insert", "slow red"),
        Segment("equal", " fox."),
    ]


def test_changes_on_different_lines_stay_apart() -> None:
    segments = word_diff("one\ntwo", "uno\ndos")

    assert segments == [
        Segment("delete", "one"),
        Segment("insert", "uno"),
        Segment("equal", "\n"),
        Segment("delete", "two"),
        Segment("insert", "dos"),
    ]


def test_pure_insertion_and_deletion() -> None:
    assert word_diff("Check the pressure.", "Check the gas pressure.") == [
        Segment("equal", "Check the "),
        Segment("insert", "gas "),
        Segment("equal", "pressure."),
    ]
    assert word_diff("Check the gas pressure.", "Check the pressure.") == [
        Segment("equal", "Check the "),
        Segment("delete", "gas "),
        Segment("equal", "pressure."),
    ]


def numbered(count: int, prefix: str = "Line") -> list[str]:
    return [f"{prefix} {i}." for i in range(1, count + 1)]


def test_line_blocks_show_context_and_count_skipped_lines() -> None:
    old_lines = numbered(30)
    new_lines = list(old_lines)
    new_lines[9] = "Line 10, edited."  # line 10
    new_lines[24] = "Line 25, edited."  # line 25

    blocks = line_diff_blocks("\n".join(old_lines), "\n".join(new_lines), context=2)

    assert [(b.old_start, b.new_start, b.skipped_before, b.skipped_after) for b in blocks] == [
        (8, 8, 7, 0),
        (23, 23, 10, 3),
    ]
    first = blocks[0]
    assert [line.op for line in first.lines] == ["equal", "equal", "replace", "equal", "equal"]
    assert first.lines[0] == DiffLine("equal", [Segment("equal", "Line 8.")])
    assert first.lines[2] == DiffLine(
        "replace",
        [Segment("equal", "Line 10"), Segment("insert", ", edited"), Segment("equal", ".")],
    )
    shown = sum(len(b.lines) for b in blocks)
    hidden = sum(b.skipped_before + b.skipped_after for b in blocks)
    assert shown + hidden == 30


def test_line_blocks_close_together_are_joined() -> None:
    old_lines = numbered(14)
    new_lines = list(old_lines)
    new_lines[4] = "Changed 5."
    new_lines[9] = "Changed 10."

    (block,) = line_diff_blocks("\n".join(old_lines), "\n".join(new_lines), context=2)

    # Lines 6 to 8 are context for both changes, so nothing is hidden between them.
    assert (block.old_start, block.new_start) == (3, 3)
    assert len(block.lines) == 10
    assert (block.skipped_before, block.skipped_after) == (2, 2)


def test_a_single_hidden_line_is_shown_instead() -> None:
    old_lines = numbered(10)
    new_lines = list(old_lines)
    new_lines[3] = "Changed 4."

    (block,) = line_diff_blocks("\n".join(old_lines), "\n".join(new_lines), context=2)

    # Line 1 would be the only hidden line before the block, so it is shown.
    assert block.old_start == 1
    assert block.skipped_before == 0
    assert block.skipped_after == 4


def test_inserted_and_deleted_lines_are_whole_lines() -> None:
    old = "# Title\n\nKeep this.\n\nDrop this paragraph entirely.\n\nEnd.\n"
    new = "# Title\n\nKeep this.\n\nEnd.\n\nA brand new closing paragraph.\n"

    blocks = line_diff_blocks(old, new, context=0)

    lines = [line for block in blocks for line in block.lines]
    assert DiffLine("delete", [Segment("delete", "Drop this paragraph entirely.")]) in lines
    assert DiffLine("insert", [Segment("insert", "A brand new closing paragraph.")]) in lines
    # The deleted paragraph and its blank line, then the added ones; "End." between them
    # is shown rather than hidden as "1 unchanged line".
    assert [line.op for line in lines] == ["delete", "delete", "equal", "insert", "insert"]
    assert lines[2] == DiffLine("equal", [Segment("equal", "End.")])


def test_edited_paragraph_after_an_inserted_one_is_still_shown_word_by_word() -> None:
    old = "Intro.\n\nMix the manure with water.\n\nEnd.\n"
    new = "Intro.\n\nA new paragraph here.\n\nMix the fresh manure with water.\n\nEnd.\n"

    lines = [line for block in line_diff_blocks(old, new) for line in block.lines]

    assert DiffLine("insert", [Segment("insert", "A new paragraph here.")]) in lines
    (edited,) = [line for line in lines if line.op == "replace"]
    assert old_side(edited.segments) == "Mix the manure with water."
    assert new_side(edited.segments) == "Mix the fresh manure with water."
    assert [s.text.strip() for s in edited.segments if s.op != "equal"] == ["fresh"]


def test_line_blocks_rebuild_the_shown_lines() -> None:
    old = "Uno.\nDos.\nTres.\nCuatro.\nCinco.\nSeis.\n"
    new = "Uno.\nDos y medio.\nTres.\nNuevo.\nCinco.\nSeis.\nSiete.\n"
    old_lines, new_lines = old.splitlines(), new.splitlines()

    for block in line_diff_blocks(old, new, context=1):
        shown_old = [old_side(line.segments) for line in block.lines if line.op != "insert"]
        shown_new = [new_side(line.segments) for line in block.lines if line.op != "delete"]
        start_old, start_new = block.old_start - 1, block.new_start - 1
        assert shown_old == old_lines[start_old : start_old + len(shown_old)]
        assert shown_new == new_lines[start_new : start_new + len(shown_new)]


def test_identical_texts_have_no_blocks() -> None:
    assert line_diff_blocks("Same.\n", "Same.\n") == []
    assert line_diff_blocks("", "") == []


def test_blocks_from_empty_texts() -> None:
    assert line_diff_blocks("", "One.\nTwo.") == [
        DiffBlock(
            old_start=1,
            new_start=1,
            lines=[
                DiffLine("insert", [Segment("insert", "One.")]),
                DiffLine("insert", [Segment("insert", "Two.")]),
            ],
        )
    ]


def test_negative_context_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^context must not be negative$"):
        line_diff_blocks("a", "b", context=-1)


def test_diff_stats_counts_words_added_and_removed() -> None:
    old = "Mix the manure with water.\n\nWait ten days.\n"
    new = "Mix the fresh cow manure with clean water.\n\nWait.\n"

    assert diff_stats(old, new) == (3, 2)  # +fresh cow clean, -ten days
    assert diff_stats(new, old) == (2, 3)
    assert diff_stats(old, old) == (0, 0)
    assert diff_stats("", "Señal de gas: 2 m³.") == (5, 0)
    assert diff_stats("Hello.", "Hello!") == (0, 0)


def test_random_multiline_edits_rebuild_both_texts() -> None:
    rng = random.Random(7)
    vocabulary = ["señal", "m³", "n'amase", "gas", "agua", ",", ".", " ", "  ", "\n", "\n\n"]
    for _ in range(200):
        old = "".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 40)))
        tokens = tokenize(old)
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(tokens))
            tokens[at : at + rng.randint(0, 2)] = rng.choices(vocabulary, k=rng.randint(0, 3))
        new = "".join(tokens)

        segments = word_diff(old, new)

        assert (old_side(segments), new_side(segments)) == (old, new)
        assert all(a.op != b.op for a, b in itertools.pairwise(segments))


def test_a_huge_rewrite_is_shown_as_deleted_and_inserted_whole() -> None:
    old = " ".join(f"word{i}" for i in range(1500))
    new = " ".join(f"other{i}" for i in range(1500))

    assert word_diff(old, new) == [Segment("delete", old), Segment("insert", new)]


def ops(old: str, new: str, context: int = 0) -> list[str]:
    return [line.op for block in line_diff_blocks(old, new, context) for line in block.lines]


def test_a_blank_line_inside_a_rewritten_region_is_shown_unchanged() -> None:
    blocks = line_diff_blocks("A one.\n\nB two.", "A uno.\n\nB dos.")

    assert [line.op for line in blocks[0].lines] == ["replace", "equal", "replace"]
    assert blocks[0].lines[1] == DiffLine("equal", [])


def test_a_very_long_line_of_repeated_words_is_still_shown_as_edited() -> None:
    old = " ".join(["gas"] * 250) + " end"

    assert ops(old, old + " more") == ["replace"]


def test_a_line_unlike_any_other_is_deleted_and_inserted_not_edited() -> None:
    assert ops("Mix the manure.", "Wear gloves.") == ["delete", "insert"]


def test_a_line_equally_like_two_new_lines_is_paired_with_the_first() -> None:
    old = "Mix the manure with water."
    new = "Mix the manure with rain water.\nMix the manure with well water."

    assert ops(old, new) == ["replace", "insert"]


def test_a_region_of_2500_line_pairs_is_still_paired_by_similarity() -> None:
    old = [f"Step {i}: mix the manure." for i in range(50)]
    new = ["Wear gloves."] + [f"Step {i}: mix the fresh manure." for i in range(49)]

    assert ops("\n".join(old), "\n".join(new)) == ["insert", *["replace"] * 49, "delete"]


def test_a_larger_region_is_paired_by_position() -> None:
    # Past the budget each old line is only compared with the next new line: an inserted
    # line at the top then no longer lets the edits below it be found.
    old = [f"Step {i}: mix the manure." for i in range(50)]
    new = ["Wear gloves."] + [f"Step {i}: mix the fresh manure." for i in range(50)]

    assert ops("\n".join(old), "\n".join(new)) == ["delete"] * 50 + ["insert"] * 51


def test_by_position_an_old_line_is_never_paired_with_a_new_line_already_used() -> None:
    old = [f"Line {i}: mix" for i in range(60)]
    new = ["Line 1: mix!"] + [f"Line {i}: stir" for i in range(1, 60)]

    lines = [
        line
        for block in line_diff_blocks("\n".join(old), "\n".join(new), 0)
        for line in block.lines
    ]

    assert [line.op for line in lines] == ["replace"] * 60
    assert [new_side(line.segments) for line in lines] == new


def test_default_context_is_two_lines() -> None:
    old_lines = numbered(20)
    new_lines = list(old_lines)
    new_lines[9] = "Changed 10."

    (block,) = line_diff_blocks("\n".join(old_lines), "\n".join(new_lines))

    assert (block.old_start, len(block.lines), block.skipped_before, block.skipped_after) == (
        8, 5, 7, 8,
    )  # fmt: skip


def test_two_hidden_lines_between_changes_are_hidden_but_one_is_shown() -> None:
    old_lines = numbered(20)
    two_apart = list(old_lines)
    two_apart[4], two_apart[11] = "Changed 5.", "Changed 12."
    one_apart = list(old_lines)
    one_apart[4], one_apart[10] = "Changed 5.", "Changed 11."

    blocks = line_diff_blocks("\n".join(old_lines), "\n".join(two_apart), context=2)
    (joined,) = line_diff_blocks("\n".join(old_lines), "\n".join(one_apart), context=2)

    assert [(b.old_start, len(b.lines), b.skipped_before) for b in blocks] == [
        (3, 5, 2),
        (10, 5, 2),
    ]
    assert (joined.old_start, len(joined.lines), joined.skipped_before) == (3, 11, 2)


def test_a_single_hidden_line_at_the_end_is_shown_instead() -> None:
    old_lines = numbered(10)
    new_lines = list(old_lines)
    new_lines[6] = "Changed 7."

    (block,) = line_diff_blocks("\n".join(old_lines), "\n".join(new_lines), context=2)

    assert (block.old_start, len(block.lines), block.skipped_after) == (5, 6, 0)
    assert block.lines[-1] == DiffLine("equal", [Segment("equal", "Line 10.")])


def test_changes_on_either_side_of_a_carriage_return_stay_apart() -> None:
    assert word_diff("Mix\rwell", "Stir\rgently") == [
        Segment("delete", "Mix"),
        Segment("insert", "Stir"),
        Segment("equal", "\r"),
        Segment("delete", "well"),
        Segment("insert", "gently"),
    ]


def test_an_unchanged_line_joins_the_unchanged_words_after_it() -> None:
    assert word_diff("Same line.\nMix the manure.", "Same line.\nMix the dung.") == [
        Segment("equal", "Same line.\nMix the "),
        Segment("delete", "manure"),
        Segment("insert", "dung"),
        Segment("equal", "."),
    ]


def test_deleted_words_around_a_kept_space_read_as_one_deletion() -> None:
    assert word_diff("Stir, then", "Stir ") == [
        Segment("equal", "Stir"),
        Segment("delete", ", then"),
        Segment("insert", " "),
    ]


def test_a_change_at_the_very_end_is_shown() -> None:
    assert word_diff("One two.", "One two") == [Segment("equal", "One two"), Segment("delete", ".")]


def test_a_huge_rewrite_after_an_unchanged_line_keeps_that_line() -> None:
    old = " ".join(f"word{i}" for i in range(1500))
    new = " ".join(f"other{i}" for i in range(1500))

    assert word_diff("Intro.\n" + old, "Intro.\n" + new) == [
        Segment("equal", "Intro.\n"),
        Segment("delete", old),
        Segment("insert", new),
    ]


def test_blocks_after_unchanged_lines_inside_a_rewrite_start_at_the_right_lines() -> None:
    old = "A one.\n\n\n\n\nB two."
    new = "A uno.\n\n\n\n\n\nB dos."

    blocks = line_diff_blocks(old, new, context=0)

    assert [(b.old_start, b.new_start, [line.op for line in b.lines]) for b in blocks] == [
        (1, 1, ["replace"]),
        (6, 6, ["insert", "replace"]),
    ]


def test_lines_after_an_added_or_removed_line_inside_a_rewrite_keep_their_numbers() -> None:
    added = line_diff_blocks("A one.\n\n\n\n\nB two.", "A uno.\nNew line.\n\n\n\n\nB dos.", 0)
    removed = line_diff_blocks("A one.\nOld line.\n\n\n\n\nB two.", "A uno.\n\n\n\n\nB dos.", 0)

    assert [(b.old_start, b.new_start) for b in added] == [(1, 1), (6, 7)]
    assert [(b.old_start, b.new_start) for b in removed] == [(1, 1), (7, 6)]


def test_a_line_of_spaces_inside_a_rewrite_is_shown_unchanged_with_its_spaces() -> None:
    (block,) = line_diff_blocks("A one.\n   \nB two.", "A uno.\n   \nB dos.")

    assert block.lines[1] == DiffLine("equal", [Segment("equal", "   ")])


def test_a_long_line_of_one_repeated_word_is_compared_word_by_word() -> None:
    old = " ".join(["gas"] * 250)

    assert ops(old, old + " more") == ["replace"]
    assert word_diff(old, old + " more") == [Segment("equal", old), Segment("insert", " more")]


def test_a_long_sheet_of_identical_rows_is_compared_line_by_line() -> None:
    sheet = "| | | |\n" * 220

    assert word_diff(sheet, sheet + "Total.\n") == [
        Segment("equal", sheet),
        Segment("insert", "Total.\n"),
    ]


def test_a_huge_unchanged_paragraph_stays_unchanged() -> None:
    big = " ".join(f"word{i}" for i in range(1500))

    assert word_diff(big + "\nA", big + "\nB") == [
        Segment("equal", big + "\n"),
        Segment("delete", "A"),
        Segment("insert", "B"),
    ]


def test_a_huge_rewrite_before_an_unchanged_line_keeps_that_line() -> None:
    old = " ".join(f"word{i}" for i in range(1500))
    new = " ".join(f"other{i}" for i in range(1500))

    assert word_diff(old + "\nEnd.", new + "\nEnd.") == [
        Segment("delete", old + "\n"),
        Segment("insert", new + "\n"),
        Segment("equal", "End."),
    ]


def test_a_region_of_a_million_word_pairs_is_still_compared_word_by_word() -> None:
    old = "".join(f"w{i} " for i in range(500))  # 1,000 tokens
    new = old.replace("w7 ", "x7 ")

    assert len(tokenize(old)) * len(tokenize(new)) == 1_000_000
    assert word_diff(old, new) == [
        Segment("equal", "w0 w1 w2 w3 w4 w5 w6 "),
        Segment("delete", "w7"),
        Segment("insert", "x7"),
        Segment("equal", old[len("w0 w1 w2 w3 w4 w5 w6 w7") :]),
    ]
