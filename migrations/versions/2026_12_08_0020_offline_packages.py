"""Built offline packages, kept for every process and host (issue #12: builds leave the
request; issue #15: built once per course revision).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_offline_packages_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_packages')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_offline_packages_fingerprint'))
    )
    with op.batch_alter_table('offline_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_packages_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offline_packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_packages_course_id'))

    op.drop_table('offline_packages')
