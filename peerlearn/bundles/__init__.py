"""Course bundles: the plain-text course format (see docs/course-format.md).

``format``, ``reader`` and ``writer`` are pure (no Flask, no database); ``services``
moves bundles in and out of the database.
"""
