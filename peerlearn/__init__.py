"""peerlearn: a peer-learning platform for open, forkable, practical courses."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from peerlearn.config import CONFIGS, DEFAULT_SECRET_KEY, Config


def create_app(config: type[Config] | Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is a Config class or a mapping of overrides (tests pass one); the
    environment (``PEERLEARN_*``) is applied on top of the class, below explicit overrides.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_signal_receivers(app)
    register_loaders(app)
    register_templates(app)
    register_error_handlers(app)
    register_edge(app)
    register_cli(app)
    return app


def load_config(app: Flask, config: type[Config] | Mapping[str, Any] | None) -> None:
    overrides: Mapping[str, Any] = {}
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        overrides = config or {}
        env = overrides.get("ENV") or os.environ.get("PEERLEARN_ENV", "production")
        if env not in CONFIGS:
            raise RuntimeError(f"PEERLEARN_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
        app.config.from_object(CONFIGS[env])
    app.config.from_prefixed_env(prefix="PEERLEARN")
    app.config.update(overrides)

    if app.config["ENV"] == "production" and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "Refusing to start: PEERLEARN_SECRET_KEY is not set. Set it to a long random "
            "value (python -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "PEERLEARN_ENV=development on your own machine."
        )
    _refuse_short_secret_key(app.config)
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "peerlearn.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = url


#: The shortest secret key production accepts, in bytes (as UTF-8): 256 bits, the size of
#: the HMAC-SHA256 keys it signs sessions and CSRF tokens with.
MIN_SECRET_KEY_BYTES = 32


def _refuse_short_secret_key(config: Mapping[str, Any]) -> None:
    """A short key can be guessed offline from one signed cookie, and whoever has it can
    sign a session for any user; production stops rather than run with one."""
    if config["ENV"] != "production":
        return
    key = config["SECRET_KEY"]
    size = len(key.encode("utf-8") if isinstance(key, str) else bytes(key))
    if size < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"Refusing to start: PEERLEARN_SECRET_KEY is {size} bytes long; production needs "
            f"at least {MIN_SECRET_KEY_BYTES} random bytes (python -c 'import secrets; "
            "print(secrets.token_hex(32))' gives 64)."
        )


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite ignores foreign keys unless asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from peerlearn import models  # noqa: F401  (every table known to metadata)
    from peerlearn.extensions import babel, csrf, db, init_migrations, login_manager
    from peerlearn.i18n import (
        install_template_gettext,
        install_vary,
        select_locale,
        select_timezone,
    )

    db.init_app(app)
    init_migrations(
        app,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(app.root_path).parent / "translations"),
    )
    install_template_gettext(app)
    install_vary(app)
    login_manager.init_app(app)
    from peerlearn.accounts.views import configure_login

    configure_login(login_manager)
    from peerlearn import jobs

    # First of the after-request functions, so it runs last (Flask runs them in reverse):
    # jobs are handed over once the response is final.
    jobs.init_app(app)


def register_url_converters(app: Flask) -> None:
    from peerlearn.input_guard import setup_url_converters

    setup_url_converters(app)


def register_blueprints(app: Flask) -> None:
    from peerlearn.accounts.security_views import bp as account_security
    from peerlearn.accounts.views import bp as accounts
    from peerlearn.assignments.authoring_views import bp as assignment_authoring
    from peerlearn.assignments.staff_views import bp as submissions
    from peerlearn.assignments.views import bp as assignments
    from peerlearn.authoring.fork_views import bp as forks
    from peerlearn.authoring.proposal_views import bp as proposals
    from peerlearn.authoring.views import bp as authoring
    from peerlearn.catalog.views import bp as catalog
    from peerlearn.circles.views import bp as circles
    from peerlearn.community_i18n.views import bp as community_i18n
    from peerlearn.discussions.views import bp as discussions
    from peerlearn.facilitation.views import bp as facilitation
    from peerlearn.notifications.views import bp as notifications
    from peerlearn.offline.views import bp as offline

    # Privacy, data download, account deletion and the admin buttons.
    from peerlearn.personal_data.views import bp as personal_data
    from peerlearn.recognition import receivers
    from peerlearn.recognition.views import bp as badges

    # Peer review's pages, its sub-packages' blueprints nested in one.
    from peerlearn.review.views import bp as review
    from peerlearn.site import bp as site

    for blueprint in (
        site, accounts, account_security, personal_data, catalog, authoring, forks, proposals,
        assignments, assignment_authoring, submissions, review,
        notifications, offline, community_i18n, badges, circles, discussions, facilitation,
    ):  # fmt: skip
        app.register_blueprint(blueprint)
    receivers.connect()


def register_signal_receivers(app: Flask) -> None:
    # Features react to a lower feature's events through signals, so that the lower one
    # never imports them (DESIGN.md): peer review queues every submitted build log.
    from peerlearn.circles.schedule import connect_receivers as connect_circle_deadlines
    from peerlearn.discussions.receivers import connect as connect_discussions
    from peerlearn.review.allocation.queue import connect_receivers

    connect_receivers()
    # Threads linked to a change proposal hear when it is accepted.
    connect_discussions()
    # Circle members are held to their circle's dates wherever assignments checks one.
    connect_circle_deadlines()
    # A changed course's offline packages are built by a job, not by its next download.
    from peerlearn.offline.prebuild import connect as connect_offline_prebuild

    connect_offline_prebuild()
    # The header's "Notifications (n)" is read with the signed-in user, in the same query
    # (accounts.sessions.HEADER_FIGURES): no template global queries (issue #12).
    from peerlearn.accounts.sessions import HEADER_FIGURES
    from peerlearn.notifications.notices import unread_subquery

    HEADER_FIGURES["unread_notices"] = unread_subquery
    # What the permission checks know of the acting user (peerlearn.permissions.Actor):
    # the courses they maintain and the languages they translate, read with them too.
    from peerlearn import permissions
    from peerlearn.accounts.sessions import USER_FACTS
    from peerlearn.community_i18n.services import locales_subquery

    USER_FACTS[permissions.MAINTAINED] = permissions.maintained_subquery
    USER_FACTS[permissions.TRANSLATED] = locales_subquery


def register_loaders(app: Flask) -> None:
    """Every /courses/<slug> URL finds its course (and the module or assignment it names)
    loaded before its view, in one query (peerlearn/web.py)."""
    from peerlearn import web
    from peerlearn.assignments.loading import course_with_assignment

    web.COURSE_PARTS["assignment_slug"] = course_with_assignment
    web.install(app)


def register_templates(app: Flask) -> None:
    from peerlearn.templating import setup_templates

    setup_templates(app)


def register_error_handlers(app: Flask) -> None:
    from peerlearn.errors import setup_error_handlers

    setup_error_handlers(app)


def register_edge(app: Flask) -> None:
    """ProxyFix, rate limits, the request log, the input guard, compression and security
    headers (see peerlearn/edge.py); after the blueprints, whose views the limits wrap."""
    from peerlearn.edge import install_edge

    install_edge(app)


def register_cli(app: Flask) -> None:
    from peerlearn.cli import peerlearn_cli

    app.cli.add_command(peerlearn_cli)
