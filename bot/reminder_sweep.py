"""The reminder sweep: APScheduler wakes it; it fires every due reminder exactly once.

Each reminder is claimed and fired in its own transaction: its crisis and then the reminder
row are locked (on PostgreSQL `FOR UPDATE`; SQLite's BEGIN IMMEDIATE serialises writers
anyway), the reminder is fired and marked fired in the same commit as everything the firing
wrote. A crash before the commit leaves it pending; after it, done. A second replica reaching
the same reminder waits for the lock and then finds it fired.
"""

from __future__ import annotations

import time
from datetime import timedelta

import structlog
from sqlalchemy import select

from bot import crises, crisis_flow
from bot.context import CoreContext
from bot.metrics import REMINDER_SWEEP_SECONDS, REMINDERS_FIRED
from bot.wakeable import WakeableLoop
from models import Reminder, ReminderStatus

log = structlog.get_logger(__name__)

_BATCH = 200
# A reminder whose firing fails is retried with growing pauses, never dropped: an open
# crisis must never stop being chased.
MAX_RETRY_PAUSE = timedelta(minutes=5)


class ReminderSweeper(WakeableLoop):
    name = "reminder-sweep"

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__()
        self.ctx = ctx

    async def tick(self) -> None:
        await self.sweep()

    async def sweep(self) -> int:
        """Fire everything due now; returns how many fired."""
        fired = 0
        while True:
            # Each round is timed on its own: a sweep that falls behind never ends, and idle
            # ticks that find nothing would bury the rounds that fire something.
            started = time.perf_counter()
            due = await self._due_ids()
            if not due:
                return fired
            for reminder_id in due:
                if self.stopping:
                    # What is left stays pending and fires after the restart.
                    return fired
                if await self._fire_one(reminder_id):
                    fired += 1
                    REMINDERS_FIRED.inc()
            REMINDER_SWEEP_SECONDS.observe(time.perf_counter() - started)
            if len(due) < _BATCH:
                return fired

    async def _due_ids(self) -> list[int]:
        async with self.ctx.db.sessions() as session:
            rows = await session.scalars(
                select(Reminder.id)
                .where(
                    Reminder.status == ReminderStatus.pending.value,
                    Reminder.due_at <= self.ctx.clock.now(),
                )
                .order_by(Reminder.due_at, Reminder.id)
                .limit(_BATCH)
            )
            return list(rows.all())

    async def _fire_one(self, reminder_id: int) -> bool:
        try:
            async with self.ctx.db.transaction() as session:
                crisis_id = await session.scalar(
                    select(Reminder.crisis_id).where(Reminder.id == reminder_id)
                )
                if crisis_id is None:
                    return False
                # The crisis row first, then the reminder: the same order as a person's move
                # (which locks the crisis, then reschedules its reminder), so the two never
                # deadlock. Another replica firing the same reminder waits here, then finds
                # it fired.
                await crises.get(session, crisis_id, for_update=True)
                reminder = await session.scalar(
                    select(Reminder)
                    .where(
                        Reminder.id == reminder_id,
                        Reminder.status == ReminderStatus.pending.value,
                        Reminder.due_at <= self.ctx.clock.now(),
                    )
                    .with_for_update()
                )
                if reminder is None:
                    return False
                now = self.ctx.clock.now()
                # Fired first: firing schedules the crisis's next reminder, which takes the
                # crisis's one pending slot.
                reminder.status = ReminderStatus.fired.value
                reminder.pending_for = None
                reminder.fired_at = now
                reminder.attempts += 1
                await session.flush()
                await crisis_flow.fire(session, self.ctx, reminder, now)
        except Exception as exc:
            log.exception("reminder failed", reminder=reminder_id)
            await self._postpone(reminder_id, exc)
            return False
        self.ctx.on_outbox()
        return True

    async def _postpone(self, reminder_id: int, exc: Exception) -> None:
        async with self.ctx.db.transaction() as session:
            reminder = await session.get(Reminder, reminder_id)
            if reminder is None or reminder.status != ReminderStatus.pending.value:
                return
            reminder.attempts += 1
            reminder.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            pause = min(MAX_RETRY_PAUSE, timedelta(seconds=2 ** min(reminder.attempts, 10)))
            reminder.due_at = self.ctx.clock.now() + pause
