"""Change proposals carry assignments: one row per assignment a fork offers upstream.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('source_assignment_id', sa.Integer(), nullable=False),
    sa.Column('target_assignment_id', sa.Integer(), nullable=True),
    sa.Column('proposed_revision_id', sa.Integer(), nullable=False),
    sa.Column('base_revision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['base_revision_id'], ['assignment_revisions.id'], name=op.f('fk_proposal_assignments_base_revision_id_assignment_revisions')),
    sa.ForeignKeyConstraint(['proposal_id'], ['change_proposals.id'], name=op.f('fk_proposal_assignments_proposal_id_change_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_revision_id'], ['assignment_revisions.id'], name=op.f('fk_proposal_assignments_proposed_revision_id_assignment_revisions')),
    sa.ForeignKeyConstraint(['source_assignment_id'], ['assignments.id'], name=op.f('fk_proposal_assignments_source_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_assignment_id'], ['assignments.id'], name=op.f('fk_proposal_assignments_target_assignment_id_assignments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_assignments')),
    sa.UniqueConstraint('proposal_id', 'source_assignment_id', name=op.f('uq_proposal_assignments_proposal_id_source_assignment_id'))
    )


def downgrade():
    op.drop_table('proposal_assignments')
