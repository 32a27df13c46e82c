"""Scheduling reminders: one pending reminder per crisis at most, kept in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Reminder, ReminderKind, ReminderStatus


async def cancel(session: AsyncSession, crisis_id: int) -> None:
    await session.execute(
        update(Reminder)
        .where(Reminder.pending_for == crisis_id)
        .values(status=ReminderStatus.cancelled.value, pending_for=None)
    )


async def schedule(
    session: AsyncSession, crisis_id: int, kind: ReminderKind, due_at: datetime, now: datetime
) -> Reminder:
    """Replace whatever was pending for the crisis with this reminder."""
    await cancel(session, crisis_id)
    reminder = Reminder(
        crisis_id=crisis_id,
        kind=kind.value,
        due_at=due_at,
        status=ReminderStatus.pending.value,
        pending_for=crisis_id,
        created_at=now,
    )
    session.add(reminder)
    await session.flush()
    return reminder


async def pending(session: AsyncSession, crisis_id: int) -> Reminder | None:
    return await session.scalar(select(Reminder).where(Reminder.pending_for == crisis_id))


async def schedule_many(
    session: AsyncSession,
    crisis_ids: list[int],
    kind: ReminderKind,
    due_at: datetime,
    now: datetime,
) -> None:
    """`schedule` for many crises at once (one update and one insert)."""
    if not crisis_ids:
        return
    await session.execute(
        update(Reminder)
        .where(Reminder.pending_for.in_(crisis_ids))
        .values(status=ReminderStatus.cancelled.value, pending_for=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        insert(Reminder.__table__), [row(crisis_id, kind, due_at, now) for crisis_id in crisis_ids]
    )


def row(crisis_id: int, kind: ReminderKind, due_at: datetime, now: datetime) -> dict[str, Any]:
    """A crisis's pending reminder as an insert takes it (for a crisis with none pending)."""
    return {
        "crisis_id": crisis_id,
        "kind": kind.value,
        "due_at": due_at,
        "status": ReminderStatus.pending.value,
        "pending_for": crisis_id,
        "attempts": 0,
        "created_at": now,
    }
