"""Recognition: Open Badges for what learners, reviewers and contributors did.

Sits above catalog, review and authoring: it reads their rows and reacts to their
signals; none of them imports it.
"""
