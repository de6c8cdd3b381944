"""What assignments announce to the features above them, which may react without this
package importing them (blinker, as Flask's own signals).

Receivers run synchronously inside the sender's call, in the same database session and so
in the same transaction: what they write is committed, or rolled back, with the change that
caused it. Connect them at app setup (``create_app``), never at import time.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A learner submitted a version of their build log. Sender: the ``BuildLog``; keyword
#: ``submission``: the new ``Submission`` (already flushed, so it has an id and a date).
#: Peer review puts the log in its queue (``review.allocation.queue.enqueue``).
log_submitted = _signals.signal("log-submitted")
