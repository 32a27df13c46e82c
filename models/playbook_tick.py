"""Playbook steps the owner has ticked off for a crisis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PlaybookTick(Base):
    __tablename__ = "playbook_ticks"
    __table_args__ = (UniqueConstraint("crisis_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("roster_members.id"))
    at: Mapped[datetime]
