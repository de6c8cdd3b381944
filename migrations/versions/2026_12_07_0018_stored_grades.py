"""Stored grades: the gradebook reads them instead of refitting the model (issue #15).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_grade_sets',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('inputs_read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('max_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reviewers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_stored_grade_sets_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', name=op.f('pk_stored_grade_sets'))
    )
    op.create_table('stored_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('peer_total', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('peer_final', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('too_wide', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_stored_grades_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['log_id'], ['build_logs.id'], name=op.f('fk_stored_grades_log_id_build_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_grades')),
    sa.UniqueConstraint('assignment_id', 'log_id', name=op.f('uq_stored_grades_assignment_id_log_id'))
    )
    with op.batch_alter_table('stored_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_grades_assignment_id'), ['assignment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stored_grades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_grades_assignment_id'))

    op.drop_table('stored_grades')
    op.drop_table('stored_grade_sets')
