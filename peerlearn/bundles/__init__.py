"""Course bundles: the plain-text course format (see docs/course-format.md).

Nothing here imports a feature, Flask or the database (except ``assignment_messages``,
which translates the reader's error codes through Babel): ``format``, ``reader`` and
``writer`` for the course, ``assignment_*`` for an assignment's YAML file
(``assignment_spec`` is its model), ``markdown_import`` turns lessons written for the
Carpentries Workbench or MkDocs into bundles. Moving a bundle in and out of the database
is :mod:`peerlearn.authoring.bundle_io`, above the features whose tables it writes.
"""
