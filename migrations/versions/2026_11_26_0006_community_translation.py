"""Community translation: translators per language, suggested translations, the approved
override in use per message, and a version per language for the instances' caches.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('translation_versions',
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('locale', name=op.f('pk_translation_versions'))
    )
    op.create_table('translators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_translators_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_translators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translators')),
    sa.UniqueConstraint('user_id', 'locale', name=op.f('uq_translators_user_id_locale'))
    )
    with op.batch_alter_table('translators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translators_locale'), ['locale'], unique=False)

    op.create_table('translation_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('msg_key', sa.String(length=40), nullable=False),
    sa.Column('msgid', sa.Text(), nullable=False),
    sa.Column('msgid_plural', sa.Text(), nullable=True),
    sa.Column('context', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_translation_suggestions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_translation_suggestions_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_suggestions'))
    )
    with op.batch_alter_table('translation_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_translation_suggestions_message', ['locale', 'msg_key', 'status'], unique=False)
        batch_op.create_index('ix_translation_suggestions_status', ['locale', 'status'], unique=False)

    op.create_table('translation_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('msg_key', sa.String(length=40), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['suggestion_id'], ['translation_suggestions.id'], name=op.f('fk_translation_overrides_suggestion_id_translation_suggestions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_overrides')),
    sa.UniqueConstraint('locale', 'msg_key', name=op.f('uq_translation_overrides_locale_msg_key'))
    )


def downgrade():
    op.drop_table('translation_overrides')
    with op.batch_alter_table('translation_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_translation_suggestions_status')
        batch_op.drop_index('ix_translation_suggestions_message')

    op.drop_table('translation_suggestions')
    with op.batch_alter_table('translators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_translators_locale'))

    op.drop_table('translators')
    op.drop_table('translation_versions')
