"""A learner's side of peer review: writing a review, the feedback received, the review step
of the assignment page."""
