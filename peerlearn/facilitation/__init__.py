"""What a circle's facilitators use: the view of every member's progress before the weekly
meeting (with its CSV), messages to the circle, and co-facilitation.

It sits just above peer review, whose counts it reads (stuck logs, progress rules, review
counts) rather than computing them again, and below offline.
"""
