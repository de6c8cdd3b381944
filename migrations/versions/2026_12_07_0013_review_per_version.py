"""Revise and resubmit: one review per version, reviewer and kind (was: per build log).

An earlier reviewer of a resubmitted build log reviews its new version as a new row, so
the unique constraint moves from the log to the submitted version. Every existing row
keeps its meaning: one review per log was also one per version.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 20:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reviews_log_id_reviewer_id_kind', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_reviews_submission_id_reviewer_id_kind'),
            ['submission_id', 'reviewer_id', 'kind'],
        )


def downgrade():
    # Refused by the database when a log holds two reviews of one reviewer and kind (a
    # re-review): they are history, and deleting either is not a migration's decision.
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reviews_submission_id_reviewer_id_kind', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_reviews_log_id_reviewer_id_kind'), ['log_id', 'reviewer_id', 'kind']
        )
