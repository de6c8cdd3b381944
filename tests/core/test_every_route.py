"""Every route of the app, read from its URL map and filled with real objects from the
``world`` fixture (tests/fixtures/world.py), so that a request reaches the view itself:

- a POST, PUT, PATCH or DELETE without a CSRF token is refused with the CSRF error (400),
  even from the user the route is for (a CSRF-exempt route cannot hide behind a 403 or a
  404 for a made-up id);
- a method a route does not declare answers 405;
- every GET endpoint is classified, by a person, as PUBLIC (anyone may read it: it answers
  an anonymous visitor with 200) or PRIVATE (an anonymous visitor is sent to the login page
  or refused with 403, while the user named for it gets 200 — so the refusal is about the
  visitor, not about a missing object).

A route added later is checked without changing this file, and fails until it is
classified and its URL variables can be filled from the world.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from tests.fixtures.world import World

#: Methods that change state: Flask-WTF checks the CSRF token on each of them.
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CHECKED = ("GET", *UNSAFE)
#: What the CSRF error page says (the English text of peerlearn.errors' CSRF handler).
CSRF_REFUSAL = "The form had expired or was sent from another site."

#: GET endpoints anyone may open, signed in or not: each checked by reading its view. An
#: anonymous visitor gets 200 with the world's real objects.
PUBLIC = {
    "catalog.index": "the catalog",
    "catalog.course": "a course page",
    "catalog.module": "a module of a course",
    "catalog.media": "an image a module shows",
    "review.reviewing.assignment": "an assignment's prompt and rubric",
    "assignments.photos.photo": "a build-log photo, by the hash of its bytes (review stays blind)",
    "authoring.course_history": "a course's history (courses are open resources)",
    "authoring.module_history": "a module's history",
    "authoring.module_diff": "a module's changes between two revisions",
    "forks.network": "a course's forks and translations",
    "offline.package": "the course as a zip to read offline",
    "proposals.index": "the proposals to a course (open like the course)",
    "proposals.show": "one proposal",
    "accounts.login": "the login form",
    "accounts.register": "the registration form",
    "security.forgot_password": "the forgot-password form (same answer for every address)",
    "security.reset_link": "an emailed reset link: moves its token into the session",
    "security.reset_form": "the new-password form a reset link leads to",
    "security.confirm_link": "an emailed registration link: the button that creates the account",
    "personal_data.profile": "a user's public profile",
    "personal_data.contributions_list": "the module revisions a user wrote (histories credit them)",
    "site.healthz": "the load balancer's health check",
    "badges.issuer": "the Open Badges issuer profile (JSON-LD, with the public signing key)",
    "badges.issuer_key": "the issuer's public key as a JWK",
    "badges.badge_class": "a badge class (JSON-LD): what a badge asks for",
    "badges.badge_image": "a badge class's image",
    "badges.assertion": "an issued badge (JSON-LD), by its unguessable public id",
    "badges.baked_image": "an issued badge's image with the assertion baked in",
    "badges.credential": "an issued badge as a signed Open Badges 3.0 credential",
    "badges.page": "an issued badge's page, which its learner shares",
    "circles.circle": "an open learning circle's page (one by invitation is for its members)",
    "circles.invitation": "where an invitation link leads, by its unguessable code",
    "circles.calendar_file": "an open circle's meetings and deadlines as .ics",
    "static": "CSS",
    "discussions.course_threads": "a course's discussion threads (open like the course)",
    "discussions.module_threads": "a module's discussion threads",
    "discussions.thread": "a thread about a course or module (a build log's asks for login)",
}

#: GET endpoints for signed-in people only, with the world's user who may open them (and
#: gets 200). An anonymous visitor is sent to the login page or gets 403.
PRIVATE = {
    "catalog.dashboard": "learner",
    "accounts.settings": "learner",
    "personal_data.delete_account": "learner",
    "personal_data.download_data": "learner",
    "notifications.index": "learner",
    "notifications.settings": "learner",
    "assignments.log": "learner",
    "assignments.version": "learner",
    "review.reviewing.received": "learner",
    "review.reviewing.write": "reviewer",
    "review.calibration.practice": "learner",
    "review.calibration.calibration_result": "learner",
    "review.gradebook.regrade": "learner",
    "review.gradebook.my_reviews": "reviewer",
    "review.gradebook.standings": "maintainer",
    "review.gradebook.index": "maintainer",
    "review.gradebook.export": "maintainer",
    "review.gradebook.log": "maintainer",
    "submissions.index": "maintainer",
    "submissions.export": "maintainer",
    "submissions.submission": "maintainer",
    "review.calibration.calibration_examples": "maintainer",
    "review.calibration.calibration_results": "facilitator",
    "review.flags.flags": "maintainer",
    "review.staff.waiting": "maintainer",
    "review.teams.teams_page": "maintainer",
    "assignment_authoring.list_assignments": "maintainer",
    "assignment_authoring.new_assignment": "maintainer",
    "assignment_authoring.edit_assignment": "maintainer",
    "assignment_authoring.edit_assignment_form": "maintainer",
    "assignment_authoring.assignment_history": "maintainer",
    "assignment_authoring.assignment_diff": "maintainer",
    "authoring.new_course": "maintainer",
    "authoring.course_settings": "maintainer",
    "authoring.maintainers": "maintainer",
    "authoring.manage_modules": "maintainer",
    "authoring.new_module": "maintainer",
    "authoring.edit_module": "maintainer",
    "authoring.remove_module": "maintainer",
    "forks.fork": "maintainer",
    "forks.sync": "maintainer",
    "proposals.propose": "maintainer",
    "community_i18n.index": "admin",
    "community_i18n.messages": "admin",
    "community_i18n.message": "admin",
    "community_i18n.export": "admin",
    "community_i18n.translators": "admin",
    "discussions.log_threads": "learner",
    "discussions.edit_post": "learner",
    "discussions.report_post": "reviewer",
    "discussions.report_course": "learner",
    "discussions.report_module": "learner",
    "discussions.moderation": "maintainer",
    "discussions.circle_threads": "learner",
    "circles.new_circle": "learner",
    "circles.my_calendar": "learner",
    "circles.edit": "facilitator",
    "circles.edit_schedule": "facilitator",
    "circles.invite": "facilitator",
    "review.staff.circle_review_settings": "facilitator",
    "facilitation.overview": "facilitator",
    "facilitation.export": "facilitator",
    "facilitation.messages": "learner",
}

#: Who sends the state-changing requests of an endpoint: the world's user the route is for,
#: so that without the CSRF check the request would go through. Everything else: the
#: maintainer.
SENDER = {
    "assignments.save_log": "learner",
    "assignments.add_entry": "learner",
    "assignments.update_entry": "learner",
    "assignments.delete_entry": "learner",
    "assignments.add_measurement": "learner",
    "assignments.remove_measurement": "learner",
    "assignments.add_photo": "learner",
    "assignments.remove_photo": "learner",
    "assignments.submit": "learner",
    "catalog.progress": "learner",
    "catalog.leave": "learner",
    "review.reviewing.self_assessment": "learner",
    "review.reviewing.rate": "learner",
    "review.flags.flag_review": "learner",
    "review.calibration.start_practice": "learner",
    "review.gradebook.request_regrade": "learner",
    "notifications.open_notice": "learner",
    "notifications.read_all": "learner",
    "notifications.mark_read": "learner",
    "notifications.settings": "learner",
    "review.reviewing.write": "reviewer",
    "review.reviewing.next_review": "reviewer",
    "community_i18n.message": "admin",
    "community_i18n.approve": "admin",
    "community_i18n.reject": "admin",
    "community_i18n.translators": "admin",
    "community_i18n.revoke": "admin",
    "circles.leave": "learner",
    "circles.edit": "facilitator",
    "circles.edit_schedule": "facilitator",
    "circles.new_code": "facilitator",
    "review.staff.circle_review_settings": "facilitator",
    "facilitation.send_message": "facilitator",
    "facilitation.promote": "facilitator",
    "facilitation.step_down": "facilitator",
}

HOW_TO_FILL = (
    "add the variable to World.values (or, where it means something else on this route, "
    "to World.endpoint_values) in tests/fixtures/world.py, and build the object it names "
    "in build_world()"
)


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def _path(app: Flask, world: World, rule: Rule) -> str:
    try:
        values = {**world.fill(rule), **world.query(rule.endpoint)}
    except KeyError as error:
        raise AssertionError(
            f"{rule.rule} ({rule.endpoint}): cannot fill <{error.args[0]}>; {HOW_TO_FILL}"
        ) from None
    return rule.build(values, append_unknown=True)[1]  # type: ignore[index]


def _switch(client: Any, login: Any, user: Any) -> None:
    client.submit("/logout")
    if user is not None:
        login(user)


def test_every_route_variable_is_filled_from_the_world(app: Flask, world: World) -> None:
    missing = []
    for rule in _rules(app):
        try:
            world.fill(rule)
        except KeyError as error:
            missing.append(f"{rule.rule} ({rule.endpoint}): <{error.args[0]}>")
    assert not missing, (
        "The route walker cannot fill these URL variables with real objects: "
        + "; ".join(missing)
        + ". To fix: "
        + HOW_TO_FILL
        + "."
    )


def test_every_get_endpoint_is_classified_public_or_private(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in _rules(app) if "GET" in (rule.methods or ())}
    unclassified = sorted(endpoints - PUBLIC.keys() - PRIVATE.keys())
    both = sorted(PUBLIC.keys() & PRIVATE.keys())
    gone = sorted((PUBLIC.keys() | PRIVATE.keys()) - endpoints)
    assert not unclassified, (
        f"New GET endpoint(s) {unclassified}: read the view's permission check, then add each "
        "to PUBLIC in tests/core/test_every_route.py (anyone may read it; say what it is) or "
        "to PRIVATE (with the world user who may open it: learner, reviewer, maintainer, "
        "facilitator or admin). If its URL cannot be filled then: " + HOW_TO_FILL + "."
    )
    assert not both, f"Endpoints both PUBLIC and PRIVATE: {both}"
    assert not gone, f"PUBLIC/PRIVATE name endpoints that no longer exist: {gone}; remove them."


#: Public pages reached only through another: the reset form shows once its emailed link
#: was opened (the link moves the token into the session and redirects there).
ARRIVES_FROM = {"security.reset_form": "security.reset_link"}
#: Public links that answer by redirecting to the page they open (followed, never to login).
REDIRECTS = {"security.reset_link"}


def test_public_pages_open_for_an_anonymous_visitor(app: Flask, client: Any, world: World) -> None:
    refused = []
    rules = {rule.endpoint: rule for rule in _rules(app)}
    for rule in rules.values():
        if rule.endpoint in PUBLIC and "GET" in (rule.methods or ()):
            path = _path(app, world, rule)
            if rule.endpoint in ARRIVES_FROM:
                client.get(_path(app, world, rules[ARRIVES_FROM[rule.endpoint]]))
            response = client.get(path)
            if rule.endpoint in REDIRECTS and response.status_code == 302:
                target = response.headers["Location"]
                if target.startswith("/login"):
                    refused.append((path, 302))
                    continue
                response = client.get(target)
            if response.status_code != 200:
                refused.append((path, response.status_code))
    assert refused == []


def test_private_pages_send_an_anonymous_visitor_to_log_in_and_open_for_their_user(
    app: Flask, client: Any, login: Any, world: World
) -> None:
    opened, not_found = [], []
    paths = {
        rule.endpoint: _path(app, world, rule)
        for rule in _rules(app)
        if rule.endpoint in PRIVATE and "GET" in (rule.methods or ())
    }
    for path in paths.values():
        response = client.get(path)
        to_login = response.status_code == 302 and response.headers["Location"].startswith("/login")
        if not (to_login or response.status_code == 403):
            opened.append((path, response.status_code))
    by_user = defaultdict(list)
    for endpoint, path in paths.items():
        by_user[PRIVATE[endpoint]].append(path)
    for name, user_paths in sorted(by_user.items()):
        _switch(client, login, getattr(world, name))
        for path in user_paths:
            status = client.get(path).status_code
            if status != 200:
                not_found.append((name, path, status))
    assert opened == [], "pages that do not send an anonymous visitor to the login page"
    assert not_found == [], (
        "pages their user cannot open: the world lacks their object or PRIVATE names the wrong user"
    )


def test_every_state_changing_request_without_a_csrf_token_is_refused(
    app: Flask, client: Any, login: Any, world: World
) -> None:
    """Sent by the user the route is for, so that only the CSRF check can refuse it."""
    requests = defaultdict(list)
    for rule in _rules(app):
        for method in UNSAFE:
            if method in (rule.methods or ()):
                sender = SENDER.get(rule.endpoint, "maintainer")
                requests[sender].append((method, _path(app, world, rule), rule.endpoint))
    assert sum(len(r) for r in requests.values()) > 50
    unprotected = []
    for name, sent in sorted(requests.items()):
        _switch(client, login, getattr(world, name))
        for method, path, endpoint in sent:
            response = client.open(path, method=method, data={})
            refused = response.status_code == 400 and CSRF_REFUSAL in response.get_data(
                as_text=True
            )
            if not refused:
                unprotected.append((method, path, endpoint, response.status_code))
    assert unprotected == [], "state-changing requests accepted without a CSRF token"


def test_methods_a_route_does_not_declare_answer_405(
    app: Flask, client: Any, login: Any, world: World
) -> None:
    login(world.maintainer)
    declared: dict[str, set[str]] = defaultdict(set)
    paths: dict[str, str] = {}
    for rule in _rules(app):
        declared[rule.rule] |= set(rule.methods or ())
        paths[rule.rule] = _path(app, world, rule)
    wrong = []
    for key, path in sorted(paths.items()):
        for method in CHECKED:
            if method not in declared[key]:
                status = client.open(path, method=method).status_code
                if status != 405:
                    wrong.append((method, path, status))
    assert wrong == []
