"""Submission photos: which stored photos each submitted version shows, so the photo route
can stop serving a photo that no draft or submission uses any more.

Existing submissions are listed from their JSON snapshots.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07 14:00:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_photos',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['blob_id'], ['photo_blobs.id'], name=op.f('fk_submission_photos_blob_id_photo_blobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_photos_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'blob_id', name=op.f('pk_submission_photos'))
    )
    with op.batch_alter_table('submission_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_photos_blob_id'), ['blob_id'], unique=False)

    connection = op.get_bind()
    blobs = dict(connection.execute(sa.text('SELECT sha256, id FROM photo_blobs')).all())
    rows = []
    for submission_id, snapshot in connection.execute(
        sa.text('SELECT id, snapshot FROM submissions')
    ):
        data = json.loads(snapshot)
        hashes = {photo['sha256'] for entry in data['entries'] for photo in entry['photos']}
        rows += [
            {'submission_id': submission_id, 'blob_id': blobs[sha]}
            for sha in sorted(hashes)
            if sha in blobs
        ]
    if rows:
        connection.execute(
            sa.text(
                'INSERT INTO submission_photos (submission_id, blob_id) '
                'VALUES (:submission_id, :blob_id)'
            ),
            rows,
        )


def downgrade():
    with op.batch_alter_table('submission_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_photos_blob_id'))

    op.drop_table('submission_photos')
