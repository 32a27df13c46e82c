"""Reminders and escalation timers: what is due for which crisis, and when."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ReminderKind(enum.StrEnum):
    # Before acknowledgement: hand the crisis to the next senior (or call the leads).
    escalation = "escalation"
    # After it: nudge the owner in the thread with what is next.
    follow_up = "follow_up"


class ReminderStatus(enum.StrEnum):
    pending = "pending"
    fired = "fired"
    cancelled = "cancelled"


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.pending.value)
    # The crisis id while pending, NULL after: the unique constraint lets the database
    # guarantee a crisis never has two pending reminders, whoever schedules them.
    pending_for: Mapped[int | None] = mapped_column(unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
