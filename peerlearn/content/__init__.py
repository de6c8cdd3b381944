"""Versioned course content shared by every feature: the course and module models,
content-addressed text and revisions, history, line and word diffs, the three-way merge,
and one implementation of saving, reverting, history, sync and proposals for every
document type (``documents``: modules and assignments register theirs from their own
packages). It imports no feature package."""
