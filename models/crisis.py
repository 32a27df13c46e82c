"""A crisis: one negative post and everything that grew around it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CrisisStatus(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    awaiting_confirmation = "awaiting_confirmation"
    closed = "closed"


class Crisis(Base):
    __tablename__ = "crises"
    __table_args__ = (
        Index("ix_crises_status", "status"),
        # Reports and the export read a window of time (`stats 30d`, `--since`).
        Index("ix_crises_opened_at", "opened_at"),
    )

    # The number people see as `#n`.
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(32), default=CrisisStatus.open.value)
    post_key: Mapped[str] = mapped_column(String(2100), index=True)
    # "post": opened by a reported post; "spike": by a burst of mentions of its brand.
    trigger: Mapped[str] = mapped_column(String(16), default="post", server_default="post")

    source: Mapped[str] = mapped_column(String(32))
    post_url: Mapped[str] = mapped_column(String(2048))
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None]
    brand: Mapped[str | None] = mapped_column(String(200))
    # The brand as compared (case, diacritics and spacing folded): spikes and channels.
    brand_key: Mapped[str | None] = mapped_column(String(200), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[float | None]

    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))

    alert_count: Mapped[int] = mapped_column(default=1)
    # The sum over every grouped post: a storm of big accounts outgrows 32 bits (SQLite's
    # INTEGER has 64 already).
    total_reach: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), default=0
    )

    owner_id: Mapped[int | None] = mapped_column(ForeignKey("roster_members.id"))
    owner_assigned_at: Mapped[datetime | None]

    reported_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolution_proposed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution_remedy: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    @property
    def crisis_status(self) -> CrisisStatus:
        return CrisisStatus(self.status)
