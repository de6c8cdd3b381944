"""The commons: module text stored once (module_contents), revision lineage (parent, kind,
saved_by), fork lineage on modules, maintainers, course history events, change proposals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import hashlib

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_contents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_contents')),
    sa.UniqueConstraint('sha256', name=op.f('uq_module_contents_sha256'))
    )
    op.create_table('change_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_course_id', sa.Integer(), nullable=False),
    sa.Column('target_course_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_change_proposals_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_change_proposals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_course_id'], ['courses.id'], name=op.f('fk_change_proposals_source_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_course_id'], ['courses.id'], name=op.f('fk_change_proposals_target_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_proposals'))
    )
    with op.batch_alter_table('change_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_proposals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_proposals_target_course_id'), ['target_course_id'], unique=False)

    op.create_table('course_maintainers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_course_maintainers_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_maintainers_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_maintainers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_maintainers')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_maintainers_course_id_user_id'))
    )
    with op.batch_alter_table('course_maintainers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_maintainers_user_id'), ['user_id'], unique=False)

    op.create_table('course_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_course_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_events_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_course_events_module_id_modules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_events'))
    )
    with op.batch_alter_table('course_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_events_course_id'), ['course_id'], unique=False)

    op.create_table('proposal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['change_proposals.id'], name=op.f('fk_proposal_comments_proposal_id_change_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('source_module_id', sa.Integer(), nullable=False),
    sa.Column('target_module_id', sa.Integer(), nullable=True),
    sa.Column('proposed_revision_id', sa.Integer(), nullable=False),
    sa.Column('base_revision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['base_revision_id'], ['module_revisions.id'], name=op.f('fk_proposal_modules_base_revision_id_module_revisions')),
    sa.ForeignKeyConstraint(['proposal_id'], ['change_proposals.id'], name=op.f('fk_proposal_modules_proposal_id_change_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_revision_id'], ['module_revisions.id'], name=op.f('fk_proposal_modules_proposed_revision_id_module_revisions')),
    sa.ForeignKeyConstraint(['source_module_id'], ['modules.id'], name=op.f('fk_proposal_modules_source_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_module_id'], ['modules.id'], name=op.f('fk_proposal_modules_target_module_id_modules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_modules')),
    sa.UniqueConstraint('proposal_id', 'source_module_id', name=op.f('uq_proposal_modules_proposal_id_source_module_id'))
    )
    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('saved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('kind', sa.String(length=16), nullable=False, server_default='import')
        )

    _move_bodies_into_contents()

    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.alter_column('content_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('kind', existing_type=sa.String(length=16), server_default=None)
        batch_op.create_index(batch_op.f('ix_module_revisions_content_id'), ['content_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_module_revisions_parent_id_module_revisions'), 'module_revisions', ['parent_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_module_revisions_saved_by_id_users'), 'users', ['saved_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_module_revisions_content_id_module_contents'), 'module_contents', ['content_id'], ['id'])
        batch_op.drop_column('body')

    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upstream_module_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('upstream_revision_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_modules_upstream_module_id'), ['upstream_module_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_modules_upstream_module_id_modules'), 'modules', ['upstream_module_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_modules_upstream_revision_id_module_revisions'), 'module_revisions', ['upstream_revision_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_modules_upstream_revision_id_module_revisions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_modules_upstream_module_id_modules'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_modules_upstream_module_id'))
        batch_op.drop_column('upstream_revision_id')
        batch_op.drop_column('upstream_module_id')

    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE module_revisions SET body = "
        "(SELECT body FROM module_contents WHERE module_contents.id = module_revisions.content_id)"
    ))

    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_module_revisions_content_id_module_contents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_module_revisions_saved_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_module_revisions_parent_id_module_revisions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_module_revisions_content_id'))
        batch_op.drop_column('kind')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('saved_by_id')
        batch_op.drop_column('content_id')

    op.drop_table('proposal_modules')
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comments_proposal_id'))

    op.drop_table('proposal_comments')
    with op.batch_alter_table('course_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_events_course_id'))

    op.drop_table('course_events')
    with op.batch_alter_table('course_maintainers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_maintainers_user_id'))

    op.drop_table('course_maintainers')
    with op.batch_alter_table('change_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_proposals_target_course_id'))
        batch_op.drop_index(batch_op.f('ix_change_proposals_status'))

    op.drop_table('change_proposals')
    op.drop_table('module_contents')


def _move_bodies_into_contents():
    """Store each distinct revision body once and point the revisions at it."""
    bind = op.get_bind()
    contents = sa.table(
        'module_contents', sa.column('id', sa.Integer), sa.column('sha256', sa.String),
        sa.column('body', sa.Text),
    )
    revisions = sa.table(
        'module_revisions', sa.column('id', sa.Integer), sa.column('body', sa.Text),
        sa.column('content_id', sa.Integer),
    )
    ids_by_digest = {}
    for revision_id, body in bind.execute(sa.select(revisions.c.id, revisions.c.body)).all():
        digest = hashlib.sha256(body.encode('utf-8')).hexdigest()
        if digest not in ids_by_digest:
            bind.execute(contents.insert().values(sha256=digest, body=body))
            ids_by_digest[digest] = bind.execute(
                sa.select(contents.c.id).where(contents.c.sha256 == digest)
            ).scalar_one()
        bind.execute(
            revisions.update()
            .where(revisions.c.id == revision_id)
            .values(content_id=ids_by_digest[digest])
        )
