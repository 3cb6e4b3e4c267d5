"""what a PENDING session waits for (its window, a retry, the quota), as a kind, not a text

Revision ID: 0007_export_waiting
Revises: 0006_session_version
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_export_waiting'
down_revision = '0006_session_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_waiting', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('export_waiting')
