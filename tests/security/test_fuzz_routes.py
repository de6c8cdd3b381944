"""Hostile URLs never make the server fail: every GET route of the URL map, with real
objects from the ``world`` fixture, answers any value of its URL variables and query
arguments with a page or a 4xx, never a 5xx.

PostgreSQL is the strict one (an INTEGER column compared with 99999999999999999999 raises
instead of finding nothing; text with NUL cannot be stored), so run this file on both
databases. Hypothesis draws the values; the numbers that once gave 500s are also checked
one by one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule

from tests.core.test_every_route import PRIVATE
from tests.fixtures.world import World

#: Query arguments the views read (``grep -rn "request.args" peerlearn``), plus the usual
#: suspects of a paged, searchable, versioned site.
QUERY_ARGS = (
    "page", "from", "to", "revision_id", "base_revision_id", "edit", "q", "language", "tag",
    "topic", "lang", "sort", "show", "saved", "module", "next", "back", "v", "circle_language",
)  # fmt: skip
INT_QUERY_ARGS = ("page", "from", "to", "revision_id", "base_revision_id", "edit")

HUGE = ("99999999999999999999", "2147483648", "9223372036854775808", "1" * 5000)

#: Values people and scanners send where a slug, an id or a search goes.
HOSTILE = (
    *HUGE, "-1", "0", "00", "-0", "1e9", "NaN", "inf", "0x1F", "1_000", " 1", "+1", "١٢", "²",
    "..", "../..", ".", "%", "%00", "%ff", "%2e%2e", "\x00", "\u202e", "😀", "a" * 3000,
    "' OR 1=1 --", "<script>alert(1)</script>", "\r\nSet-Cookie: x=1", "/", "//evil.example",
)  # fmt: skip

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=40),
)
#: For number variables and arguments: mostly numbers, often ones no INTEGER column holds.
hostile_number = st.one_of(
    st.sampled_from((*HUGE, "2147483647", "-1", "0", "00", "-99999999999999999999")),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    hostile_text,
)
#: Already in URL syntax: inserted into the path as they are, not quoted again.
RAW_SEGMENTS = ("..", ".", "%00", "%2e%2e", "%2F", "%ff", "%C0%AE", "%25", "a%20b", "%E2%80%AE")

_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _get_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def _path(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each variable replaced by an already URL-encoded value."""
    return _VARIABLE.sub(lambda match: values[match.group(1)], rule.rule)


def _real(world: World, rule: Rule) -> dict[str, str]:
    return {name: quote(str(value), safe="/") for name, value in world.fill(rule).items()}


def _segment(number: bool) -> st.SearchStrategy[str]:
    return st.one_of(
        (hostile_number if number else hostile_text).map(lambda text: quote(text, safe="")),
        st.sampled_from(RAW_SEGMENTS),
    )


#: Each query argument absent or with a hostile value (a number-like one where a number
#: is read).
QUERY = st.fixed_dictionaries(
    {},
    optional={arg: hostile_number if arg in INT_QUERY_ARGS else hostile_text for arg in QUERY_ARGS},
)


def _fuzz_rule(client: Any, world: World, rule: Rule, examples: int) -> None:
    """Hypothesis over one rule: each variable real or hostile, some query arguments."""
    real = _real(world, rule)
    needed = {key: str(value) for key, value in world.query(rule.endpoint).items()}
    numbers = {
        name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)
    }
    variables = st.fixed_dictionaries(
        {name: st.one_of(st.just(value), _segment(name in numbers)) for name, value in real.items()}
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(values=variables, args=QUERY, keep_needed=st.booleans())
    def never_fails(values: dict[str, str], args: dict[str, str], keep_needed: bool) -> None:
        query_string = {**(needed if keep_needed else {}), **args}
        response = client.get(_path(rule, values), query_string=query_string)
        assert response.status_code < 500, (rule.rule, values, query_string)

    # The shapes that once gave 500s on PostgreSQL, always tried first: numbers no INTEGER
    # column holds in the path, in the page argument, in the other number arguments.
    huge = HUGE[0]
    for values, args in (
        ({**real, **{name: huge for name in numbers}}, {}),
        (real, {"page": huge}),
        (real, {arg: huge for arg in INT_QUERY_ARGS if arg != "page"}),
    ):
        never_fails = example(values=values, args=args, keep_needed=True)(never_fails)
    never_fails()


def _fuzz(app: Flask, client: Any, world: World, rules: list[Rule], examples: int) -> list[str]:
    failures = []
    for rule in rules:
        try:
            _fuzz_rule(client, world, rule, examples)
        except Exception as error:  # an assertion, or an error the test client re-raised
            failures.append(f"{rule.endpoint}: {type(error).__name__}: {error}")
    return failures


def test_no_hostile_get_request_makes_the_server_fail_for_a_visitor(
    app: Flask, client: Any, world: World
) -> None:
    failures = _fuzz(app, client, world, _get_rules(app), examples=8)
    assert failures == []


def test_no_hostile_get_request_makes_the_server_fail_for_the_user_of_a_page(
    app: Flask, client: Any, login: Any, world: World
) -> None:
    """Signed in as the user each page is for (the maintainer for public pages), so that
    the values reach the view past its permission check."""
    by_user = defaultdict(list)
    for rule in _get_rules(app):
        by_user[PRIVATE.get(rule.endpoint, "maintainer")].append(rule)
    failures = []
    for name, rules in sorted(by_user.items()):
        client.submit("/logout")
        login(getattr(world, name))
        failures += _fuzz(app, client, world, rules, examples=8)
    assert failures == []


def test_numbers_beyond_the_database_find_nothing_instead_of_failing(
    app: Flask, client: Any, login: Any, world: World
) -> None:
    """Each number variable of every GET route, and its number query arguments, with
    numbers no INTEGER column holds: 404 for a path, a page or a 4xx for a query."""
    login(world.maintainer)
    huge, just_too_big = "99999999999999999999", "2147483648"
    others = [arg for arg in INT_QUERY_ARGS if arg != "page"]
    queries = [
        {"page": huge},
        {"page": "1" * 5000},
        {arg: huge for arg in others},
        {arg: "-" + huge for arg in others},
    ]
    failures = []
    for rule in _get_rules(app):
        real = _real(world, rule)
        needed = {key: str(value) for key, value in world.query(rule.endpoint).items()}
        numbers = [
            name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)
        ]
        for name in numbers:
            for number in (huge, just_too_big):
                response = client.get(_path(rule, {**real, name: number}), query_string=needed)
                if response.status_code != 404:
                    failures.append((rule.rule, name, number, response.status_code))
        for query in queries:
            response = client.get(_path(rule, real), query_string={**needed, **query})
            if response.status_code >= 500:
                failures.append((rule.rule, query, response.status_code))
    assert failures == []


def test_posted_revision_ids_beyond_the_database_are_refused_without_failing(
    client: Any, login: Any, world: World
) -> None:
    """The editors' and the revert buttons' hidden revision fields, as a forged form."""
    login(world.maintainer)
    course, module, assignment = world.course.slug, world.module.slug, world.assignment.slug
    forms = [
        (f"/courses/{course}/m/{module}/revert", "revision_id"),
        (f"/courses/{course}/assignments/{assignment}/revert", "revision_id"),
        (f"/courses/{course}/m/{module}/edit", "base_revision_id"),
        (f"/courses/{course}/assignments/{assignment}/edit", "base_revision_id"),
    ]
    failures = []
    for path, field in forms:
        for huge in (*HUGE, "-5"):
            data = {field: huge, "title": "Trench", "body": "Dig.", "text": "id: x\n"}
            status = client.submit(path, data).status_code
            if status >= 500:
                failures.append((path, field, huge[:25], status))
    assert failures == []
