"""The allocation rule of the pull queue, on plain values (no database).

``tests/review/allocation/test_queue.py`` checks that the SQL queue follows this rule; here the rule
itself: who may get which log, which log goes first, and the flexible requirement.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn.review.allocation.allocation import (
    Candidate,
    choose,
    effective_required,
    eligible,
    flexible_cutoff,
    flexible_minimum,
    lease_expiry,
)
from tests.hypothesis_settings import property_settings

#: No app and no database: these run in milliseconds, and under mutation testing.
pytestmark = pytest.mark.pure

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def log(log_id, *, load=0, required=3, minutes=0, author=None, team=None) -> Candidate:
    """A submitted log; its author is 100 + its id unless given."""
    return Candidate(
        log_id=log_id,
        author_id=100 + log_id if author is None else author,
        team=team,
        first_submitted_at=T0 + timedelta(minutes=minutes),
        load=load,
        required=required,
    )


# --- the flexible requirement --------------------------------------------------------------


@pytest.mark.parametrize(
    ("must", "floor"),
    [(0, 1), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (10, 3), (11, 4), (20, 6), (21, 7)],
)
def test_the_flexible_minimum_is_thirty_percent_rounded_up_and_at_least_one(must, floor):
    assert flexible_minimum(must) == floor


def test_the_flexible_cutoff_is_that_many_days_ago_or_none_without_the_rule():
    assert flexible_cutoff(T0, 7) == T0 - 7 * DAY
    assert flexible_cutoff(T0, 0) == T0
    assert flexible_cutoff(T0, None) is None


def test_a_log_needs_fewer_reviews_from_the_moment_it_has_waited_long_enough():
    rule = {"must_be_reviewed": 5, "flexible_after_days": 3}
    assert effective_required(5, T0, now=T0 + 3 * DAY - timedelta(seconds=1), **rule) == 5
    assert effective_required(5, T0, now=T0 + 3 * DAY, **rule) == 2
    assert effective_required(5, T0, now=T0 + 30 * DAY, **rule) == 2


def test_the_flexible_rule_never_raises_a_requirement_and_needs_a_rule():
    rule = {"must_be_reviewed": 10, "flexible_after_days": 1}
    assert effective_required(2, T0, now=T0 + 5 * DAY, **rule) == 2  # lowered further by hand
    assert effective_required(3, T0, now=T0 + 5 * DAY, **rule) == 3
    assert effective_required(4, T0, now=T0 + 5 * DAY, **rule) == 3
    no_rule = {"must_be_reviewed": 10, "flexible_after_days": None}
    assert effective_required(10, T0, now=T0 + 500 * DAY, **no_rule) == 10


def test_a_lease_runs_for_its_hours():
    assert lease_expiry(T0, 8) == T0 + timedelta(hours=8)
    assert lease_expiry(T0, 0.5) == T0 + timedelta(minutes=30)


# --- who may get which log -------------------------------------------------------------------


def test_a_log_is_needed_while_its_load_is_below_its_requirement():
    assert log(1, load=2, required=3).needed
    assert not log(1, load=3, required=3).needed
    assert not log(1, load=4, required=3).needed


def test_nobody_gets_their_own_log_a_teammates_or_one_they_already_reviewed():
    mine = log(1, author=7)
    assert not eligible(mine, reviewer_id=7, reviewer_team=None, excluded=())
    assert eligible(mine, reviewer_id=8, reviewer_team=None, excluded=())
    assert not eligible(mine, reviewer_id=8, reviewer_team=None, excluded={1})
    teammates = log(2, team="north")
    assert not eligible(teammates, reviewer_id=8, reviewer_team="north", excluded=())
    assert eligible(teammates, reviewer_id=8, reviewer_team="south", excluded=())
    assert eligible(teammates, reviewer_id=8, reviewer_team=None, excluded=())
    assert eligible(log(3), reviewer_id=8, reviewer_team="north", excluded=())  # no team


# --- which log goes first --------------------------------------------------------------------


def test_the_least_loaded_needed_log_goes_first():
    pool = [log(1, load=2), log(2, load=1), log(3, load=0, required=0)]
    assert choose(pool, reviewer_id=9) == (pool[1], False)


def test_ties_go_to_the_log_submitted_first_then_to_the_lowest_id():
    pool = [log(4, load=1, minutes=5), log(3, load=1, minutes=1), log(2, load=1, minutes=1)]
    assert choose(pool, reviewer_id=9) == (pool[2], False)
    assert choose(pool, reviewer_id=9, excluded={2}) == (pool[1], False)
    assert choose(pool, reviewer_id=9, excluded={2, 3}) == (pool[0], False)


def test_when_no_log_is_needed_the_least_loaded_is_an_extra_review():
    pool = [log(1, load=5), log(2, load=3), log(3, load=3, minutes=-1)]
    assert choose(pool, reviewer_id=9) == (pool[2], True)


def test_nothing_to_hand_out_is_none():
    assert choose([], reviewer_id=9) is None
    assert choose([log(1, author=9)], reviewer_id=9) is None
    assert choose([log(1)], reviewer_id=9, excluded={1}) is None
    assert choose([log(1, team="a")], reviewer_id=9, reviewer_team="a") is None


def test_a_draft_whose_lease_ran_out_goes_back_to_its_reviewer_first_while_needed():
    fewest, draft = log(1, load=0), log(2, load=2)
    assert choose([fewest, draft], reviewer_id=9, drafts={2}) == (draft, False)
    older_draft = log(3, load=2, minutes=-5)
    assert choose([fewest, draft, older_draft], reviewer_id=9, drafts={2, 3}) == (
        older_draft,
        False,
    )
    done = log(2, load=3)
    assert choose([fewest, done], reviewer_id=9, drafts={2}) == (fewest, False)
    assert choose([done], reviewer_id=9, drafts={2}) == (done, True)
    assert choose([fewest, draft], reviewer_id=9, drafts={2}, excluded={2}) == (fewest, False)


@st.composite
def pools(draw: st.DrawFn):
    candidates = [
        log(
            i,
            load=draw(st.integers(0, 4)),
            required=draw(st.integers(0, 4)),
            minutes=draw(st.integers(0, 3)),
            author=draw(st.integers(1, 4)),
            team=draw(st.sampled_from([None, "a", "b"])),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    ids = st.sets(st.integers(0, 8), max_size=4)
    return (
        candidates,
        draw(st.integers(1, 4)),
        draw(st.sampled_from([None, "a"])),
        draw(ids),
        draw(ids),
    )


@property_settings(200)
@given(pools())
def test_the_choice_is_the_first_eligible_log_in_the_rules_order(pool):
    candidates, reviewer, team, excluded, drafts = pool
    allowed = [
        c
        for c in candidates
        if c.author_id != reviewer
        and c.log_id not in excluded
        and not (team is not None and c.team == team)
    ]
    result = choose(candidates, reviewer_id=reviewer, reviewer_team=team,
                    excluded=excluded, drafts=drafts)  # fmt: skip
    if not allowed:
        assert result is None
        return
    chosen, extra = result
    needed = [c for c in allowed if c.load < c.required]
    assert extra == (not needed)
    first = [c for c in needed if c.log_id in drafts] or needed or allowed
    assert chosen in first
    assert all(
        (chosen.load, chosen.first_submitted_at, chosen.log_id)
        <= (c.load, c.first_submitted_at, c.log_id)
        for c in first
    )
