"""Calibration: staff-scored examples, learners' practice on them, and the comparison that
weights reviewers."""
