"""How long the grading model's fit takes on a large synthetic course.

    .venv/bin/python bench/grading_fit.py [LOGS] [--reference]

LOGS build logs (default 10,000), each scored by 4 of the other learners on 4 criteria
of a five-level rubric, with calibration for a tenth of them: the size of the gradebook
of issue #15. Prints the seconds of ``grading_model.fit`` (best of three) and of the
whole ``grading.grade`` (what the stored-grades job runs). ``--reference`` also times the
pure-Python fit kept in ``tests/review/grading/reference_grading_model.py`` (seconds each).
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peerlearn.review.grading import grading, grading_model


def course(
    logs: int, seed: int = 15
) -> tuple[list[tuple[str, str, str, float]], list[tuple[str, float]]]:
    """Scores normalized to [0, 1]: true score + reviewer bias + noise, rounded to a level."""
    rng = random.Random(seed)
    bias = [rng.gauss(0, 0.08) for _ in range(logs)]
    noise = [rng.uniform(0.05, 0.25) for _ in range(logs)]
    observations = []
    for u in range(logs):
        truth = [rng.random() for _ in range(4)]
        for k in range(1, 5):
            v = (u + k * 7) % logs
            for c in range(4):
                y = min(1.0, max(0.0, truth[c] + bias[v] + rng.gauss(0, noise[v])))
                observations.append((str(u), str(v), f"c{c}", round(y * 4) / 4))
    calibration = [
        (str(v), round(rng.gauss(bias[v], noise[v]) * 4) / 4) for v in range(0, logs, 10)
    ]
    return observations, calibration


def best(seconds: list[float]) -> str:
    return f"{min(seconds):.3f} s"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    logs = int(args[0]) if args else 10_000
    observations, calibration = course(logs)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = grading_model.fit(observations, calibration)
        timings.append(time.perf_counter() - start)
    print(f"fit, {logs} logs x 4 x 4: {best(timings)} ({result.iterations} iterations)")
    scales = {f"c{c}": grading.CriterionScale(Decimal(0), Decimal(4)) for c in range(4)}
    scores = [
        grading.Score(submission=u, reviewer=v, criterion=c, points=Decimal(int(y * 4)))
        for u, v, c, y in observations
    ]
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        grading.grade(scores, "bounded", scales, [])
        timings.append(time.perf_counter() - start)
    print(f"grading.grade(method='bounded') end to end: {best(timings)}")
    if "--reference" in sys.argv:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "review"))
        import reference_grading_model

        start = time.perf_counter()
        reference_grading_model.fit(observations, calibration)
        print(f"reference pure-Python fit: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
