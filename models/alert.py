"""One reported post or comment, exactly as it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Alert(Base):
    __tablename__ = "alerts"
    # The source's own id is the idempotency key: the database refuses a second copy.
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    # "post" opened the crisis; "comment" joined an open one.
    role: Mapped[str] = mapped_column(String(16))

    url: Mapped[str] = mapped_column(String(2048))
    parent_url: Mapped[str | None] = mapped_column(String(2048))
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None]
    brand: Mapped[str | None] = mapped_column(String(200))
    sentiment: Mapped[float | None]
    reach: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(16))
    posted_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    reported_by: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
