"""Indexes for the key pages (issue #15): courses by the course they were forked or
translated from (the fork network walks down them, the course page lists a course's
translations), and courses in title order (the catalog's unfiltered pages).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_forked_from'), ['forked_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_translation_of'), ['translation_of'], unique=False)
        batch_op.create_index('ix_courses_title_id', ['title', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index('ix_courses_title_id')
        batch_op.drop_index(batch_op.f('ix_courses_translation_of'))
        batch_op.drop_index(batch_op.f('ix_courses_forked_from'))
