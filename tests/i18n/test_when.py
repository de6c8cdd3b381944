"""Every moment on every page is written one way: the reader's language and zone, to the
minute, with the zone said, and never as an ambiguous all-digits date."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from flask_login import login_user

from peerlearn.i18n import when

MOMENT = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [
        ("en", "UTC", ("Dec 7, 2026", "2:05", "PM", "UTC")),
        ("es", "America/La_Paz", ("7 dic 2026", "10:05", "-0400")),
        ("fr", "Africa/Kigali", ("7 déc. 2026", "16:05", "+0200")),
        ("sw", "Africa/Nairobi", ("7 Des 2026", "17:05", "+0300")),
        ("rw", "Africa/Kigali", ("2026", "16:05", "+0200")),
        ("qu", "America/Lima", ("7 Dic 2026", "9:05", "PET")),
    ],
)
def test_a_moment_names_its_zone_in_the_readers_language(app, create_user, locale, zone, expected):
    reader = create_user(f"reader-{locale}", locale=locale, timezone=zone)
    with app.test_request_context("/"):
        login_user(reader)
        with force_locale(locale):
            text = when(MOMENT)
    for part in expected:
        assert part in text, (text, part)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", text)


def test_no_moment_is_an_empty_string(app):
    with app.test_request_context("/"):
        assert when(None) == ""
