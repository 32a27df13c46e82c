"""inbox of native sources: deliveries and items; brand activity of items not negative

Revision ID: 0008_inbox
Revises: 0007
Create Date: 2026-12-01 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_inbox"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("parsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_deliveries")),
    )
    op.create_index(
        "ix_inbox_deliveries_due", "inbox_deliveries", ["status", "available_at"], unique=False
    )
    op.create_index(
        "ix_inbox_deliveries_feed", "inbox_deliveries", ["feed", "received_at"], unique=False
    )
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("seen_key", sa.String(length=240), nullable=True),
        sa.Column("negative", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("verdict", sa.String(length=200), nullable=True),
        sa.Column("crisis_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crises.id"], name=op.f("fk_inbox_items_crisis_id_crises")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["inbox_deliveries.id"],
            name=op.f("fk_inbox_items_delivery_id_inbox_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("seen_key", name=op.f("uq_inbox_items_seen_key")),
    )
    op.create_index(
        op.f("ix_inbox_items_delivery_id"), "inbox_items", ["delivery_id"], unique=False
    )
    op.create_index("ix_inbox_items_due", "inbox_items", ["status", "available_at"], unique=False)
    op.create_index("ix_inbox_items_feed", "inbox_items", ["feed", "processed_at"], unique=False)
    op.create_index("ix_inbox_items_item", "inbox_items", ["source", "external_id"], unique=False)
    with op.batch_alter_table("brand_hours") as batch:
        batch.add_column(
            sa.Column("not_negative", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("brand_hours") as batch:
        batch.drop_column("not_negative")
    op.drop_table("inbox_items")
    op.drop_table("inbox_deliveries")
