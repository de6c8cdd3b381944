"""Migrations build exactly the schema the models describe, and undo it, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from peerlearn import create_app
from peerlearn.extensions import db
from tests.settings import ROOT


def test_upgrade_matches_models_and_downgrade_removes_everything(empty_database):
    app = create_app({"ENV": "testing", **empty_database})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
            )
        assert differences == []
        downgrade(directory=str(ROOT / "migrations"), revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_revisions_are_named_and_date_prefixed():
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        date, _rest = path.name[:10], path.name[11:]
        assert date.replace("_", "").isdigit(), path.name
        assert '"""' in path.read_text().splitlines()[0], f"{path.name} has no description"
