"""The inbox of native sources: deliveries as they came, and the items parsed from them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DeliveryStatus(enum.StrEnum):
    # Stored, not yet parsed into items (or parsing failed and waits for its next try).
    pending = "pending"
    parsed = "parsed"


class ItemStatus(enum.StrEnum):
    # Waiting for the intake (first try, or the next try after a failure).
    pending = "pending"
    done = "done"
    # Malformed: kept with its reason for a person to look at, never retried.
    refused = "refused"


class ItemOutcome(enum.StrEnum):
    opened = "opened"
    grouped = "grouped"
    not_negative = "not_negative"
    duplicate = "duplicate"
    test = "test"
    edited = "edited"
    removed = "removed"
    hidden = "hidden"
    refused = "refused"


class InboxDelivery(Base):
    """One verified request body (or one fetched page of a poller), exactly as received."""

    __tablename__ = "inbox_deliveries"
    __table_args__ = (
        Index("ix_inbox_deliveries_due", "status", "available_at"),
        Index("ix_inbox_deliveries_feed", "feed", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # Not before this time: the next try after a failure, or a lease while a worker parses it.
    available_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    parsed_at: Mapped[datetime | None]


class InboxItem(Base):
    """One post, comment or review of a delivery (or a refused piece of one), and what the
    intake made of it."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        Index("ix_inbox_items_due", "status", "available_at"),
        Index("ix_inbox_items_feed", "feed", "processed_at"),
        Index("ix_inbox_items_item", "source", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("inbox_deliveries.id"), index=True)
    feed: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    # The item's network and its own id there (None for a refused item without one).
    source: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(200))
    # The brand the parser gave (a Meta page or account id missing from META_PAGE_BRANDS is
    # its own brand, and `/crisis sources` warns about it).
    brand: Mapped[str | None] = mapped_column(String(200))
    # The alert in our schema and the stars, as the parser made them (or the refused item).
    data: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.pending.value)
    outcome: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # `<source>:<id>` of the first added item with that id; the database keeps it unique, so a
    # redelivered or re-polled item is counted once even when two replicas race.
    seen_key: Mapped[str | None] = mapped_column(String(240), unique=True)
    negative: Mapped[bool | None]
    score: Mapped[float | None]
    verdict: Mapped[str | None] = mapped_column(String(200))
    crisis_id: Mapped[int | None] = mapped_column(ForeignKey("crises.id"))
    created_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
