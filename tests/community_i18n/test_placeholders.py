"""A translation keeps exactly the placeholders of its English message (pure checks)."""

from __future__ import annotations

from peerlearn.community_i18n.placeholders import PlaceholderProblem, Problem, check


def test_the_same_placeholders_in_another_order_are_fine():
    assert check(["Page %(page)s of %(pages)s"], "%(pages)s páginas, esta es %(page)s") == []


def test_a_missing_placeholder_is_named():
    assert check(["Page %(page)s of %(pages)s"], "Página %(page)s") == [
        PlaceholderProblem(Problem.MISSING, ("%(pages)s",))
    ]


def test_a_misspelt_placeholder_is_missing_and_extra():
    problems = check(["Use at least %(min)d characters."], "Use al menos %(mín)d caracteres.")
    assert problems == [
        PlaceholderProblem(Problem.MISSING, ("%(min)d",)),
        PlaceholderProblem(Problem.EXTRA, ("%(mín)d",)),
    ]


def test_the_conversion_matters():
    problems = check(["%(num)d learners"], "%(num)s estudiantes")
    assert [p.problem for p in problems] == [Problem.MISSING, Problem.EXTRA]


def test_a_lone_percent_sign_would_break_the_page():
    assert check(["Done"], "Hecho al 100 %") == [PlaceholderProblem(Problem.PERCENT, ("%",))]
    assert check(["Done"], "%s hecho") == [PlaceholderProblem(Problem.PERCENT, ("%s",))]


def test_an_escaped_percent_is_allowed_where_the_english_has_one():
    assert check(["100%% done"], "100%% hecho") == []
    assert check(["100%% done"], "hecho") == []
    assert [p.problem for p in check(["done"], "100%% hecho")] == [Problem.PERCENT]


def test_plural_messages_check_against_both_english_forms():
    sources = ["One course", "%(num)s courses"]
    assert check(sources, "%(num)s curso") == []
    assert check(sources, "Un curso") == [PlaceholderProblem(Problem.MISSING, ("%(num)s",))]
