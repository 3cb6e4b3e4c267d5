"""export jobs

Revision ID: 0003_exports
Revises: 0002_connections
Create Date: 2026-11-24 18:56:09.829062

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_exports'
down_revision = '0002_connections'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queue', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('enqueue_seq', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('failure_kind', sa.String(length=16), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('external_refs', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('EXPORT', 'REMOVE')", name=op.f('ck_export_jobs_kind')),
    sa.CheckConstraint("status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SUPERSEDED')", name=op.f('ck_export_jobs_status')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_export_jobs_athlete_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_export_jobs_session_id_training_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_athlete_id'), ['athlete_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_export_jobs_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('uq_export_jobs_one_processing_per_session', ['session_id'], unique=True, sqlite_where=sa.text("status = 'PROCESSING' AND session_id IS NOT NULL"), postgresql_where=sa.text("status = 'PROCESSING' AND session_id IS NOT NULL"))

    op.create_table('export_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_job_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['export_job_id'], ['export_jobs.id'], name=op.f('fk_export_attempts_export_job_id_export_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_export_attempts_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_attempts'))
    )
    with op.batch_alter_table('export_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_attempts_export_job_id'), ['export_job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_attempts_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_refs', sa.JSON(), nullable=True))




def downgrade():

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('external_refs')

    with op.batch_alter_table('export_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_attempts_session_id'))
        batch_op.drop_index(batch_op.f('ix_export_attempts_export_job_id'))

    op.drop_table('export_attempts')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_export_jobs_one_processing_per_session', sqlite_where=sa.text("status = 'PROCESSING' AND session_id IS NOT NULL"), postgresql_where=sa.text("status = 'PROCESSING' AND session_id IS NOT NULL"))
        batch_op.drop_index('ix_export_jobs_status_next')
        batch_op.drop_index(batch_op.f('ix_export_jobs_session_id'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_athlete_id'))

    op.drop_table('export_jobs')

