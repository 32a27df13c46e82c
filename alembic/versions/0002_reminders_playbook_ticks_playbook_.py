"""reminders, playbook ticks, playbook message refs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:24:35.235494
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "playbook_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crises.id"], name=op.f("fk_playbook_ticks_crisis_id_crises")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["roster_members.id"],
            name=op.f("fk_playbook_ticks_member_id_roster_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playbook_ticks")),
        sa.UniqueConstraint("crisis_id", "step", name=op.f("uq_playbook_ticks_crisis_id_step")),
    )
    with op.batch_alter_table("playbook_ticks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_playbook_ticks_crisis_id"), ["crisis_id"], unique=False
        )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_for", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crises.id"], name=op.f("fk_reminders_crisis_id_crises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("pending_for", name=op.f("uq_reminders_pending_for")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_crisis_id"), ["crisis_id"], unique=False)
        batch_op.create_index("ix_reminders_due", ["status", "due_at"], unique=False)

    with op.batch_alter_table("platform_posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="root", nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("uq_platform_posts_crisis_id_platform"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_platform_posts_crisis_id_platform_kind"),
            ["crisis_id", "platform", "kind"],
        )


def downgrade() -> None:
    with op.batch_alter_table("platform_posts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_platform_posts_crisis_id_platform_kind"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_platform_posts_crisis_id_platform"), ["crisis_id", "platform"]
        )
        batch_op.drop_column("kind")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_due")
        batch_op.drop_index(batch_op.f("ix_reminders_crisis_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("playbook_ticks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playbook_ticks_crisis_id"))

    op.drop_table("playbook_ticks")
