"""Customer confirmation links, and the secret that signs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ConfirmationLink(Base):
    """One link for one proposed resolution. The token the customer gets names this row and
    is signed; the row says whether it was answered, so an answer counts once."""

    __tablename__ = "confirmation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    # The page's language: en or pl.
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # None while the link waits; "solved", "not_yet", or "superseded" by a newer proposal.
    outcome: Mapped[str | None] = mapped_column(String(16))


class AppSecret(Base):
    """Secrets the bot generates once and every replica shares (when not configured)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
