"""Coverage of the allocation rule over whole classes (``allocation.choose`` on plain
values): circles of 2 to 50 members, learners arriving in any order, including one after
another, each doing their quota and then answering invitations. Every submission reaches
its required reviews; a reviewer in a large enough circle stays inside it while a log
there needs a review; a circle too small falls back to the whole course, or, when its
facilitator turned the fallback off, never leaves the circle.

``tests/review/allocation/test_queue_coverage.py`` plays smaller classes through the SQL queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn.review.allocation.allocation import (
    WHOLE_COURSE,
    Candidate,
    Pool,
    choose,
    circle_pool,
    uncertainty,
    waiting,
)
from tests.hypothesis_settings import property_settings

pytestmark = pytest.mark.pure

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Course:
    """A class in the making: who submitted when, who reviewed what."""

    circle: frozenset[int]
    min_pool: int
    fallback: bool
    must_review: int
    required: int
    arrived: list[int] = field(default_factory=list)
    given: dict[int, int] = field(default_factory=dict)
    load: dict[int, int] = field(default_factory=dict)
    scores: dict[int, list[float]] = field(default_factory=dict)
    seen: dict[int, set[int]] = field(default_factory=dict)
    #: (reviewer, author, pool in force, needed inside at that moment, extra, invited)
    handed: list[tuple[int, int, Pool, bool, bool, bool]] = field(default_factory=list)

    def pool_of(self, reviewer: int) -> Pool:
        if reviewer not in self.circle:
            return WHOLE_COURSE
        return circle_pool(
            self.circle, self.arrived, min_pool=self.min_pool, fallback=self.fallback
        )

    def candidates(self) -> list[Candidate]:
        return [
            Candidate(
                log_id=author,
                author_id=author,
                team=None,
                first_submitted_at=T0 + timedelta(minutes=i),
                load=self.load[author],
                required=self.required,
                uncertainty=uncertainty(self.scores[author], 10),
            )
            for i, author in enumerate(self.arrived)
        ]

    def submit(self, learner: int) -> None:
        self.arrived.append(learner)
        self.given[learner], self.load[learner] = 0, 0
        self.scores[learner], self.seen[learner] = [], set()

    def review(self, reviewer: int) -> bool:
        """``reviewer`` asks for a log and reviews it at once; False if nothing came."""
        pool = self.pool_of(reviewer)
        pool_candidates = self.candidates()
        got = choose(pool_candidates, reviewer_id=reviewer, excluded=self.seen[reviewer],
                     pool=pool)  # fmt: skip
        if got is None:
            return False
        chosen, extra = got
        inside_needed = any(
            c.needed and pool.inside(c) and c.author_id != reviewer
            and c.log_id not in self.seen[reviewer]
            for c in pool_candidates
        )  # fmt: skip
        invited = not extra and self.given[reviewer] >= self.must_review
        self.handed.append((reviewer, chosen.author_id, pool, inside_needed, extra, invited))
        self.seen[reviewer].add(chosen.log_id)
        self.given[reviewer] += 1
        self.load[chosen.log_id] += 1
        self.scores[chosen.log_id].append(float((reviewer * 7 + chosen.log_id) % 11))
        return True

    def do_quota(self, learner: int) -> None:
        while self.given[learner] < self.must_review and self.review(learner):
            pass

    def answer_invitations(self) -> None:
        """Learners who are done review logs that wait after their authors gave theirs,
        until none waits (each answer is one review; a round with none ends it)."""
        while True:
            done = {a for a in self.arrived if self.given[a] >= self.must_review}
            answered = False
            for helper in sorted(done):
                pool = self.pool_of(helper)
                waits = [
                    c for c in self.candidates()
                    if waiting(c, done) and c.author_id != helper
                    and c.log_id not in self.seen[helper]
                    and (pool.outside or pool.inside(c))
                ]  # fmt: skip
                if waits and self.review(helper):
                    answered = True
            if not answered:
                return


@st.composite
def classes(draw: st.DrawFn):
    size = draw(st.integers(2, 50))
    outsiders = draw(st.integers(0, 6))
    required = draw(st.integers(1, 3))
    must_review = required + draw(st.integers(0, 1))
    course = Course(
        circle=frozenset(range(size)),
        min_pool=draw(st.integers(2, 6)),
        fallback=draw(st.booleans()),
        must_review=must_review,
        required=required,
    )
    people = list(range(size + outsiders))
    order = draw(st.sampled_from(["one after another", "all first", "shuffled"]))
    arrival = draw(st.permutations(people)) if order != "one after another" else people
    return course, arrival, order


def play(course: Course, arrival: list[int], order: str, invitations: bool = True) -> None:
    if order == "all first":
        for learner in arrival:
            course.submit(learner)
        for learner in arrival:
            course.do_quota(learner)
    else:  # after each arrival everyone present does their quota as far as they can
        for learner in arrival:
            course.submit(learner)
            for present in course.arrived:
                course.do_quota(present)
    for learner in arrival:  # those who found too little come back once the class is in
        course.do_quota(learner)
    if invitations:
        course.answer_invitations()


def reachable(course: Course, author: int) -> int:
    """How many others could ever review ``author``'s log under the pools."""
    others = [r for r in course.arrived if r != author]
    return sum(
        1 for r in others
        if course.pool_of(r).outside or author in (course.pool_of(r).preferred or ())
    )  # fmt: skip


@property_settings(150)
@given(classes())
def test_every_submission_reaches_its_reviews(params):
    course, arrival, order = params
    play(course, arrival, order)
    for author in course.arrived:
        # An author who could not give their reviews (a circle without fallback smaller
        # than the quota) is never "done", so their log is never waiting: the facilitator
        # chose that, and the settings page says so.
        done = course.given[author] >= course.must_review
        if done and reachable(course, author) >= course.required:
            assert course.load[author] >= course.required, (author, course.load)
    for learner in course.arrived:  # and everyone could do their quota when possible
        if reachable_reviewer(course, learner) >= course.must_review:
            assert course.given[learner] >= course.must_review


def reachable_reviewer(course: Course, reviewer: int) -> int:
    pool = course.pool_of(reviewer)
    return sum(
        1 for a in course.arrived
        if a != reviewer and (pool.outside or pool.inside_author(a))
    )  # fmt: skip


@property_settings(150)
@given(classes())
def test_a_reviewer_in_a_large_enough_circle_stays_in_it_while_a_log_there_needs_one(params):
    course, arrival, order = params
    play(course, arrival, order)
    for _reviewer, author, pool, inside_needed, _extra, _invited in course.handed:
        if pool.preferred is None:
            continue  # outside a circle, or its fallback to the whole course
        if not pool.outside:
            assert author in pool.preferred  # the fallback is off: never outside
        elif author not in pool.preferred:
            assert not inside_needed  # outside only when nothing inside needed a review


@property_settings(200)
@given(
    size=st.integers(2, 50),
    submitted=st.integers(0, 50),
    min_pool=st.integers(1, 10),
    fallback=st.booleans(),
)
def test_the_circle_pool_follows_the_facilitator_settings(size, submitted, min_pool, fallback):
    members = range(size)
    pool = circle_pool(members, range(min(submitted, size)), min_pool=min_pool,
                       fallback=fallback)  # fmt: skip
    if min(submitted, size) >= min_pool:
        assert pool == Pool(frozenset(members), outside=fallback)
    elif fallback:
        assert pool == WHOLE_COURSE
    else:
        assert pool == Pool(frozenset(members), outside=False)


def test_one_after_another_without_invitations_leaves_the_last_submitter_short():
    """Today's rule alone, the case the invitations are for."""
    course = Course(frozenset(), 2, True, must_review=2, required=2)
    play(course, list(range(6)), "one after another", invitations=False)
    assert course.load[5] == 0  # everyone else was done before it arrived
    course.answer_invitations()
    assert course.load[5] == 2
    assert sum(invited for *_rest, invited in course.handed) >= 1


def test_the_uncertainty_of_a_grade_falls_with_agreeing_reviews():
    assert uncertainty([], 10) == 1000
    assert uncertainty([5], 10) > uncertainty([5, 5], 10) > uncertainty([5, 5, 5], 10)
    assert uncertainty([0, 10], 10) > uncertainty([5, 5], 10)
    assert uncertainty([0, 10], 10) <= 1000
