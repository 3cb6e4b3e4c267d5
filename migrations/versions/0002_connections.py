"""device connections

Revision ID: 0002_connections
Revises: 0001_foundation
Create Date: 2026-11-24 18:49:32.982638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_connections'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('device_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('provider_user_id', sa.String(length=128), nullable=False),
    sa.Column('access_token_enc', sa.Text(), nullable=False),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('access_expires_at', sa.DateTime(), nullable=True),
    sa.Column('scopes', sa.String(length=512), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=32), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('connected_at', sa.DateTime(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("provider IN ('GARMIN', 'WAHOO')", name=op.f('ck_device_connections_provider')),
    sa.CheckConstraint("status IN ('ACTIVE', 'REVOKED')", name=op.f('ck_device_connections_status')),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_device_connections_athlete_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_connections')),
    sa.UniqueConstraint('athlete_id', 'provider', name='uq_device_connections_athlete_provider')
    )
    with op.batch_alter_table('device_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_connections_athlete_id'), ['athlete_id'], unique=False)
        batch_op.create_index('ix_device_connections_provider_user', ['provider', 'provider_user_id'], unique=False)




def downgrade():

    with op.batch_alter_table('device_connections', schema=None) as batch_op:
        batch_op.drop_index('ix_device_connections_provider_user')
        batch_op.drop_index(batch_op.f('ix_device_connections_athlete_id'))

    op.drop_table('device_connections')

