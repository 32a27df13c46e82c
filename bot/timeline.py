"""Recording and reading a crisis's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actors import Actor
from models import TimelineEvent


def record(
    session: AsyncSession,
    crisis_id: int,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    actor_member_id: int | None = None,
    **detail: Any,
) -> TimelineEvent:
    event = TimelineEvent(
        crisis_id=crisis_id,
        kind=kind,
        actor=actor.label,
        actor_member_id=actor_member_id,
        at=at,
        detail=detail,
    )
    session.add(event)
    return event


async def events(session: AsyncSession, crisis_id: int, limit: int = 50) -> list[TimelineEvent]:
    """The newest `limit` events of a crisis, oldest first."""
    rows = await session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.crisis_id == crisis_id)
        .order_by(TimelineEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))
