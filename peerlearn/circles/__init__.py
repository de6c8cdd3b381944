"""Learning circles: a group that takes one shared course together, on its own dates, in
its own language, with a facilitator and a weekly meeting (issue #13).

The package sits just below peer review: review (allocation within a circle), the
facilitator's view and discussions build on it, while it reads only courses, assignments
and accounts. A learner outside every circle follows the course's own dates.
"""
