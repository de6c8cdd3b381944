"""Learning circles: circles, their members and their own deadlines.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('meeting_place', sa.String(length=300), nullable=False),
    sa.Column('meeting_weekday', sa.Integer(), nullable=True),
    sa.Column('meeting_time', sa.Time(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('invite_code', sa.String(length=43), nullable=False),
    sa.Column('review_min_pool', sa.Integer(), nullable=False),
    sa.Column('review_fallback', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_circles_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_circles_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles')),
    sa.UniqueConstraint('invite_code', name=op.f('uq_circles_invite_code'))
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circles_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circles_language'), ['language'], unique=False)

    op.create_table('circle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_members_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_members'))
    )
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_members_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_members_user_id'), ['user_id'], unique=False)

    op.create_table('circle_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('submit_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_by', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_circle_deadlines_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_deadlines_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_deadlines')),
    sa.UniqueConstraint('circle_id', 'assignment_id', name=op.f('uq_circle_deadlines_circle_id_assignment_id'))
    )
    with op.batch_alter_table('circle_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_deadlines_assignment_id'), ['assignment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('circle_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_deadlines_assignment_id'))

    op.drop_table('circle_deadlines')
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_circle_members_circle_id'))

    op.drop_table('circle_members')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circles_language'))
        batch_op.drop_index(batch_op.f('ix_circles_course_id'))

    op.drop_table('circles')
