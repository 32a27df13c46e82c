"""customer confirmation links and generated secrets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )
    op.create_table(
        "confirmation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["crisis_id"], ["crises.id"], name=op.f("fk_confirmation_links_crisis_id_crises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmation_links")),
    )
    with op.batch_alter_table("confirmation_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confirmation_links_crisis_id"), ["crisis_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("confirmation_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmation_links_crisis_id"))
    op.drop_table("confirmation_links")
    op.drop_table("app_secrets")
