"""Suunto, the third provider: connections and routes may name it

Revision ID: 0008_suunto
Revises: 0007_export_waiting
Create Date: 2026-12-01 14:00:00

"""
from alembic import op


revision = '0008_suunto'
down_revision = '0007_export_waiting'
branch_labels = None
depends_on = None

TABLES = ('device_connections', 'delivery_routes')


def _provider_check(values: str) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_provider'), type_='check')
            batch_op.create_check_constraint('provider', f"provider IN ({values})")


def upgrade():
    _provider_check("'GARMIN', 'WAHOO', 'SUUNTO'")


def downgrade():
    _provider_check("'GARMIN', 'WAHOO'")
