"""Extension singletons, bound to an app in :func:`peerlearn.create_app`."""

from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from peerlearn.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# The base class of every model. At runtime it is ``db.Model``, the subclass of ``Base``
# that Flask-SQLAlchemy builds (table name, bind key, metadata of this ``db``). A type
# checker cannot take an attribute of an object as a base class, so it checks the models
# against ``Base`` itself: the mapped columns and relationships are the same.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


# --- Migrations, loaded when used ------------------------------------------------------
# Flask-Migrate imports Alembic, Mako and Pygments: ~11 MB and ~0.2 s in every process,
# though only ``flask db ...``, the tests of migrations and the bench generator use them,
# never a web worker (issue #15: worker memory). So the app gets stand-ins that set
# Flask-Migrate up the first time anything reaches for it.


class _MigrationsLater:
    """Stands in for ``app.extensions["migrate"]`` until first used (Flask-Migrate's
    ``upgrade()``, ``downgrade()``... read it), then sets Flask-Migrate up for real."""

    def __init__(self, app: Flask, **options: Any) -> None:
        self._app = app
        self._options = options

    def __getattr__(self, name: str) -> Any:
        return getattr(_set_up_migrations(self._app, self._options), name)


def _set_up_migrations(app: Flask, options: dict[str, Any]) -> Any:
    from flask_migrate import Migrate

    Migrate().init_app(app, db, **options)  # replaces the stand-ins with the real things
    return app.extensions["migrate"]


class _LazyDbCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when the command runs."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        super().__init__(name="db", help="Perform database migrations (Flask-Migrate).")
        self._app = app
        self._options = options

    def _real(self) -> click.Group:
        stand_in = self._app.extensions.get("migrate")
        if isinstance(stand_in, _MigrationsLater):
            _set_up_migrations(self._app, self._options)
        from flask_migrate.cli import db as commands

        return commands

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The real group parses the arguments (its --directory and -x options, --help)
        # and becomes the context's command, so click runs it and its subcommands.
        return self._real().make_context(info_name, args, parent=parent, **extra)


def init_migrations(app: Flask, **options: Any) -> None:
    """Register the migrations (``directory``, ``render_as_batch``...) without importing
    Flask-Migrate yet."""
    app.extensions["migrate"] = _MigrationsLater(app, **options)
    app.cli.add_command(_LazyDbCommands(app, options))
