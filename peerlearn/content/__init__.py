"""Versioned course content shared by every feature: the course and module models,
content-addressed text and revisions, history, line and word diffs, the three-way merge.
It imports no feature package."""
