"""What the staff pages of every review sub-package share: where an assignment's review
pages live, and how a service's refusal is shown."""

from __future__ import annotations

from flask import render_template

#: Where an assignment's review pages live.
BASE = "/courses/<slug>/a/<assignment_slug>"

#: A rendered page, with its status when it is not 200.
Page = str | tuple[str, int]


def refused_page(message: str, back: str, status: int = 409) -> tuple[str, int]:
    """A service's refusal, explained, with a way back (409 unless told otherwise)."""
    return render_template("review/staff_refused.html", message=message, back=back), status
