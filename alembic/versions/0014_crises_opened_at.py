"""crises are found by when they opened (reports, the export)

Revision ID: 0014_crises_opened_at
Revises: 0013_pollers
Create Date: 2026-12-01 06:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_crises_opened_at"
down_revision: str | None = "0013_pollers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_crises_opened_at", "crises", ["opened_at"])


def downgrade() -> None:
    op.drop_index("ix_crises_opened_at", table_name="crises")
