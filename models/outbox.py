"""Messages the bot owes a chat platform, written in the same transaction as the change."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    # Refused by the platform for good (e.g. channel_not_found): kept for the record.
    failed = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # A crisis's oldest waiting row, and whether an older one still waits.
        Index("ix_outbox_pending", "platform", "status", "lane", "crisis_id", "id"),
        # The rows due now, in the order they fell due (the delivery worker's look stops
        # after a few), and a new crisis's root message among them: a look that reads only
        # due rows, however many wait for a paced channel's later slots. Kind before status:
        # with the two first ones alike to the crisis index's, SQLite (which has no
        # statistics here) took this one for a few crises' re-renders and read every
        # waiting re-render.
        Index("ix_outbox_due_at", "platform", "status", "lane", "available_at", "id"),
        Index("ix_outbox_kind_due_at", "platform", "kind", "lane", "status", "available_at", "id"),
        # A crisis's rows of one kind: its waiting re-render, its unread reminder (on any
        # platform).
        Index("ix_outbox_crisis", "crisis_id", "kind", "status", "platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    crisis_id: Mapped[int | None] = mapped_column(ForeignKey("crises.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # "ordered": sent one after the other per crisis (root message, thread replies).
    # "refresh": re-renders of a message from the crisis as it is (root, live summary):
    # coalesced, throttled, and never held up by, nor holding up, the ordered ones.
    lane: Mapped[str] = mapped_column(String(16), default="ordered", server_default="ordered")
    data: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.pending.value)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    # Not before this time: backoff after a failure, or a lease while one worker sends it.
    available_at: Mapped[datetime]
    # The worker sending it right now (cleared when it is sent or put back to wait).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
