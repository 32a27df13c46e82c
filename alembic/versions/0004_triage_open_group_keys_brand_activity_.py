"""triage: open group keys, brand activity and channels, outbox lanes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:00:09.528755
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_channels",
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("brand", "platform", name=op.f("pk_brand_channels")),
    )
    op.create_table(
        "brand_hours",
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("brand", "hour", name=op.f("pk_brand_hours")),
    )
    op.create_table(
        "brand_spikes",
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("brand", "hour", name=op.f("pk_brand_spikes")),
    )
    op.create_table(
        "group_keys",
        sa.Column("key", sa.String(length=2200), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crises.id"], name=op.f("fk_group_keys_crisis_id_crises")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_group_keys")),
    )
    with op.batch_alter_table("group_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_keys_crisis_id"), ["crisis_id"], unique=False)

    # Open crises keep collecting comments under their post: their key moves to group_keys.
    op.execute(
        "INSERT INTO group_keys (key, crisis_id, expires_at) "
        "SELECT 'post:' || open_key, id, NULL FROM crises WHERE open_key IS NOT NULL"
    )
    with op.batch_alter_table("crises", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=16), server_default="post", nullable=False)
        )
        batch_op.add_column(sa.Column("brand_key", sa.String(length=200), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_crises_open_key"), type_="unique")
        batch_op.create_index(batch_op.f("ix_crises_brand_key"), ["brand_key"], unique=False)
        batch_op.drop_column("open_key")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lane", sa.String(length=16), server_default="ordered", nullable=False)
        )
        batch_op.drop_index(batch_op.f("ix_outbox_pending"))
        batch_op.create_index(
            "ix_outbox_pending", ["platform", "status", "lane", "crisis_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_refresh", ["platform", "crisis_id", "kind", "status"], unique=False
        )
    op.execute("UPDATE crises SET brand_key = lower(brand) WHERE brand IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_refresh")
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index(
            batch_op.f("ix_outbox_pending"), ["platform", "status", "crisis_id", "id"], unique=False
        )
        batch_op.drop_column("lane")

    with op.batch_alter_table("crises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_key", sa.VARCHAR(length=2100), nullable=True))
        batch_op.drop_index(batch_op.f("ix_crises_brand_key"))
        batch_op.create_unique_constraint(batch_op.f("uq_crises_open_key"), ["open_key"])
        batch_op.drop_column("brand_key")
        batch_op.drop_column("trigger")
    op.execute(
        "UPDATE crises SET open_key = (SELECT substr(g.key, 6) FROM group_keys g "
        "WHERE g.crisis_id = crises.id AND g.key LIKE 'post:%' LIMIT 1)"
    )

    with op.batch_alter_table("group_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_keys_crisis_id"))

    op.drop_table("group_keys")
    op.drop_table("brand_spikes")
    op.drop_table("brand_hours")
    op.drop_table("brand_channels")
