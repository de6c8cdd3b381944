"""Peer review: allocation, reviews, calibration, grading and feedback on feedback."""
