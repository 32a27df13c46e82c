"""Teams channels the bot was told to use (`@crisisbot here`): what a proactive message to
them needs, since Teams only lets a bot post where it has been spoken to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class TeamsChannel(Base):
    __tablename__ = "teams_channels"

    # The channel's conversation id (`19:…@thread.tacv2`, without `;messageid=`).
    conversation_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    service_url: Mapped[str] = mapped_column(String(500))
    tenant_id: Mapped[str | None] = mapped_column(String(100))
    team_id: Mapped[str | None] = mapped_column(String(300))
    # The bot's own account in that conversation (`28:<app id>`), the sender of what it posts.
    bot_id: Mapped[str] = mapped_column(String(200))
    bot_name: Mapped[str] = mapped_column(String(200), default="crisisbot")
    # The channel for crises of every brand without a channel of its own.
    is_default: Mapped[bool] = mapped_column(default=False)
    set_at: Mapped[datetime]
