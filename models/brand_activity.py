"""Mentions of each brand per hour (the baseline of spike detection), the spikes already
acted on, and brands with their own crisis channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class BrandHour(Base):
    __tablename__ = "brand_hours"

    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    # Negative mentions only: the spike baseline (a wave of praise is no crisis).
    mentions: Mapped[int] = mapped_column(default=0)
    # Native items judged not negative: kept as the brand's activity, never a spike.
    not_negative: Mapped[int] = mapped_column(default=0, server_default="0")


class BrandSpike(Base):
    """One row per brand and hour that was found to spike: acting on it happens once, even
    when several replicas see the spike at the same moment."""

    __tablename__ = "brand_spikes"

    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    crisis_id: Mapped[int | None]


class BrandChannel(Base):
    __tablename__ = "brand_channels"

    brand: Mapped[str] = mapped_column(String(200), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(200))
