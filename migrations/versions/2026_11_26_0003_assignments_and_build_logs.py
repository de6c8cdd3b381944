"""Assignments (versioned like modules) and build logs: entries, photos stored once by
content hash, measurements, and immutable submission snapshots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('display', sa.LargeBinary(), nullable=False),
    sa.Column('display_width', sa.Integer(), nullable=False),
    sa.Column('display_height', sa.Integer(), nullable=False),
    sa.Column('thumbnail', sa.LargeBinary(), nullable=False),
    sa.Column('thumbnail_width', sa.Integer(), nullable=False),
    sa.Column('thumbnail_height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_blobs')),
    sa.UniqueConstraint('sha256', name=op.f('uq_photo_blobs_sha256'))
    )
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_revision_id', sa.Integer(), nullable=True),
    sa.Column('upstream_assignment_id', sa.Integer(), nullable=True),
    sa.Column('upstream_revision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_assignments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_assignments_module_id_modules'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['upstream_assignment_id'], ['assignments.id'], name=op.f('fk_assignments_upstream_assignment_id_assignments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_assignments_course_id_key'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_module_id'), ['module_id'], unique=False)

    op.create_table('assignment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_revisions_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_assignment_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['content_id'], ['module_contents.id'], name=op.f('fk_assignment_revisions_content_id_module_contents')),
    sa.ForeignKeyConstraint(['parent_id'], ['assignment_revisions.id'], name=op.f('fk_assignment_revisions_parent_id_assignment_revisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_assignment_revisions_saved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_revisions'))
    )
    with op.batch_alter_table('assignment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_revisions_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_revisions_content_id'), ['content_id'], unique=False)

    # assignments and assignment_revisions point at each other: add the pointers' keys last.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_assignments_current_revision_id_assignment_revisions'),
            'assignment_revisions', ['current_revision_id'], ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_assignments_upstream_revision_id_assignment_revisions'),
            'assignment_revisions', ['upstream_revision_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table('build_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_build_logs_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_build_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_build_logs')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_build_logs_assignment_id_user_id'))
    )
    with op.batch_alter_table('build_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_build_logs_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_build_logs_user_id'), ['user_id'], unique=False)

    op.create_table('build_log_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['build_logs.id'], name=op.f('fk_build_log_entries_log_id_build_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_build_log_entries'))
    )
    with op.batch_alter_table('build_log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_build_log_entries_log_id'), ['log_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['build_logs.id'], name=op.f('fk_submissions_log_id_build_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('log_id', 'version', name=op.f('uq_submissions_log_id_version'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_log_id'), ['log_id'], unique=False)

    op.create_table('entry_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['build_log_entries.id'], name=op.f('fk_entry_measurements_entry_id_build_log_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_measurements'))
    )
    with op.batch_alter_table('entry_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_measurements_entry_id'), ['entry_id'], unique=False)

    op.create_table('entry_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['blob_id'], ['photo_blobs.id'], name=op.f('fk_entry_photos_blob_id_photo_blobs')),
    sa.ForeignKeyConstraint(['entry_id'], ['build_log_entries.id'], name=op.f('fk_entry_photos_entry_id_build_log_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_photos'))
    )
    with op.batch_alter_table('entry_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_photos_blob_id'), ['blob_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_photos_entry_id'), ['entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_assignments_upstream_revision_id_assignment_revisions'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_assignments_current_revision_id_assignment_revisions'), type_='foreignkey'
        )
    with op.batch_alter_table('entry_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_photos_entry_id'))
        batch_op.drop_index(batch_op.f('ix_entry_photos_blob_id'))

    op.drop_table('entry_photos')
    with op.batch_alter_table('entry_measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_measurements_entry_id'))

    op.drop_table('entry_measurements')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_log_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('build_log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_build_log_entries_log_id'))

    op.drop_table('build_log_entries')
    with op.batch_alter_table('build_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_build_logs_user_id'))
        batch_op.drop_index(batch_op.f('ix_build_logs_assignment_id'))

    op.drop_table('build_logs')
    with op.batch_alter_table('assignment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_revisions_content_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_revisions_assignment_id'))

    op.drop_table('assignment_revisions')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_module_id'))

    op.drop_table('assignments')
    op.drop_table('photo_blobs')
