"""Assignments, rubrics, build logs and their media."""
