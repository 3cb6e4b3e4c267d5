"""foundation: users, tokens, profiles, plans, sessions

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-24 18:34:11.341102

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('coach', 'athlete')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_users_coach_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_coach_id'), ['coach_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('athlete_profiles',
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('ftp_watts', sa.Integer(), nullable=True),
    sa.Column('max_heart_rate', sa.Integer(), nullable=True),
    sa.Column('threshold_pace_sec_per_km', sa.Integer(), nullable=True),
    sa.Column('swim_threshold_pace_sec_per_100m', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_athlete_profiles_athlete_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('athlete_id', name=op.f('pk_athlete_profiles'))
    )
    op.create_table('weekly_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['users.id'], name=op.f('fk_weekly_plans_athlete_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_plans')),
    sa.UniqueConstraint('athlete_id', 'week_start', name='uq_weekly_plans_athlete_week')
    )
    with op.batch_alter_table('weekly_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weekly_plans_athlete_id'), ['athlete_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('workout', sa.JSON(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('export_status', sa.String(length=16), nullable=True),
    sa.Column('export_provider', sa.String(length=16), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.Column('external_workout_id', sa.String(length=64), nullable=True),
    sa.Column('last_export_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("export_status IS NULL OR export_status IN ('NOT_CONNECTED', 'PENDING', 'SENT', 'FAILED')", name=op.f('ck_training_sessions_export_status')),
    sa.CheckConstraint("type IN ('ENDURANCE', 'STRENGTH', 'REST', 'OTHER')", name=op.f('ck_training_sessions_type')),
    sa.ForeignKeyConstraint(['plan_id'], ['weekly_plans.id'], name=op.f('fk_training_sessions_plan_id_weekly_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_export_status'), ['export_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_plan_id'), ['plan_id'], unique=False)




def downgrade():

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_plan_id'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_export_status'))

    op.drop_table('training_sessions')
    with op.batch_alter_table('weekly_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_plans_athlete_id'))

    op.drop_table('weekly_plans')
    op.drop_table('athlete_profiles')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_coach_id'))

    op.drop_table('users')

