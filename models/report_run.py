"""Scheduled reports already claimed: with several replicas, each is posted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ReportRun(Base):
    __tablename__ = "report_runs"

    # What was posted, e.g. "digest", and the scheduled moment it was posted for.
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot_at: Mapped[datetime] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime]
