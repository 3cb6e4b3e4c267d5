"""delivery planning: windows, moves, parked jobs, routing by sport

Revision ID: 0004_delivery
Revises: 0003_exports
Create Date: 2026-11-25 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_delivery'
down_revision = '0003_exports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_scheduled_for', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('push_reason', sa.String(length=160), nullable=True))

    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(op.f('ck_export_jobs_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('EXPORT', 'MOVE', 'REMOVE')")
        batch_op.create_index('ix_export_jobs_parked_next', ['parked', 'next_attempt_at'], unique=False)

    op.create_table('delivery_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('sport', sa.String(length=8), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("provider IN ('GARMIN', 'WAHOO')", name=op.f('ck_delivery_routes_provider')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_delivery_routes_athlete_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_routes')),
    sa.UniqueConstraint('athlete_id', 'sport', name='uq_delivery_routes_athlete_sport')
    )
    with op.batch_alter_table('delivery_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_routes_athlete_id'), ['athlete_id'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_routes_athlete_id'))
    op.drop_table('delivery_routes')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_jobs_parked_next')
        batch_op.drop_constraint(op.f('ck_export_jobs_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('EXPORT', 'REMOVE')")
        batch_op.drop_column('parked')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('push_reason')
        batch_op.drop_column('export_scheduled_for')
