"""calendar feeds, the operator role, and the retention's index

Revision ID: 0005_feeds_operators
Revises: 0004_delivery
Create Date: 2026-11-25 18:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_feeds_operators'
down_revision = '0004_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('secret_enc', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_calendar_feeds_athlete_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('athlete_id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_calendar_feeds_secret_hash'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('coach', 'athlete', 'operator')")
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_export_jobs_finished_at', ['finished_at'], unique=False)
    with op.batch_alter_table('export_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_export_attempts_started_at', ['started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('export_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_export_attempts_started_at')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_jobs_finished_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('coach', 'athlete')")
    op.drop_table('calendar_feeds')
