"""Only the course's maintainers (and site admins) see submissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def paths(
    setting: dict[str, Any], make_log: Callable[..., Any], create_user: Callable[..., Any]
) -> list[str]:
    log = make_log(create_user("sub"), setting["assignment"], entries=1, photos=0, submissions=1)
    return [setting["list"], f"{setting['list']}/{log.submissions[0].id}", setting["zip"]]


def test_anonymous_is_sent_to_login(client: Any, paths: list[str]) -> None:
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_enrolled_learner_and_other_maintainers_are_refused(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    create_course: Callable[..., Any], enrol: Callable[..., Any], setting: dict[str, Any],
    paths: list[str],
) -> None:  # fmt: skip
    learner = create_user("enrolled")
    enrol(learner, setting["course"])
    login(learner)
    for path in paths:
        assert client.get(path).status_code == 403, path

    other_maintainer = create_user("elsewhere")
    create_course("elsewhere", maintainer=other_maintainer)
    client.submit("/logout")
    login(other_maintainer)
    for path in paths:
        assert client.get(path).status_code == 403, path


def test_maintainer_and_admin_are_allowed(
    client: Any, login: Callable[..., Any], create_user: Callable[..., Any],
    setting: dict[str, Any], paths: list[str],
) -> None:  # fmt: skip
    login(setting["maintainer"])
    for path in paths:
        assert client.get(path).status_code == 200, path
    client.submit("/logout")
    login(create_user("root", is_admin=True))
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_unknown_course_or_assignment_is_not_found(
    client: Any, login: Callable[..., Any], setting: dict[str, Any], paths: list[str]
) -> None:
    login(setting["maintainer"])
    for path in paths:
        assert client.get(path.replace("/digesters/", "/nope/")).status_code == 404, path
        assert client.get(path.replace("/a/gas-test/", "/a/nope/")).status_code == 404, path
