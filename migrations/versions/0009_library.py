"""the coach's library: workouts kept by name and tags

Revision ID: 0009_library
Revises: 0008_suunto
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_library'
down_revision = '0008_suunto'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_workouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_key', sa.String(length=240), nullable=False),
    sa.Column('workout', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_library_workouts_coach_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_workouts'))
    )
    with op.batch_alter_table('library_workouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_workouts_coach_id'), ['coach_id'], unique=False)

    op.create_table('library_workout_tags',
    sa.Column('workout_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=90), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workout_id'], ['library_workouts.id'], name=op.f('fk_library_workout_tags_workout_id_library_workouts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workout_id', 'key', name=op.f('pk_library_workout_tags'))
    )
    with op.batch_alter_table('library_workout_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_workout_tags_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('library_workout_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_workout_tags_key'))
    op.drop_table('library_workout_tags')
    with op.batch_alter_table('library_workouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_workouts_coach_id'))
    op.drop_table('library_workouts')
