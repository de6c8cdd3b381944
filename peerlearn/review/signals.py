"""What review tells the features above it, which it may not import (recognition issues
badges from these). Each is sent inside the service, before the view commits, so a
receiver's rows are part of the same transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
#: ``review_submitted.send(review)``: a review was submitted; its log's grade may change.
review_submitted = _signals.signal("review-submitted")
#: ``review_rated.send(review)``: the author rated how helpful a review was.
review_rated = _signals.signal("review-rated")
#: ``grade_overridden.send(log)``: a maintainer gave the build log a grade of their own.
grade_overridden = _signals.signal("grade-overridden")
