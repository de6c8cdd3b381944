"""A grade for reviewing, as in Moodle's workshop: pure, like ``grading`` and ``standing``.

Each learner gets a reviewing grade from 0 to 100 for the reviews they gave in an
assignment, and the assignment's ``reviewing_weight`` (a percentage, 0 by default) says how
much of the final grade it is. The formula and the reasons for it are in
``docs/peer-review.md`` ("A grade for reviewing"); in short::

    accuracy     = agreement of their scores with the grades (standing.review_agreement)
    helpfulness  = (mean of the authors' ratings - 1) / 4            (ratings are 1 to 5)
    quality      = 0.75 * accuracy + 0.25 * helpfulness   (accuracy alone without ratings)
    completion   = min(1, reviews given / must_review)             (extra reviews included)
    reviewing    = 100 * completion * quality

    final = (1 - w) * peer grade + w * reviewing / 100 * highest total,  w = weight / 100

Accuracy weighs most because it is measured on every score against the consensus of
several reviewers (the model's fitted grades when the assignment uses the model) and no
single person can move it; helpfulness is one author's opinion, easily coloured by the
score they received, and many reviews are never rated. Completion keeps the grade for the
work asked: fewer reviews than ``must_review`` cannot earn full marks, and extra reviews
add evidence (their accuracy and ratings are averaged in) but never more than 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from peerlearn.review.grading.grading import FIXED_CONTEXT, TOTAL_QUANTUM

#: Accuracy's share of the quality of a learner's reviews; helpfulness has the rest.
ACCURACY_SHARE = Decimal("0.75")
#: The reviewing grade's scale: 0 to this.
TOP = Decimal(100)


def reviewing_grade(
    agreement: Decimal | None, ratings: Sequence[int], given: int, must_review: int
) -> Decimal | None:
    """The reviewing grade (0 to 100, two decimals) of one learner.

    ``agreement`` is in [0, 1] (None while none of their reviews can be compared with a
    grade); ``ratings`` are the authors' helpfulness ratings (1 to 5) of their reviews;
    ``given`` counts their reviews that count, extra ones included. No review given is 0;
    reviews given but none comparable yet is None ("not yet").
    """
    with localcontext(FIXED_CONTEXT):
        if given <= 0:
            return Decimal("0.00")
        if agreement is None:
            return None
        quality = agreement
        if ratings:
            helpfulness = (Decimal(sum(ratings)) / len(ratings) - 1) / 4
            quality = ACCURACY_SHARE * agreement + (1 - ACCURACY_SHARE) * helpfulness
        completion = min(Decimal(1), Decimal(given) / max(must_review, 1))
        value = min(max(TOP * completion * quality, Decimal(0)), TOP)
        return value.quantize(TOTAL_QUANTUM, rounding=ROUND_HALF_UP)


def blended(
    peer_total: Decimal | None, reviewing: Decimal | None, weight: int, max_total: Decimal
) -> Decimal | None:
    """The final grade before any override: the peers' grade and, by ``weight`` percent,
    the reviewing grade on the same scale. Weight 0, no peer grade yet, or no reviewing
    grade yet: the peers' grade as it is (so nothing changes unless a maintainer asks)."""
    if peer_total is None or reviewing is None or weight <= 0:
        return peer_total
    with localcontext(FIXED_CONTEXT):
        share = Decimal(min(weight, 100)) / 100
        value = (1 - share) * peer_total + share * reviewing / TOP * max_total
        return value.quantize(TOTAL_QUANTUM, rounding=ROUND_HALF_UP)
