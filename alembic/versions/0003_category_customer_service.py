"""the customer-service category is called customer_service

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE crises SET category = 'customer_service' WHERE category = 'service'")


def downgrade() -> None:
    op.execute("UPDATE crises SET category = 'service' WHERE category = 'customer_service'")
