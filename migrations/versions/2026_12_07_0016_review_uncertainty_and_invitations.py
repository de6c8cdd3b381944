"""Review allocation: the certainty of each queued log's grade (allocation prefers the
least certain among equally loaded logs, so both allocation indexes gain it after
``load``), and ``reviews.invited`` for a review a learner gave beyond their quota because
they were invited to help a classmate whose log still waited.

Existing queue rows start as "nothing known" (certainty 0); the next submitted review of
each log sets its real value.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD = ['assignment_id', 'load', 'first_submitted_at', 'log_id']
NEW = ['assignment_id', 'load', 'certainty', 'first_submitted_at', 'log_id']
NEEDED = {'sqlite_where': sa.text('load < required'), 'postgresql_where': sa.text('load < required')}


def upgrade():
    with op.batch_alter_table('review_queue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certainty', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_index('ix_review_queue_needed', **NEEDED)
        batch_op.drop_index('ix_review_queue_allocation')
        batch_op.create_index('ix_review_queue_allocation', NEW, unique=False)
        batch_op.create_index('ix_review_queue_needed', NEW, unique=False, **NEEDED)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('invited')
    with op.batch_alter_table('review_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_review_queue_needed', **NEEDED)
        batch_op.drop_index('ix_review_queue_allocation')
        batch_op.create_index('ix_review_queue_allocation', OLD, unique=False)
        batch_op.create_index('ix_review_queue_needed', OLD, unique=False, **NEEDED)
        batch_op.drop_column('certainty')
