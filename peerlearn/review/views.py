"""The ``review`` blueprint: it has no routes of its own, only the blueprints of its
sub-packages, nested (endpoints ``review.<sub-package>.<view>``), and the partial
templates they share (``review/templates/review/``); each sub-package keeps its pages'
templates in its own ``templates/review/``.

Every route of peer review is on the blueprint of the sub-package that owns it, in that
package's ``views`` module; this module is the one place that gathers them, so nothing is
added to a blueprint by importing a module for its side effect.
"""

from __future__ import annotations

from flask import Blueprint

from peerlearn.review.calibration.views import bp as calibration
from peerlearn.review.flags.views import bp as flags
from peerlearn.review.gradebook.views import bp as gradebook
from peerlearn.review.reviewing.views import bp as reviewing
from peerlearn.review.staff.views import bp as staff
from peerlearn.review.teams.views import bp as teams

bp = Blueprint("review", __name__, template_folder="templates")
for child in (reviewing, staff, flags, calibration, gradebook, teams):
    bp.register_blueprint(child)
