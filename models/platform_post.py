"""Where a crisis's messages live on a platform (Slack channel + ts): its root message and
the playbook checklist in its thread, both edited in place later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PlatformPost(Base):
    __tablename__ = "platform_posts"
    __table_args__ = (UniqueConstraint("crisis_id", "platform", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"))
    platform: Mapped[str] = mapped_column(String(16))
    # "root" or "playbook".
    kind: Mapped[str] = mapped_column(String(16), default="root", server_default="root")
    channel: Mapped[str] = mapped_column(String(200))
    message_ref: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime]
