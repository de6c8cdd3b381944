"""The gradebook: one row per build log, overrides, regrade answers, the CSV export."""
