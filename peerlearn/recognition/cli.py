"""``flask --app wsgi peerlearn badges award-all``: issue every badge already earned (for
badges earned before recognition existed, or a signal that failed)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from peerlearn.accounts.models import User
from peerlearn.extensions import db
from peerlearn.recognition import awarding

badges_cli = AppGroup("badges", help="Open Badges.")


@badges_cli.command("award-all")
def award_all_command() -> None:
    """Check every account and issue the badges it has earned; safe to run again."""
    issued = 0
    ids = list(
        db.session.scalars(select(User.id).where(User.deleted_at.is_(None)).order_by(User.id))
    )
    for user_id in ids:
        user = db.session.get(User, user_id)
        if user is None:
            continue
        issued += len(awarding.award_earned(user))
        db.session.commit()  # one person at a time: a long backfill keeps what it did
    click.echo(f"{issued} badge(s) issued.")


def register_badge_commands(group: click.Group) -> None:
    group.add_command(badges_cli)
