"""Pollers' state (Brand24 projects, Mention alerts) and Google's review notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SourcePoll(Base):
    """One polled feed (a Brand24 project or a Mention alert): where the next page starts,
    which replica holds the lease, and how the last call went."""

    __tablename__ = "source_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    # `<feed>:<project or alert id>`.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    feed: Mapped[str] = mapped_column(String(32))
    # The feed's own progress: the window and cursor of a run under way, the newest id seen.
    state: Mapped[dict[str, Any]]
    next_poll_at: Mapped[datetime]
    # A replica polls only while it holds the lease; one that dies loses it when it runs out.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    # Failed calls in a row: the pause before the next one grows with them.
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]


class GoogleNotification(Base):
    """A Pub/Sub push naming a Business Profile review, as it came, until the review is read
    from the API and put in the inbox."""

    __tablename__ = "google_notifications"
    __table_args__ = (Index("ix_google_notifications_due", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Pub/Sub redelivers a message with the same messageId: stored once.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    # pending (waiting for its first or next try) or fetched (what was read is in the inbox,
    # including a push that named no review, refused there with its reason).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None]
