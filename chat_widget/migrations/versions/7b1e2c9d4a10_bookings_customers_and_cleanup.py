"""bookings customers, graph cleanup queue, teams join url

Revision ID: 7b1e2c9d4a10
Revises: 5a1e7c0d2b9f
Create Date: 2026-12-04 23:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '7b1e2c9d4a10'
down_revision = '5a1e7c0d2b9f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_customer',
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('graph_customer_id', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('customer_id')
    )
    op.create_table('graph_cleanup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('graph_id', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_graph_cleanup_status'), 'graph_cleanup', ['status'], unique=False)
    with op.batch_alter_table('meeting_appointment') as batch:
        batch.add_column(
            sa.Column('teams_join_url', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('meeting_appointment') as batch:
        batch.drop_column('teams_join_url')
    op.drop_index(op.f('ix_graph_cleanup_status'), table_name='graph_cleanup')
    op.drop_table('graph_cleanup')
    op.drop_table('meeting_customer')
