"""The permission checks are pure functions of the acting user (``Actor``): who they are,
whether a site admin, which courses they maintain and which languages they translate.
No app and no database: the objects are stand-ins with the attributes a check reads.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from peerlearn import permissions
from peerlearn.permissions import ANONYMOUS, Actor, actor_of

pytestmark = pytest.mark.pure  # no app, no database: see tests/conftest.py

COURSE = SimpleNamespace(id=7, forked_from=None, translation_of=None)
OTHER = SimpleNamespace(id=8, forked_from=None, translation_of=None)
LEARNER = Actor(id=1)
MAINTAINER = Actor(id=2, maintained_course_ids=frozenset({7}))
ADMIN = Actor(id=3, is_admin=True)
TRANSLATOR = Actor(id=4, translator_locales=frozenset({"sw"}))


def test_maintainers_and_admins_edit_a_course_and_nobody_else() -> None:
    everyone = (ANONYMOUS, LEARNER, MAINTAINER, ADMIN)
    assert [permissions.can_edit_course(a, COURSE) for a in everyone] == [False, False, True, True]
    assert permissions.can_edit_course(MAINTAINER, OTHER) is False
    assert permissions.can_remove_maintainer(MAINTAINER, COURSE) is False
    assert permissions.can_remove_maintainer(ADMIN, COURSE) is True


def test_only_a_language_s_translators_review_it_and_admins_also_export_it() -> None:
    assert permissions.can_review_translations(TRANSLATOR, "sw") is True
    assert permissions.can_review_translations(TRANSLATOR, "fr") is False
    assert permissions.can_review_translations(ADMIN, "sw") is False
    assert permissions.can_export_translations(ADMIN, "sw") is True
    assert permissions.can_export_translations(LEARNER, "sw") is False


def test_the_moderation_queue_is_for_maintainers_and_admins() -> None:
    assert [permissions.can_see_reports(a) for a in (ANONYMOUS, LEARNER, MAINTAINER, ADMIN)] == [
        False, False, True, True
    ]  # fmt: skip


def test_own_things_are_their_owner_s() -> None:
    log = SimpleNamespace(user_id=1, assignment=SimpleNamespace(course=COURSE))
    assert permissions.can_edit_log(LEARNER, log) is True
    assert permissions.can_edit_log(ADMIN, log) is False
    assert permissions.can_read_review_of(MAINTAINER, log) is True
    assert permissions.can_read_review_of(ADMIN, log) is True
    assert permissions.can_read_review_of(TRANSLATOR, log) is False
    thread_audience = {1, 2}
    assert permissions.can_view_thread(ANONYMOUS, thread_audience, False, False) is False
    assert permissions.can_view_thread(LEARNER, thread_audience, False, False) is True


def test_an_actor_is_built_from_the_facts_read_with_the_user() -> None:
    user = SimpleNamespace(id=5, is_authenticated=True, is_admin=False)
    facts = {permissions.MAINTAINED: "7,12", permissions.TRANSLATED: "es,sw"}
    assert actor_of(user, facts) == Actor(
        id=5, maintained_course_ids=frozenset({7, 12}), translator_locales=frozenset({"es", "sw"})
    )
    assert actor_of(user, {}) == Actor(id=5)
    assert actor_of(SimpleNamespace(is_authenticated=False), facts) is ANONYMOUS
