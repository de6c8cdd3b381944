"""Three-way merge of module text: what an author sees when someone else saved first."""

from __future__ import annotations

import random

import pytest

from peerlearn.content.merge import Conflict, MergeResult, merge3, merge_titles

pytestmark = pytest.mark.pure  # no app, no database: see tests/fixtures/app.py

BASE = """\
# Sizing your digester

A family with four cows produces about 40 kg of manure a day.

Mix the manure with water in a ratio of one to three.

The retention time depends on the temperature at your site.

In the highlands, plan for 75 days.

Check the pressure every morning.
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace one exact occurrence, failing loudly if the test text changed."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_non_overlapping_edits_at_start_middle_and_end_merge_cleanly() -> None:
    ours = edit(BASE, "# Sizing your digester", "# Sizing a tubular digester")
    ours = edit(ours, "plan for 75 days.", "plan for 90 days.")
    theirs = edit(BASE, "ratio of one to three", "ratio of one to four")
    theirs = edit(theirs, "every morning.", "every morning and evening.")

    result = merge3(BASE, ours, theirs)

    assert result.clean
    assert result.conflicts == ()
    assert "# Sizing a tubular digester" in result.text
    assert "one to four" in result.text
    assert "plan for 90 days." in result.text
    assert "every morning and evening." in result.text
    expected = edit(ours, "ratio of one to three", "ratio of one to four")
    expected = edit(expected, "every morning.", "every morning and evening.")
    assert result.text == expected


def test_edits_to_the_same_line_conflict_and_report_both_versions() -> None:
    ours = edit(BASE, "about 40 kg", "about 35 kg")
    theirs = edit(BASE, "about 40 kg", "roughly 40 kg")

    result = merge3(BASE, ours, theirs)

    assert not result.clean
    assert result.conflicts == (
        Conflict(
            base="A family with four cows produces about 40 kg of manure a day.\n",
            ours="A family with four cows produces about 35 kg of manure a day.\n",
            theirs="A family with four cows produces roughly 40 kg of manure a day.\n",
            line=3,
        ),
    )
    # The merged text keeps our side where the conflict is.
    assert result.text == ours
    assert result.text.splitlines()[result.conflicts[0].line - 1].endswith("35 kg of manure a day.")


def test_conflict_line_points_into_the_merged_text_after_other_changes() -> None:
    ours = edit(BASE, "plan for 75 days.", "plan for 80 days.")
    theirs = edit(BASE, "plan for 75 days.", "plan for 70 days.")
    theirs = edit(theirs, "# Sizing your digester\n", "# Sizing your digester\n\nIntro.\n")

    result = merge3(BASE, ours, theirs)

    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert result.text.splitlines()[conflict.line - 1] == "In the highlands, plan for 80 days."
    assert "Intro." in result.text
    assert conflict.theirs == "In the highlands, plan for 70 days.\n"


def test_identical_edits_are_taken_once() -> None:
    ours = edit(BASE, "75 days", "80 days")
    ours = edit(ours, "Check the pressure", "Check the gas pressure")
    theirs = edit(BASE, "75 days", "80 days")

    result = merge3(BASE, ours, theirs)

    assert result.clean
    assert result.text == ours
    assert result.text.count("80 days") == 1


def test_deletion_on_one_side_and_edit_elsewhere_on_the_other() -> None:
    ours = edit(BASE, "In the highlands, plan for 75 days.\n\n", "")
    theirs = edit(BASE, "about 40 kg", "about 35 kg")

    result = merge3(BASE, ours, theirs)

    assert result.clean
    assert "highlands" not in result.text
    assert "about 35 kg" in result.text
    assert result.text == edit(ours, "about 40 kg", "about 35 kg")


def test_deleting_a_line_the_other_side_edited_conflicts() -> None:
    ours = edit(BASE, "In the highlands, plan for 75 days.\n", "")
    theirs = edit(BASE, "plan for 75 days", "plan for 90 days")

    result = merge3(BASE, ours, theirs)

    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.base == "In the highlands, plan for 75 days.\n"
    assert conflict.ours == ""
    assert conflict.theirs == "In the highlands, plan for 90 days.\n"
    assert result.text == ours


def test_lines_added_at_the_same_place_conflict() -> None:
    anchor = "Check the pressure every morning.\n"
    ours = edit(BASE, anchor, "Keep children away.\n" + anchor)
    theirs = edit(BASE, anchor, "Wear gloves.\n" + anchor)

    result = merge3(BASE, ours, theirs)

    (conflict,) = result.conflicts
    assert conflict == Conflict(
        base="", ours="Keep children away.\n", theirs="Wear gloves.\n", line=11
    )
    assert result.text == ours


def test_identical_lines_added_at_the_same_place_merge_once() -> None:
    anchor = "Check the pressure every morning.\n"
    ours = edit(BASE, anchor, "Wear gloves.\n" + anchor)

    result = merge3(BASE, ours, ours)

    assert result == MergeResult(text=ours)
    assert result.text.count("Wear gloves.") == 1


def test_lines_added_at_different_places_merge() -> None:
    ours = BASE + "\nAsk a neighbour for help.\n"
    theirs = "Module 2.\n\n" + BASE

    result = merge3(BASE, ours, theirs)

    assert result.clean
    assert result.text == "Module 2.\n\n" + BASE + "\nAsk a neighbour for help.\n"


def test_unchanged_side_gives_the_other_side() -> None:
    changed = edit(BASE, "four cows", "three cows").replace("\n\n", "\n\n\n", 1)

    assert merge3(BASE, BASE, changed) == MergeResult(text=changed)
    assert merge3(BASE, changed, BASE) == MergeResult(text=changed)
    assert merge3(BASE, BASE, BASE) == MergeResult(text=BASE)
    assert merge3(BASE, BASE, "") == MergeResult(text="")


def test_empty_base() -> None:
    assert merge3("", "", "New text.\n") == MergeResult(text="New text.\n")
    assert merge3("", "New text.\n", "") == MergeResult(text="New text.\n")
    assert merge3("", "Same.\n", "Same.\n") == MergeResult(text="Same.\n")

    result = merge3("", "Ours.\n", "Theirs.\n")

    assert result.conflicts == (Conflict(base="", ours="Ours.\n", theirs="Theirs.\n", line=1),)
    assert result.text == "Ours.\n"


def test_missing_trailing_newline() -> None:
    base = "One.\n\nTwo.\n\nThree."
    ours = "One, edited.\n\nTwo.\n\nThree."
    theirs = "One.\n\nTwo.\n\nThree.\n\nFour.\n"

    result = merge3(base, ours, theirs)

    assert result.clean
    assert result.text == "One, edited.\n\nTwo.\n\nThree.\n\nFour.\n"


def test_appending_to_a_text_without_trailing_newline_keeps_it_missing() -> None:
    base = "One.\n\nTwo."
    ours = "One, edited.\n\nTwo."
    theirs = "One.\n\nTwo.\n\nThree."

    result = merge3(base, ours, theirs)

    assert result == MergeResult(text="One, edited.\n\nTwo.\n\nThree.")


def test_conflict_on_last_line_without_newline_reports_text_as_written() -> None:
    result = merge3("a\nb", "a\nB", "a\nbee")

    assert result.conflicts == (Conflict(base="b", ours="B", theirs="bee", line=2),)
    assert result.text == "a\nB"


def test_crlf_passes_through_unchanged() -> None:
    base = "One.\r\n\r\nTwo.\r\n\r\nThree.\r\n\r\nFour."
    ours = "One!\r\n\r\nTwo.\r\n\r\nThree.\r\n\r\nFour."
    theirs = "One.\r\n\r\nTwo.\r\n\r\nThree.\r\n\r\nFour!\r\n"

    result = merge3(base, ours, theirs)

    assert result.clean
    assert result.text == "One!\r\n\r\nTwo.\r\n\r\nThree.\r\n\r\nFour!\r\n"


def test_unicode_text_merges() -> None:
    base = "Señal de gas.\n\nAmakuru y'ingenzi.\n\nVolumen: 2 m³.\n"
    ours = "Señal de biogás.\n\nAmakuru y'ingenzi.\n\nVolumen: 2 m³.\n"
    theirs = "Señal de gas.\n\nAmakuru y'ingenzi.\n\nVolumen: 3 m³.\n"

    result = merge3(base, ours, theirs)

    assert result == MergeResult(text="Señal de biogás.\n\nAmakuru y'ingenzi.\n\nVolumen: 3 m³.\n")


def test_merge_titles() -> None:
    assert merge_titles("Sizing", "Sizing", "Sizing a digester") == "Sizing a digester"
    assert merge_titles("Sizing", "Dimensionado", "Sizing") == "Dimensionado"
    assert merge_titles("Sizing", "Sizing it", "Sizing it") == "Sizing it"
    assert merge_titles("Sizing", "Sizing", "Sizing") == "Sizing"
    assert merge_titles("Sizing", "Sizing it", "Sizing up") is None


# Property-style check: random disjoint, non-adjacent edits always merge cleanly.

Edit = tuple[int, int, list[str]]  # replace base lines [start, end) with the new lines


def apply_edits(lines: list[str], edits: list[Edit]) -> list[str]:
    result = list(lines)
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        result[start:end] = new
    return result


def random_edit(rng: random.Random, lo: int, hi: int, tag: str) -> Edit:
    """A replacement, deletion or insertion touching only base lines [lo, hi)."""
    kind = rng.choice(["replace", "delete", "insert"])
    if kind == "insert":
        start = end = rng.randint(lo, hi)
    else:
        start = rng.randint(lo, hi - 1)
        end = rng.randint(start + 1, min(start + 3, hi))
    count = 0 if kind == "delete" else rng.randint(1, 3)
    # Blank lines are common in Markdown; the rest are unique so that the expected result
    # is unambiguous (with repeated lines several alignments are equally right).
    return (
        start,
        end,
        ["\n" if rng.random() < 0.2 else f"{tag} {rng.random():.12f}\n" for _ in range(count)],
    )


def test_random_disjoint_edits_merge_cleanly_and_apply_both() -> None:
    rng = random.Random(20240521)
    for _ in range(500):
        size = rng.randint(4, 24)
        base_lines = [f"paragraph {i} about biogas\n" for i in range(size)]
        # One edit touches lines before `split`, the other lines after it; base line
        # `split` stays unchanged between them. Which side makes which edit is random.
        split = rng.randint(1, size - 2)
        first = random_edit(rng, 0, split, "first")
        second = random_edit(rng, split + 1, size, "second")
        ours_edit, theirs_edit = (first, second) if rng.random() < 0.5 else (second, first)
        base = "".join(base_lines)
        ours = "".join(apply_edits(base_lines, [ours_edit]))
        theirs = "".join(apply_edits(base_lines, [theirs_edit]))

        result = merge3(base, ours, theirs)

        assert result.clean, (base, ours, theirs)
        assert result.text == "".join(apply_edits(base_lines, [ours_edit, theirs_edit]))


# Edge cases pinned one by one: each is how diff3 merges the texts when a missing newline at
# the end is a change of its own (GNU diff's "\ No newline at end of file").


def test_appending_after_a_last_line_without_newline_while_the_line_before_is_edited() -> None:
    base = "Mix.\nWait."
    ours = "Mix well.\nWait."
    theirs = "Mix.\nWait.\nBurn the gas."

    assert merge3(base, ours, theirs) == MergeResult(text="Mix well.\nWait.\nBurn the gas.")
    assert merge3(base, theirs, ours) == MergeResult(text="Mix well.\nWait.\nBurn the gas.")


def test_adding_the_final_newline_is_kept_next_to_an_edit_elsewhere() -> None:
    base = "One.\nTwo.\nThree."

    assert merge3(base, "One.\nTwo.\nThree.\n", "One!\nTwo.\nThree.") == MergeResult(
        text="One!\nTwo.\nThree.\n"
    )
    assert merge3(base, "One!\nTwo.\nThree.", "One.\nTwo.\nThree.\n") == MergeResult(
        text="One!\nTwo.\nThree.\n"
    )


def test_removing_the_final_newline_is_kept_next_to_an_edit_elsewhere() -> None:
    base = "One.\nTwo.\nThree.\n"

    assert merge3(base, "One.\nTwo.\nThree.", "One!\nTwo.\nThree.\n") == MergeResult(
        text="One!\nTwo.\nThree."
    )
    assert merge3(base, "One!\nTwo.\nThree.\n", "One.\nTwo.\nThree.") == MergeResult(
        text="One!\nTwo.\nThree."
    )


def test_a_conflict_keeps_our_final_newline() -> None:
    # Our side of a conflict is kept as we wrote it, final newline included.
    result = merge3("", "Ours.\n", "Theirs.\nMore.")

    assert result.text == "Ours.\n"
    assert result.conflicts == (Conflict(base="", ours="Ours.\n", theirs="Theirs.\nMore.", line=1),)


def test_a_conflict_keeps_our_missing_final_newline() -> None:
    result = merge3("Start.\n", "Start.\nOurs.", "Start.\nTheirs.\n")

    assert result.text == "Start.\nOurs."
    assert result.conflicts == (Conflict(base="", ours="Ours.", theirs="Theirs.\n", line=2),)


def test_adding_the_same_line_with_and_without_final_newline_conflicts() -> None:
    # diff3 sees "End." and "End.\n" as different last lines; a person decides.
    result = merge3("Start.\n", "Start.\nEnd.", "Start.\nEnd.\n")

    assert result.text == "Start.\nEnd."
    assert result.conflicts == (Conflict(base="", ours="End.", theirs="End.\n", line=2),)


def test_removing_the_final_newline_while_the_other_side_appends_conflicts() -> None:
    result = merge3("Start.\n", "Start.", "Start.\nMore.\n")

    assert result.text == "Start."
    assert result.conflicts == (Conflict(base="", ours="", theirs="More.\n", line=2),)


def test_single_line_texts_without_newline() -> None:
    assert merge3("a", "b", "a") == MergeResult(text="b")
    assert merge3("a", "a", "b") == MergeResult(text="b")
    assert merge3("a", "b", "b") == MergeResult(text="b")
    assert merge3("a", "a", "") == MergeResult(text="")
    assert merge3("a", "a", "a\n") == MergeResult(text="a\n")
    assert merge3("a\n", "a", "a\n") == MergeResult(text="a")
    assert merge3("", "", "a") == MergeResult(text="a")

    edited_and_deleted = merge3("a", "b", "")
    assert edited_and_deleted.text == "b"
    assert edited_and_deleted.conflicts == (Conflict(base="a", ours="b", theirs="", line=1),)

    both_edited = merge3("a", "b", "c")
    assert both_edited.text == "b"
    assert both_edited.conflicts == (Conflict(base="a", ours="b", theirs="c", line=1),)


def test_crlf_single_line_and_final_newline() -> None:
    assert merge3("a", "a\r\nb", "a") == MergeResult(text="a\r\nb")
    assert merge3("a\r\nb", "A\r\nb", "a\r\nb\r\nc") == MergeResult(text="A\r\nb\r\nc")
    assert merge3("a\r\nb\r\n", "a\r\nb", "A\r\nb\r\n") == MergeResult(text="A\r\nb")
    assert merge3("a\r\nb", "a\r\nb\r\n", "A\r\nb") == MergeResult(text="A\r\nb\r\n")

    result = merge3("", "Ours.\r\n", "Theirs.")
    assert result.text == "Ours.\r\n"
    assert result.conflicts == (Conflict(base="", ours="Ours.\r\n", theirs="Theirs.", line=1),)


def test_crlf_conflict_reports_lines_as_written() -> None:
    result = merge3("x\r\na\r\ny", "x\r\nA\r\ny", "x\r\nB\r\ny")

    assert result.text == "x\r\nA\r\ny"
    assert result.conflicts == (Conflict(base="a\r\n", ours="A\r\n", theirs="B\r\n", line=2),)


def test_only_a_newline_ends_a_line() -> None:
    # A lone carriage return, form feed or line separator is part of a line (as in diff3),
    # so two edits on either side of one are edits of the same line and conflict.
    for inside in ("\r", "\x0c", "\u2028", "\x85"):
        base = f"left{inside}middle{inside}right\n"
        ours = f"LEFT{inside}middle{inside}right\n"
        theirs = f"left{inside}middle{inside}RIGHT\n"

        result = merge3(base, ours, theirs)

        assert result.text == ours, repr(inside)
        assert result.conflicts == (Conflict(base, ours, theirs, line=1),), repr(inside)


def test_a_conflict_spanning_several_lines_is_one_region() -> None:
    base = "Intro.\n\nStep one.\nStep two.\nStep three.\n\nEnd.\n"
    ours = "Intro.\n\nFirst step.\nSecond step.\nThird step.\n\nEnd.\n"
    theirs = "Intro.\n\nStep 1.\nStep 2.\n\nEnd.\n"

    result = merge3(base, ours, theirs)

    assert result.text == ours
    assert result.conflicts == (
        Conflict(
            base="Step one.\nStep two.\nStep three.\n",
            ours="First step.\nSecond step.\nThird step.\n",
            theirs="Step 1.\nStep 2.\n",
            line=3,
        ),
    )


def test_two_conflicts_are_reported_in_order_with_their_lines() -> None:
    base = "a\nb\nc\nd\ne\nf\n"
    ours = "a\nB1\nB2\nc\nd\nE\nf\n"
    theirs = "a\nb!\nc\nd\n\nf\n"

    result = merge3(base, ours, theirs)

    assert result.text == ours
    assert [(c.base, c.ours, c.theirs, c.line) for c in result.conflicts] == [
        ("b\n", "B1\nB2\n", "b!\n", 2),
        ("e\n", "E\n", "\n", 6),
    ]
    for conflict in result.conflicts:
        shown = result.text.splitlines(keepends=True)[conflict.line - 1]
        assert conflict.ours.startswith(shown)


def test_a_last_line_without_newline_matches_the_same_line_with_the_texts_ending() -> None:
    # The ending a last line is missing is the one of the first line that has one, in base,
    # then ours, then theirs: "b" in one text is the line "b\r\n" of a CRLF text.
    deleted_and_edited = merge3("a\r\nb", "a", "a\r\nB")
    assert deleted_and_edited.text == "a"
    assert deleted_and_edited.conflicts == (Conflict(base="b", ours="", theirs="B", line=2),)

    assert merge3("a", "a\n", "a\r\na") == MergeResult(text="a\r\na\n")
    # base's own ending first: ours' "Step." is base's "Step.\n", whatever theirs uses.
    assert merge3("Step.\n", "Step.", "Intro.\r\nStep.") == MergeResult(text="Intro.\r\nStep.")
    assert merge3("a", "a\r\nb\r\n", "a") == MergeResult(text="a\r\nb\r\n")


def test_mixed_line_endings_take_the_first_lines_ending() -> None:
    # base's first line ends in CRLF, so its last line "c" counts as "c\r\n", the line ours
    # appended after; theirs' edit two lines up then merges cleanly.
    base = "a\r\nb\nc"
    ours = "a\r\nb\nc\r\nd\r\n"
    theirs = "a\r\nB\nc"

    assert merge3(base, ours, theirs) == MergeResult(text="a\r\nB\nc\r\nd\r\n")


def test_a_long_module_of_repeated_lines_still_merges() -> None:
    # Over 200 lines, difflib's "popular line" heuristic would stop the repeated rows from
    # matching at all, and any two edits would become one conflict over the whole sheet.
    base = "# Log sheet\n" + "| | | |\n" * 220
    retitled = edit(base, "# Log sheet", "# Daily log sheet")
    totalled = base + "Total:\n"

    assert merge3(base, retitled, totalled) == MergeResult(text=retitled + "Total:\n")
    assert merge3(base, totalled, retitled) == MergeResult(text=retitled + "Total:\n")
