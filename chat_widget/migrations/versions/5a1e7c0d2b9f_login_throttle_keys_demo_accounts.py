"""login throttle by key (address, account, pair); demo accounts flagged

Revision ID: 5a1e7c0d2b9f
Revises: 18634d55bfcd
Create Date: 2026-12-04 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "5a1e7c0d2b9f"
down_revision = "18634d55bfcd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Throttle rows are short-lived counters: the old per-username lock table is replaced.
    op.drop_table("loginthrottle")
    op.create_table(
        "loginthrottle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("agent") as batch:
        batch.add_column(
            sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("agent") as batch:
        batch.drop_column("demo")
    op.drop_table("loginthrottle")
    op.create_table(
        "loginthrottle",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
