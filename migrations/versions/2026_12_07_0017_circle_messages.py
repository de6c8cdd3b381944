"""Facilitators' messages to their circle.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circle_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_circle_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_messages_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_messages'))
    )
    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_messages_circle_id'), ['circle_id'], unique=False)


def downgrade():
    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_messages_circle_id'))

    op.drop_table('circle_messages')
