"""claim owner: the handler who has a claim in hand, and since when

Revision ID: e4c1a7b95d20
Revises: 9b3e6f1a2c4d
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "e4c1a7b95d20"
down_revision = "9b3e6f1a2c4d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.add_column(
            sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(sa.Column("owner_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index(batch.f("ix_claim_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_index(batch.f("ix_claim_owner_id"))
        batch.drop_column("owner_since")
        batch.drop_column("owner_id")
