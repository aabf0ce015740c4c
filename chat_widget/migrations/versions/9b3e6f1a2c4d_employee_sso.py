"""employees from the identity provider: subject, groups; provider session on console sessions

Revision ID: 9b3e6f1a2c4d
Revises: 7b1e2c9d4a10
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "9b3e6f1a2c4d"
down_revision = "7b1e2c9d4a10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agent") as batch:
        batch.add_column(
            sa.Column("idp_subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch.add_column(
            sa.Column("idp_groups", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.create_unique_constraint("uq_agent_idp_subject", ["idp_subject"])
    with op.batch_alter_table("agentsession") as batch:
        batch.add_column(
            sa.Column("idp_sid", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch.create_index("ix_agentsession_idp_sid", ["idp_sid"])


def downgrade() -> None:
    with op.batch_alter_table("agentsession") as batch:
        batch.drop_index("ix_agentsession_idp_sid")
        batch.drop_column("idp_sid")
    with op.batch_alter_table("agent") as batch:
        batch.drop_constraint("uq_agent_idp_subject", type_="unique")
        batch.drop_column("idp_groups")
        batch.drop_column("idp_subject")
