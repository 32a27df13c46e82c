"""crises.total_reach is a 64-bit integer (a storm's summed reach outgrows 32 bits)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite's INTEGER is 64 bits already; rebuilding its table would gain nothing.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("crises", "total_reach", type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("crises", "total_reach", type_=sa.Integer(), existing_nullable=False)
