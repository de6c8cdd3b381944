"""What the staff pages of peer review share (the circle scope, confirm forms, the page frame),
the waiting list and a circle's review settings."""
