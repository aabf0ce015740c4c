"""callback requests: a message and a way to reach the customer, for the agents at opening

Revision ID: b7d3f2a9c610
Revises: e4c1a7b95d20
Create Date: 2026-12-05 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "b7d3f2a9c610"
down_revision = "e4c1a7b95d20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("contact_kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("agent_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("callback_request") as batch:
        batch.create_index(
            batch.f("ix_callback_request_customer_id"), ["customer_id"], unique=False
        )
        batch.create_index(batch.f("ix_callback_request_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_callback_request_due_at"), ["due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("callback_request") as batch:
        batch.drop_index(batch.f("ix_callback_request_due_at"))
        batch.drop_index(batch.f("ix_callback_request_status"))
        batch.drop_index(batch.f("ix_callback_request_customer_id"))
    op.drop_table("callback_request")
