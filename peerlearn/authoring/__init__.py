"""Course content: modules, their revisions and the media they show."""
