"""Courses as learners meet them: the catalog, search, enrolment and progress."""
