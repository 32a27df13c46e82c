"""the delivery worker finds due outbox rows by when they fall due, not by id

Revision ID: 0016_outbox_due_at
Revises: 0015_outbox_due_rows
Create Date: 2026-12-01 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_outbox_due_at"
down_revision: str | None = "0015_outbox_due_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_due_at", "outbox", ["platform", "status", "lane", "available_at", "id"]
    )
    op.create_index(
        "ix_outbox_kind_due_at",
        "outbox",
        ["platform", "kind", "lane", "status", "available_at", "id"],
    )
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_kind", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_kind", "outbox", ["platform", "kind", "lane", "status", "id"])
    op.create_index("ix_outbox_due", "outbox", ["platform", "status", "lane", "id"])
    op.drop_index("ix_outbox_kind_due_at", table_name="outbox")
    op.drop_index("ix_outbox_due_at", table_name="outbox")
