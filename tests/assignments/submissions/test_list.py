"""The submissions list: who has a build log, in what state, with counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from peerlearn.assignments import submissions as services
from tests.fixtures.submissions import add_entry


def _rows(html: str) -> dict[str, str]:
    """Each table row's HTML by the username in its first cell."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in body.split("<tr>")[1:]:
        name = re.search(r"<td>([^<]+)</td>", row)
        assert name
        rows[name.group(1)] = row
    return rows


def _cells(row: str) -> list[str]:
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_list_shows_every_learner_state_and_counts(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], enrol: Callable[..., Any], setting: dict[str, Any],
    create_assignment: Callable[..., Any],
) -> None:  # fmt: skip
    course, assignment = setting["course"], setting["assignment"]
    alice, bob, carol, dan = (create_user(n) for n in ("alice", "bob", "carol", "dan"))
    for user in (alice, bob, carol, dan):
        enrol(user, course)
    make_log(alice, assignment, entries=2, photos=1)
    make_log(bob, assignment, entries=3, photos=2, submissions=2)
    carol_log = make_log(carol, assignment, entries=1, photos=0, submissions=1)
    add_entry(carol_log, 5, "Changed after submitting.")
    from peerlearn.extensions import db

    db.session.commit()
    other = create_assignment(course, slug="other")
    make_log(dan, other, submissions=1)  # another assignment: not listed

    login(setting["maintainer"])
    response = client.get(setting["list"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    assert set(rows) == {"alice", "bob", "carol"}

    alice_cells = _cells(rows["alice"])
    assert alice_cells[1] == "Draft only"
    assert alice_cells[2:5] == ["2", "2", "0"]

    bob_cells = _cells(rows["bob"])
    assert bob_cells[1].startswith("Submitted version 2 on")
    assert "Draft changed" not in bob_cells[1]
    assert bob_cells[2:5] == ["3", "6", "v1 v2"]

    carol_cells = _cells(rows["carol"])
    assert carol_cells[1].startswith("Submitted version 1 on")
    assert "Draft changed since" in carol_cells[1]
    assert carol_cells[2] == "2"

    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert facts == {"Enrolled": "4", "Build logs": "3", "Submitted": "2", "Draft only": "1"}
    assert f'href="{setting["zip"]}"' in html


def test_list_sorts_by_activity_or_name_and_paginates(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any], monkeypatch: Any,
) -> None:  # fmt: skip
    assignment = setting["assignment"]
    for name in ("zoe", "adam", "mia"):
        make_log(create_user(name), assignment, entries=1, photos=0)
    monkeypatch.setattr(services, "PER_PAGE", 2)
    login(setting["maintainer"])

    first = _rows(client.get(setting["list"]).get_data(as_text=True))
    assert list(first) == ["mia", "adam"]  # latest activity first
    second = client.get(f"{setting['list']}?page=2").get_data(as_text=True)
    assert list(_rows(second)) == ["zoe"]
    assert 'rel="prev"' in second and "Page 2 of 2" in second
    assert client.get(f"{setting['list']}?page=3").status_code == 404

    by_name = _rows(client.get(f"{setting['list']}?sort=name").get_data(as_text=True))
    assert list(by_name) == ["adam", "mia"]


def test_empty_list_says_so(
    client: Any, login: Callable[..., Any], setting: dict[str, Any]
) -> None:
    login(setting["maintainer"])
    html = client.get(setting["list"]).get_data(as_text=True)
    assert "No learner has started a build log" in html
    assert setting["zip"] not in html


def test_query_count_does_not_grow_with_logs(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    make_log: Callable[..., Any], setting: dict[str, Any], count_queries: Callable[..., Any],
) -> None:  # fmt: skip
    assignment = setting["assignment"]
    for n in range(2):
        make_log(create_user(f"first{n}"), assignment, entries=2, photos=1, submissions=1)
    login(setting["maintainer"])

    with count_queries() as few:
        assert client.get(setting["list"]).status_code == 200
    for n in range(6):
        make_log(create_user(f"more{n}"), assignment, entries=3, photos=2, submissions=2)
    with count_queries() as many:
        html = client.get(setting["list"]).get_data(as_text=True)
    assert len(_rows(html)) == 8
    assert many.count == few.count, many.statements
