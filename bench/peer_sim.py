"""Simulated peer review: which grading method is closest to the truth, and does every
submission get its reviews in time?

Each simulated learner has a true quality per rubric criterion (from one underlying skill
plus per-criterion variation) and, as a reviewer, a bias (N(0, 0.15 of the range) when
"biased") and a noise level that differs from one person to the next. Some learners drop
out after submitting and never review; some review carelessly (a random level for every
criterion). A score is the true quality plus bias plus noise, rounded to a level of the
rubric: what a reviewer can actually choose.

Reviews are handed out in arrival order with the pull rule of ``peerlearn.review.allocation.queue``
(ORA2's, corrected to count leases): among submissions the reviewer has not seen and did
not write, those still below ``must_be_reviewed`` completed-plus-leased reviews first,
fewest first, ties to the oldest; once none is needed, the least reviewed one anyway. A
learner may review only after submitting, asks for ``must_review`` = 4 reviews one at a
time, and sometimes lets a lease expire (8 hours). Late submitters arrive after the
submission deadline, as late as 12 hours before the review deadline.

Reported: RMSE of each method's total against the true total (as % of the maximum, over
several seeds, with and without reviewer bias, and for the model with two calibration
examples per reviewer), what the model and ``bounded`` make of criteria every reviewer put
at the top or the bottom of the scale (and of logs that got top marks throughout), how
often the 90 % intervals of the model-based methods hold the true total and how wide they
are, how many submissions reach ``must_be_reviewed`` by the review
deadline and the spread of review counts, the time to grade 10,000 submissions x 4 reviews
x 4 criteria (the model on a random and on a ring-shaped review graph), and, if
``bench/allocation_latency.py`` exists, its allocation latency on SQLite (and on
PostgreSQL with ``PEERLEARN_BENCH_DATABASE_URL``).

Run: ``.venv/bin/python bench/peer_sim.py`` (one to three minutes). Prints Markdown for
docs/performance.md.
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peerlearn.review.allocation.allocation import (
    Candidate,
    choose,
    uncertainty,
)
from peerlearn.review.grading.grading import (
    DEFAULT_METHOD,
    INTERVAL_LEVEL,
    INTERVAL_METHODS,
    METHODS,
    CalibrationResult,
    CriterionScale,
    Score,
    grade,
)

#: Criterion -> highest level (levels are 0..max): a small practical-skills rubric.
RUBRIC = {"safety": 4, "build": 5, "measurements": 3, "log": 2}
LEARNERS = 400
SEEDS = (1, 2, 3, 4, 5)
MUST_REVIEW = 4
MUST_BE_REVIEWED = 3
BIAS_SD = 0.15
DROPOUT_SHARE = 0.15
CARELESS_SHARE = 0.10
ABANDON_SHARE = 0.05
LATE_SHARE = 0.10
CALIBRATION_EXAMPLES = 2
#: Hours from the opening of the assignment.
SUBMISSION_DEADLINE = 168.0
REVIEW_DEADLINE = 240.0
LEASE_HOURS = 8.0
RETRY_HOURS = 4.0
#: Mean hours from submitting to the first review, and between reviews (exponential).
FIRST_PULL_HOURS = 24.0
NEXT_PULL_HOURS = 12.0
TIMING_SUBMISSIONS = 10_000
#: Allocation policies compared: today's rule; with the most uncertain grade first among
#: equally loaded logs; and with invitations to learners who are done as well.
POLICIES = ("today", "uncertain", "invite")
#: Invited learners notified per missing review, the share who answer, and how soon.
INVITES_PER_MISSING = 2
INVITE_ANSWER_SHARE = 0.6
INVITE_ANSWER_HOURS = 12.0


@dataclass
class Learner:
    id: str
    quality: dict[str, float]
    submitted_at: float
    bias: float
    noise: float
    dropout: bool
    careless: bool
    completed: int = 0
    seen: set[str] = field(default_factory=set)


@dataclass
class Course:
    learners: list[Learner]
    scores: list[Score]
    calibration: list[CalibrationResult]
    #: submission -> completed reviews by the review deadline
    completed: Counter[str]
    #: submission -> hours from its submission until it had ``MUST_BE_REVIEWED`` reviews
    waited: dict[str, float] = field(default_factory=dict)


def _learners(rng: random.Random, biased: bool) -> list[Learner]:
    learners = []
    for i in range(LEARNERS):
        skill = rng.gauss(0, 1)
        quality = {c: min(1.0, max(0.0, 0.55 + 0.2 * skill + 0.12 * rng.gauss(0, 1)))
                   for c in RUBRIC}  # fmt: skip
        if rng.random() < LATE_SHARE:
            submitted = rng.uniform(SUBMISSION_DEADLINE, REVIEW_DEADLINE - 12)
        else:
            submitted = SUBMISSION_DEADLINE * rng.betavariate(2, 1.3)
        learners.append(
            Learner(
                id=f"L{i:04d}",
                quality=quality,
                submitted_at=submitted,
                bias=rng.gauss(0, BIAS_SD) if biased else 0.0,
                noise=0.08 * math.exp(0.5 * rng.gauss(0, 1)),
                dropout=rng.random() < DROPOUT_SHARE,
                careless=rng.random() < CARELESS_SHARE,
            )
        )
    return learners


def _score(rng: random.Random, reviewer: Learner, quality: float, top: int) -> int:
    if reviewer.careless:
        return rng.randint(0, top)
    seen = quality + reviewer.bias + rng.gauss(0, reviewer.noise)
    return min(top, max(0, round(seen * top)))


def simulate(seed: int, biased: bool, policy: str = "today") -> Course:
    """One course: arrivals, pulls, leases and scores, in time order.

    ``policy`` (one of POLICIES) changes only allocation; the learners, their arrivals and
    their pulls come from the same seed, so the policies meet the same class.
    """
    rng = random.Random(seed * 2 + biased)
    extra_rng = random.Random(seed * 7 + biased)  # invitations: not to shift ``rng``
    learners = _learners(rng, biased)
    by_id = {learner.id: learner for learner in learners}
    load: Counter[str] = Counter()  # completed + leased, the allocation key
    completed: Counter[str] = Counter()
    totals: dict[str, list[float]] = {}  # submission -> reviews' totals, share of the top
    waited: dict[str, float] = {}
    invited: set[tuple[str, str]] = set()
    open_submissions: list[Learner] = []
    scores: list[Score] = []
    events: list[tuple[float, int, str, str, str]] = []
    sequence = 0

    def push(at: float, kind: str, learner: str, submission: str = "") -> None:
        nonlocal sequence
        sequence += 1
        heapq.heappush(events, (at, sequence, kind, learner, submission))

    for learner in learners:
        push(learner.submitted_at, "submit", learner.id)
    while events:
        now, _, kind, learner_id, submission = heapq.heappop(events)
        learner = by_id[learner_id]
        if kind == "submit":
            open_submissions.append(learner)
            if not learner.dropout:
                push(now + rng.expovariate(1 / FIRST_PULL_HOURS), "pull", learner_id)
        elif kind in ("pull", "invited"):
            if now >= REVIEW_DEADLINE:
                continue
            if kind == "pull" and learner.completed >= MUST_REVIEW:
                continue
            chosen = _pull(learner, open_submissions, load,
                           totals if policy != "today" else None)  # fmt: skip
            if kind == "invited" and (chosen is None or load[chosen.id] >= MUST_BE_REVIEWED):
                continue  # nothing needs them any more: an invitation is not a quota
            if chosen is None:
                push(now + RETRY_HOURS, "pull", learner_id)
                continue
            learner.seen.add(chosen.id)
            load[chosen.id] += 1
            if rng.random() < ABANDON_SHARE:
                push(now + LEASE_HOURS, "expire", learner_id, chosen.id)
            else:
                push(now + rng.uniform(0.5, 2.0), "finish", learner_id, chosen.id)
        elif kind == "expire" or now > REVIEW_DEADLINE:
            load[submission] -= 1
            push(now + rng.expovariate(1 / NEXT_PULL_HOURS), "pull", learner_id)
        else:  # a review finished in time
            completed[submission] += 1
            learner.completed += 1
            author = by_id[submission]
            total = 0.0
            for criterion, top in RUBRIC.items():
                points = _score(rng, learner, author.quality[criterion], top)
                scores.append(Score(submission, learner_id, criterion, Decimal(points)))
                total += points
            totals.setdefault(submission, []).append(total / sum(RUBRIC.values()))
            if completed[submission] == MUST_BE_REVIEWED:
                waited[submission] = now - author.submitted_at
            push(now + rng.expovariate(1 / NEXT_PULL_HOURS), "pull", learner_id)
            if policy == "invite" and learner.completed == MUST_REVIEW:
                missing = MUST_BE_REVIEWED - load[learner_id]
                helpers = [
                    other for other in learners
                    if other.completed >= MUST_REVIEW and other.id != learner_id
                    and learner_id not in other.seen and (other.id, learner_id) not in invited
                ][: max(0, missing) * INVITES_PER_MISSING]  # fmt: skip
                for helper in helpers:
                    invited.add((helper.id, learner_id))
                    if extra_rng.random() < INVITE_ANSWER_SHARE:
                        at = now + extra_rng.expovariate(1 / INVITE_ANSWER_HOURS)
                        push(at, "invited", helper.id)
    calibration = []
    for learner in learners:
        if learner.dropout:
            continue
        for _ in range(CALIBRATION_EXAMPLES):
            for criterion, top in RUBRIC.items():
                truth = min(1.0, max(0.0, rng.gauss(0.55, 0.25)))
                calibration.append(CalibrationResult(
                    learner.id, criterion, Decimal(_score(rng, learner, truth, top)),
                    Decimal(round(truth * top)),
                ))  # fmt: skip
    return Course(learners, scores, calibration, completed, waited)


def _pull(
    reviewer: Learner,
    candidates: list[Learner],
    load: Counter[str],
    totals: dict[str, list[float]] | None = None,
) -> Learner | None:
    """The allocation rule: needed first, fewest completed-plus-leased, then (with
    ``totals``) the most uncertain grade (``allocation.uncertainty``), then the oldest."""
    best, best_key = None, None
    for author in candidates:
        if author.id == reviewer.id or author.id in reviewer.seen:
            continue
        unsure = uncertainty(totals.get(author.id, []), 1.0) if totals is not None else 0
        key = (load[author.id] >= MUST_BE_REVIEWED, load[author.id], -unsure,
               author.submitted_at)  # fmt: skip
        if best_key is None or key < best_key:
            best, best_key = author, key
    return best


def rmse(course: Course, method: str, with_calibration: bool = False) -> float:
    """Root mean square error of the total, as % of the highest total, over graded ones."""
    scales = {c: CriterionScale(Decimal(0), Decimal(top)) for c, top in RUBRIC.items()}
    result = grade(course.scores, method, scales, course.calibration if with_calibration else ())
    by_id = {learner.id: learner for learner in course.learners}
    top_total = sum(RUBRIC.values())
    errors = []
    for submission, graded in result.results.items():
        truth = sum(by_id[submission].quality[c] * top for c, top in RUBRIC.items())
        errors.append((float(graded.total) - truth) ** 2)
    return 100 * math.sqrt(sum(errors) / len(errors)) / top_total


def _timing_scores(ring: bool) -> list[Score]:
    """10,000 submissions x 4 reviewers x 4 criteria of 0-4 points, biased reviewers.

    Reviewers are drawn at random, or (``ring``) submission i goes to reviewers
    i + 7919k: a review graph with no shortcuts, the slowest for the model to converge on
    (an allocation by arrival order leans that way: neighbours in time review each other).
    """
    rng = random.Random(7)
    n = TIMING_SUBMISSIONS
    bias = [rng.gauss(0, BIAS_SD) for _ in range(n)]
    scores = []
    for submission in range(n):
        quality = [rng.random() for _ in range(4)]
        if ring:
            reviewers = [(submission + k * 7919) % n for k in (1, 2, 3, 4)]
        else:
            reviewers = [r for r in rng.sample(range(n), 5) if r != submission][:4]
        for reviewer in reviewers:
            for c in range(4):
                seen = quality[c] + bias[reviewer] + rng.gauss(0, 0.1)
                level = min(4, max(0, round(seen * 4)))
                scores.append(Score(f"s{submission}", f"r{reviewer}", f"c{c}", Decimal(level)))
    return scores


def _seconds(scores: list[Score], method: str) -> tuple[float, float]:
    """(wall, CPU) seconds of ``grade``, best of 2: CPU too, as a busy machine inflates wall."""
    runs = []
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        grade(scores, method)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def timing_section() -> list[str]:
    random_graph, ring = _timing_scores(ring=False), _timing_scores(ring=True)
    lines = [
        f"Grading {TIMING_SUBMISSIONS:,} submissions x 4 reviews x 4 criteria "
        "(`peerlearn.review.grading.grading.grade`, best of 2; wall / CPU seconds):",
        "",
        "| method | random reviewers | ring of reviewers (slowest case) |",
        "|---|---:|---:|",
    ]
    for method in METHODS:
        cells = [_seconds(random_graph, method)]
        cells.append(_seconds(ring, method) if method == "model" else cells[0])
        lines.append(
            f"| `{method}` | " + " | ".join(f"{wall:.2f} / {cpu:.2f}" for wall, cpu in cells) + " |"
        )
    return lines


def allocation_latency() -> list[str]:
    """``bench/allocation_latency.py``'s figures, if that module exists; never fatal."""
    path = Path(__file__).resolve().parent / "allocation_latency.py"
    if not path.exists():
        return ["Allocation latency: skipped (bench/allocation_latency.py does not exist yet)."]
    spec = importlib.util.spec_from_file_location("allocation_latency", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    phases = [("", "request a review"), ("complete_", "complete it"),
              ("saturated_", "request when every log has its reviews")]  # fmt: skip
    lines = ["| database | submissions | step | p50 ms | p95 ms |", "|---|---:|---|---:|---:|"]
    targets = [("SQLite", "sqlite:///{folder}/bench.sqlite3")]
    if os.environ.get("PEERLEARN_BENCH_DATABASE_URL"):
        targets.append(("PostgreSQL", os.environ["PEERLEARN_BENCH_DATABASE_URL"]))
    for name, url in targets:
        with tempfile.TemporaryDirectory() as folder:
            try:
                figures = module.measure(url.format(folder=folder), TIMING_SUBMISSIONS)
            except Exception as error:  # a separate benchmark: report it, don't crash
                reason = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"
                lines.append(f"| {name} | {TIMING_SUBMISSIONS:,} | failed: {reason} | | |")
                continue
        for prefix, step in phases:
            if f"{prefix}p50" in figures:
                lines.append(
                    f"| {name} | {TIMING_SUBMISSIONS:,} | {step} | "
                    f"{figures[prefix + 'p50']:.1f} | {figures[prefix + 'p95']:.1f} |"
                )
    if len(targets) == 1:
        lines += ["", "PostgreSQL: skipped (set PEERLEARN_BENCH_DATABASE_URL to measure it)."]
    return ["Allocation latency (`bench/allocation_latency.py`):", "", *lines]


def accuracy_section(courses: dict[bool, list[Course]]) -> list[str]:
    """RMSE of every method, with and without reviewer bias, as a Markdown table."""
    out = [
        f"Simulated courses of {LEARNERS} learners, {len(SEEDS)} seeds each; rubric of "
        f"{len(RUBRIC)} criteria ({', '.join(f'0-{t}' for t in RUBRIC.values())} points); "
        f"{DROPOUT_SHARE:.0%} never review, {CARELESS_SHARE:.0%} review carelessly, "
        "reviewer noise differs per person (median 0.08 of the range); biased: reviewer "
        f"bias N(0, {BIAS_SD} of the range). RMSE of the total against the true total, "
        "as % of the highest total (mean ± sd over seeds; lower is better):",
        "",
        "| method | biased reviewers | unbiased reviewers |",
        "|---|---:|---:|",
    ]
    variants = [(method, method, False) for method in METHODS]
    variants.append(
        (f"`model` + {CALIBRATION_EXAMPLES} calibration examples per reviewer", "model", True)
    )
    for label, method, calibrated in variants:
        cells = []
        for biased in (True, False):
            values = [rmse(course, method, calibrated) for course in courses[biased]]
            cells.append(f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}")
        if not calibrated:
            label = f"`{method}`" + (" (default)" if method == DEFAULT_METHOD else "")
        out.append(f"| {label} | {cells[0]} | {cells[1]} |")
    return out


def _scales() -> dict[str, CriterionScale]:
    return {c: CriterionScale(Decimal(0), Decimal(top)) for c, top in RUBRIC.items()}


def ends_section(courses: dict[bool, list[Course]]) -> list[str]:
    """Criteria every reviewer (two or more) put at the top or the bottom, and logs that
    got the top level on every criterion from every reviewer: the true value, what the
    model gives and what ``bounded`` gives (mean, in points of the criterion / total)."""
    cells: dict[str, list[tuple[float, float, float]]] = {"top": [], "bottom": []}
    logs: dict[str, list[tuple[float, float, float]]] = {"top": [], "bottom": []}
    for course in courses[True] + courses[False]:
        by_id = {learner.id: learner for learner in course.learners}
        model, bounded = (grade(course.scores, m, _scales()) for m in ("model", "bounded"))
        seen: dict[tuple[str, str], set[int]] = {}
        count: Counter[tuple[str, str]] = Counter()
        for score in course.scores:
            seen.setdefault((score.submission, score.criterion), set()).add(int(score.points))
            count[(score.submission, score.criterion)] += 1
        everywhere: dict[str, set[str | None]] = {}
        for (submission, criterion), points in seen.items():
            top = RUBRIC[criterion]
            truth = by_id[submission].quality[criterion] * top
            end = "top" if points == {top} else "bottom" if points == {0} else None
            everywhere.setdefault(submission, set()).add(end)
            if end is None or count[(submission, criterion)] < 2:
                continue
            cells[end].append((
                truth,
                float(model.results[submission].by_criterion[criterion]),
                float(bounded.results[submission].by_criterion[criterion]),
            ))  # fmt: skip
        for submission, ends in everywhere.items():
            if len(ends) == 1 and None not in ends and model.results[submission].reviews >= 2:
                truth = sum(by_id[submission].quality[c] * t for c, t in RUBRIC.items())
                logs[next(iter(ends)) or ""].append((
                    truth,
                    float(model.results[submission].total),
                    float(bounded.results[submission].total),
                ))  # fmt: skip
    out = [
        "Unanimous ends (both conditions, every seed): criteria every reviewer (two or more) "
        "put at the top or the bottom of the scale, and logs every reviewer gave the top "
        "(bottom) level on every criterion. Mean of the true value, of the `model`'s grade and of "
        "`bounded`'s, and the RMSE of each against the truth, in points (of the criterion; "
        f"of the total of {sum(RUBRIC.values())} for logs):",
        "",
        "| case | n | true | `model` | `bounded` | RMSE `model` | RMSE `bounded` |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, rows in (("criterion all top", cells["top"]),
                        ("criterion all bottom", cells["bottom"]),
                        ("log all top", logs["top"]),
                        ("log all bottom", logs["bottom"])):  # fmt: skip
        if not rows:
            out.append(f"| {label} | 0 | | | | | |")
            continue
        truths, model_values, bounded_values = zip(*rows, strict=True)
        out.append(
            f"| {label} | {len(rows)} | {statistics.mean(truths):.2f} | "
            f"{statistics.mean(model_values):.2f} | {statistics.mean(bounded_values):.2f} | "
            f"{_rmse(model_values, truths):.3f} | {_rmse(bounded_values, truths):.3f} |"
        )
    return out


def _rmse(values: tuple[float, ...], truth: tuple[float, ...]) -> float:
    return math.sqrt(statistics.mean((v - t) ** 2 for v, t in zip(values, truth, strict=True)))


def interval_section(courses: dict[bool, list[Course]]) -> list[str]:
    """How often the 90 % interval holds the true total, and how wide it is."""
    out = [
        f"Credible intervals ({INTERVAL_LEVEL:.0%}) of the model-based methods: the share of "
        "graded logs whose true total lies inside (should be 85-95 %), and the mean width "
        "as % of the highest total (mean ± sd over seeds):",
        "",
        "| method | reviewers | coverage | mean width |",
        "|---|---|---:|---:|",
    ]
    for method in sorted(INTERVAL_METHODS):
        for biased in (True, False):
            coverage, width = [], []
            for course in courses[biased]:
                by_id = {learner.id: learner for learner in course.learners}
                result = grade(course.scores, method, _scales())
                inside = widths = 0.0
                for submission, graded in result.results.items():
                    assert graded.low is not None and graded.high is not None
                    truth = sum(by_id[submission].quality[c] * t for c, t in RUBRIC.items())
                    inside += float(graded.low) <= truth <= float(graded.high)
                    widths += float(graded.high - graded.low)
                coverage.append(100 * inside / len(result.results))
                width.append(100 * widths / len(result.results) / sum(RUBRIC.values()))
            out.append(
                f"| `{method}` | {'biased' if biased else 'unbiased'} | "
                f"{statistics.mean(coverage):.1f} ± {statistics.stdev(coverage):.1f} % | "
                f"{statistics.mean(width):.1f} ± {statistics.stdev(width):.1f} % |"
            )
    return out


def allocation_section(courses: list[Course]) -> list[str]:
    """How many submissions got their reviews in time, and the spread of review counts."""
    reviewed = [course.completed[learner.id] for course in courses for learner in course.learners]
    late = [
        course.completed[learner.id]
        for course in courses
        for learner in course.learners
        if learner.submitted_at > SUBMISSION_DEADLINE
    ]
    enough = sum(count >= MUST_BE_REVIEWED for count in reviewed)
    late_enough = sum(count >= MUST_BE_REVIEWED for count in late)
    histogram = Counter(min(count, 6) for count in reviewed)
    quartiles = statistics.quantiles(reviewed, n=4)
    return [
        f"Allocation ({len(courses)} courses, {len(reviewed)} submissions): {enough} "
        f"({enough / len(reviewed):.1%}) reach must_be_reviewed = {MUST_BE_REVIEWED} by the "
        f"review deadline; of the {len(late)} late submitters {late_enough} "
        f"({late_enough / max(len(late), 1):.1%}). Completed reviews per submission: min "
        f"{min(reviewed)}, median {statistics.median(reviewed):g} (quartiles "
        f"{quartiles[0]:g}-{quartiles[2]:g}), max {max(reviewed)}.",
        "",
        "| completed reviews | " + " | ".join("6+" if k == 6 else str(k) for k in range(7)) + " |",
        "|---|" + "---:|" * 7,
        "| submissions | " + " | ".join(str(histogram[k]) for k in range(7)) + " |",
    ]


def policy_section() -> list[str]:
    """Today's allocation against uncertainty-first and invitations, on the same classes
    (biased reviewers): reviews given, the model's RMSE, coverage, and the late
    submitters' wait for their ``MUST_BE_REVIEWED`` reviews."""
    out = [
        f"Allocation policies on the same simulated classes ({LEARNERS} learners, "
        f"{len(SEEDS)} seeds, biased reviewers). *today*: fewest reviews first, ties to the "
        "oldest; *uncertain*: ties to the most uncertain grade first "
        "(`allocation.uncertainty`); *invite*: as *uncertain*, and when a log still needs "
        "reviews after its author gave theirs, up to "
        f"{INVITES_PER_MISSING} learners who are done per missing review are invited, "
        f"{INVITE_ANSWER_SHARE:.0%} of them answer (after ~{INVITE_ANSWER_HOURS:g} h). "
        "Late: submitted after the submission deadline; wait: hours from submitting to "
        f"{MUST_BE_REVIEWED} reviews (median / 90th percentile of those who got them).",
        "",
        "| policy | reviews per class | `model` RMSE % | reach 3 | late reach 3 | late wait h |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for policy in POLICIES:
        courses = [simulate(seed, True, policy) for seed in SEEDS]
        reviews = statistics.mean(sum(c.completed.values()) for c in courses)
        errors = [rmse(course, "model") for course in courses]
        everyone = [c.completed[x.id] for c in courses for x in c.learners]
        late = [(c, x) for c in courses for x in c.learners if x.submitted_at > SUBMISSION_DEADLINE]
        late_ok = [c.completed[x.id] >= MUST_BE_REVIEWED for c, x in late]
        waits = sorted(c.waited[x.id] for c, x in late if x.id in c.waited)
        wait = (f"{statistics.median(waits):.0f} / {waits[int(0.9 * (len(waits) - 1))]:.0f}"
                if waits else "-")  # fmt: skip
        out.append(
            f"| {policy} | {reviews:.0f} | {statistics.mean(errors):.2f} ± "
            f"{statistics.stdev(errors):.2f} | "
            f"{sum(n >= MUST_BE_REVIEWED for n in everyone) / len(everyone):.1%} | "
            f"{sum(late_ok) / max(len(late_ok), 1):.1%} | {wait} |"
        )
    return out


STEP_SIZES = (5, 12, 30)
STEP_SEEDS = range(40)
STEP_LIMIT = 60


def last_submitter_steps(size: int, seed: int, invitations: bool) -> int | None:
    """A class that submits one after another (``allocation.choose`` itself, quota and
    requirement 2): at each step the next learner submits, and everyone with reviews to
    give asks for one; with ``invitations``, learners who are done and were invited answer
    with probability one half per step. Steps from the last submission until its log has
    its reviews, or None if not within ``STEP_LIMIT``."""
    rng = random.Random(seed)
    quota = required = 2
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    arrived: list[int] = []
    given: Counter[int] = Counter()
    load: Counter[int] = Counter()
    seen: dict[int, set[int]] = {}
    invited: set[int] = set()

    def ask(reviewer: int) -> None:
        pool = [Candidate(a, a, None, t0 + timedelta(minutes=i), load[a], required)
                for i, a in enumerate(arrived)]  # fmt: skip
        got = choose(pool, reviewer_id=reviewer, excluded=seen[reviewer])
        if got is not None and not (reviewer in invited and got[1]):
            seen[reviewer].add(got[0].log_id)
            load[got[0].log_id] += 1
            given[reviewer] += 1

    for step in range(size + STEP_LIMIT):
        if step < size:
            arrived.append(step)
            seen[step] = set()
        for learner in list(arrived):
            if given[learner] < quota or (learner in invited and rng.random() < 0.5):
                ask(learner)
        if invitations:  # an author who is done while their log still waits
            done = [a for a in arrived if given[a] >= quota]
            if any(load[a] < required for a in done):
                invited.update(done)
            else:
                invited.clear()
        if step >= size - 1 and load[size - 1] >= required:
            return step - (size - 1)
    return None


def steps_section() -> list[str]:
    out = [
        "The last to submit when a class submits one after another (each step: the next "
        "learner submits, everyone with reviews left asks for one; quota and requirement "
        f"2; {len(STEP_SEEDS)} runs per size): steps from the last submission until that "
        "log has its 2 reviews.",
        "",
        "| class size | today: reviewed within "
        f"{STEP_LIMIT} steps | with invitations: reviewed | median / max steps |",
        "|---:|---:|---:|---:|",
    ]
    for size in STEP_SIZES:
        today = [last_submitter_steps(size, seed, False) for seed in STEP_SEEDS]
        invited = [last_submitter_steps(size, seed, True) for seed in STEP_SEEDS]
        done = sorted(x for x in invited if x is not None)
        out.append(
            f"| {size} | {sum(x is not None for x in today)}/{len(today)} | "
            f"{len(done)}/{len(invited)} | "
            + (f"{statistics.median(done):g} / {max(done)} |" if done else "- |")
        )
    return out


def main() -> None:
    started = time.perf_counter()
    courses = {biased: [simulate(seed, biased) for seed in SEEDS] for biased in (True, False)}
    out = ["## Peer grading (`bench/peer_sim.py`)", ""]
    out += accuracy_section(courses)
    out += ["", *ends_section(courses), "", *interval_section(courses)]
    out += ["", *allocation_section(courses[True] + courses[False]), ""]
    out += timing_section()
    out += ["", *allocation_latency(), ""]
    out += [*policy_section(), "", *steps_section(), ""]
    out.append(f"_Simulation took {time.perf_counter() - started:.0f} s._")
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1:] == ["--allocation"]:  # only the allocation comparison (a few minutes)
        print("\n".join([*policy_section(), "", *steps_section()]))
    else:
        main()
