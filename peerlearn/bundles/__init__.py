"""Course bundles: the plain-text course format (see docs/course-format.md).

``format``, ``reader`` and ``writer`` are pure (no Flask, no database); ``services``
moves bundles in and out of the database; ``markdown_import`` (pure too) turns lessons
written for the Carpentries Workbench or MkDocs into bundles.
"""
