"""Open group keys: what makes an alert join an open crisis (Grafana OnCall's grouping key).

The key is the primary key, so the database, not a race between two requests or replicas,
decides that one post, one author's posts about a brand, or one brand's spike has one open
crisis. A closed crisis keeps its post and author keys for the relapse window (a new
negative post under them reopens it); author and brand keys also expire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class GroupKey(Base):
    __tablename__ = "group_keys"

    key: Mapped[str] = mapped_column(String(2200), primary_key=True)
    crisis_id: Mapped[int] = mapped_column(ForeignKey("crises.id"), index=True)
    # NULL: valid while the crisis is open. A closed crisis's keys end with its relapse window.
    expires_at: Mapped[datetime | None]
