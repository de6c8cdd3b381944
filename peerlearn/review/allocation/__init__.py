"""Who reviews what: the pull queue, its leases and counts, invitations, resubmissions, and the
learners stuck waiting for reviews (``allocation.py`` is the pure rule)."""
