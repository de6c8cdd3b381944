"""Ids from requests: only numbers an INTEGER column can hold reach a query."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from peerlearn.db import MAX_ID, as_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1), (" 12 ", 12), ("007", 7), (str(MAX_ID), MAX_ID), (5, 5),
        (str(MAX_ID + 1), None), ("99999999999999999999", None), ("1" * 5000, None),
        ("0", None), ("-1", None), ("+1", None), ("1e3", None), ("1_000", None), ("abc", None),
        ("²", None), ("", None), (None, None), (True, None), (MAX_ID + 1, None), (-3, None),
    ],
)  # fmt: skip
def test_as_id_keeps_only_ids_the_database_can_hold(value, expected):
    assert as_id(value) == expected


def test_a_url_number_beyond_the_database_matches_no_route(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/proposals/{MAX_ID}")[1] == {"proposal_id": MAX_ID}
    with pytest.raises(NotFound):
        adapter.match(f"/proposals/{MAX_ID + 1}")
