"""Accounts people control: locked and deleted accounts, the credit name a deleted account
chose, the "show my learning activity" setting, and reviews that outlive their reviewer.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('activity_public', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('credit_name', sa.String(length=80), nullable=True))

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.alter_column('reviewer_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f('fk_reviews_reviewer_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(
            batch_op.f('fk_reviews_reviewer_id_users'), 'users', ['reviewer_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    # Reviews whose reviewer deleted their account cannot go back to a NOT NULL column.
    op.execute("DELETE FROM reviews WHERE reviewer_id IS NULL")
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reviews_reviewer_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(
            batch_op.f('fk_reviews_reviewer_id_users'), 'users', ['reviewer_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.alter_column('reviewer_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('credit_name')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('activity_public')
        batch_op.drop_column('locked_at')
