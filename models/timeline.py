"""The timeline of a crisis: who did what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class TimelineEvent(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    at: Mapped[datetime]
    # A readable label of who acted: a person (platform:user id), the webhook or the bot.
    actor: Mapped[str] = mapped_column(String(200))
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("roster_members.id"))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]]
