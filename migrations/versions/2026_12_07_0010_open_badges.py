"""Open Badges: badge classes and the assertions issued from them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('pass_share', sa.Numeric(precision=4, scale=3, asdecimal=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_badge_classes_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_classes')),
    sa.UniqueConstraint('key', name=op.f('uq_badge_classes_key'))
    )
    with op.batch_alter_table('badge_classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_classes_course_id'), ['course_id'], unique=False)

    op.create_table('badge_assertions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('badge_class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('identity_hash', sa.String(length=80), nullable=False),
    sa.Column('salt', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['badge_class_id'], ['badge_classes.id'], name=op.f('fk_badge_assertions_badge_class_id_badge_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_badge_assertions_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_badge_assertions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_assertions')),
    sa.UniqueConstraint('badge_class_id', 'user_id', name=op.f('uq_badge_assertions_badge_class_id_user_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_badge_assertions_public_id'))
    )
    with op.batch_alter_table('badge_assertions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_assertions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('badge_assertions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_assertions_user_id'))

    op.drop_table('badge_assertions')
    with op.batch_alter_table('badge_classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_classes_course_id'))

    op.drop_table('badge_classes')
