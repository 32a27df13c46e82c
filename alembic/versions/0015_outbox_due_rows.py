"""the delivery worker looks at the due outbox rows, not the whole backlog

Revision ID: 0015_outbox_due_rows
Revises: 0014_crises_opened_at
Create Date: 2026-12-01 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_outbox_due_rows"
down_revision: str | None = "0014_crises_opened_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_due", "outbox", ["platform", "status", "lane", "id"])
    op.create_index("ix_outbox_kind", "outbox", ["platform", "kind", "lane", "status", "id"])
    op.create_index("ix_outbox_crisis", "outbox", ["crisis_id", "kind", "status", "platform"])
    op.drop_index("ix_outbox_refresh", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_refresh", "outbox", ["platform", "crisis_id", "kind", "status"])
    op.drop_index("ix_outbox_crisis", table_name="outbox")
    op.drop_index("ix_outbox_kind", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
