"""The reminder sweep: APScheduler wakes it; it fires every due reminder exactly once.

Due reminders are claimed and fired in batches, one transaction per batch. A batch fires
together in one savepoint, with one query per kind of read and bulk writes for all of its
reminders: follow-ups, and escalations, whose owner picks read the roster and its load once
and keep that load current as each escalation of the batch assigns, so they pick what firing
them one by one would. When the batch's savepoint fails, its reminders go again one by one,
with a savepoint each: a firing that fails rolls back only its own savepoint (the reminder is
then postponed), the rest of the batch commits. Each reminder is marked fired in the same
commit as everything its firing wrote: a crash before the commit leaves the whole batch
pending; after it, done.

Several replicas share the due rows instead of queueing on them: on PostgreSQL a batch
claims its reminders `FOR UPDATE SKIP LOCKED`, so another replica's sweep takes the next
ones, and it locks their crises `SKIP LOCKED` too: a crisis a person is moving right now
(their move locks the crisis, then reschedules its reminder) is left for the next round
instead of deadlocking with it. On SQLite the batch's transaction begins IMMEDIATE, which
holds the one write lock: a second sweep (or replica) waits and then finds those reminders
fired, because the claim is the conditional `status = pending AND due_at <= now` checked
inside that lock.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import crisis_flow
from bot.context import CoreContext
from bot.metrics import REMINDER_SWEEP_SECONDS, REMINDERS_FIRED
from bot.wakeable import WakeableLoop
from models import Crisis, CrisisStatus, Reminder, ReminderKind, ReminderStatus, RosterMember

log = structlog.get_logger(__name__)

# A reminder whose firing fails is retried with growing pauses, never dropped: an open
# crisis must never stop being chased.
MAX_RETRY_PAUSE = timedelta(minutes=5)


class ReminderSweeper(WakeableLoop):
    name = "reminder-sweep"
    # Reminders claimed and fired per transaction (on SQLite a batch holds the one write lock,
    # so a person's click waits for it: 200 follow-ups take about 0.1 s of it).
    batch = 200

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__()
        self.ctx = ctx

    async def tick(self) -> None:
        await self.sweep()

    async def sweep(self) -> int:
        """Fire everything due now; returns how many fired."""
        fired = 0
        while not self.stopping:
            # Each batch is timed on its own: a sweep that falls behind never ends, and idle
            # ticks that find nothing would bury the rounds that fire something.
            started = time.perf_counter()
            claimed, done, failed = await self._fire_batch()
            for reminder_id, error in failed:
                await self._postpone(reminder_id, error)
            if done:
                fired += done
                REMINDERS_FIRED.inc(done)
                self.ctx.on_outbox()
            if claimed:
                REMINDER_SWEEP_SECONDS.observe(time.perf_counter() - started)
            # A short batch means nothing more is due; a batch that fired nothing (its crises
            # are all being moved right now) is tried again on the next tick.
            if claimed < self.batch or not done:
                return fired
            # Other work on the event loop (and, on SQLite, the transactions queued for the
            # one connection) goes between two batches.
            await asyncio.sleep(0)
        return fired

    async def _fire_batch(self) -> tuple[int, int, list[tuple[int, Exception]]]:
        """Claim up to `batch` due reminders and fire them in one transaction: how many were
        claimed, how many fired, and the ones that failed (to postpone)."""
        fired = 0
        failed: list[tuple[int, Exception]] = []
        async with self.ctx.db.transaction() as session:
            due = list(
                (
                    await session.scalars(
                        select(Reminder)
                        .where(
                            Reminder.status == ReminderStatus.pending.value,
                            Reminder.due_at <= self.ctx.clock.now(),
                        )
                        .order_by(Reminder.due_at, Reminder.id)
                        .limit(self.batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            if not due:
                return 0, 0, []
            rows = await session.execute(
                select(Crisis.id, Crisis.status, Crisis.owner_id)
                .where(Crisis.id.in_({reminder.crisis_id for reminder in due}))
                .with_for_update(skip_locked=True)
            )
            crises = {crisis_id: (CrisisStatus(status), owner) for crisis_id, status, owner in rows}
            ready = [reminder for reminder in due if reminder.crisis_id in crises]
            if any(
                crisis_flow.escalates(reminder.kind, crises[reminder.crisis_id][0])
                for reminder in ready
            ):
                # An escalation picks a new owner and stamps their row, and its pick counts
                # on nobody else assigning meanwhile: the roster is locked up front, in one
                # order, so two replicas' batches wait for each other instead of deadlocking.
                await session.execute(
                    select(RosterMember.id)
                    .where(RosterMember.active.is_(True))
                    .order_by(RosterMember.id)
                    .with_for_update()
                )
            alone: list[Reminder] = []
            if ready and not self.stopping:
                try:
                    async with session.begin_nested():
                        await self._fire_together(session, ready, crises)
                    fired += len(ready)
                except Exception:
                    # Each goes again alone, so a failing crisis fails only itself.
                    log.warning(
                        "reminder batch rolled back; they fire one at a time", exc_info=True
                    )
                    alone = ready
            for reminder in alone:
                if self.stopping:
                    # What is left stays pending and fires after the restart.
                    break
                # Read before firing: a failed savepoint expires what it touched.
                reminder_id = reminder.id
                try:
                    async with session.begin_nested():
                        await self._fire_one(session, reminder)
                except Exception as error:
                    log.exception("reminder failed", reminder=reminder_id)
                    failed.append((reminder_id, error))
                    continue
                fired += 1
        return len(due), fired, failed

    async def _fire_together(
        self,
        session: AsyncSession,
        due: list[Reminder],
        crises: dict[int, tuple[CrisisStatus, int | None]],
    ) -> None:
        """The batch fired in bulk: marked fired in one update (their ORM rows are left
        untouched, so a rollback leaves them as claimed); reminders gone stale just end."""
        now = self.ctx.clock.now()
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_([reminder.id for reminder in due]))
            .values(
                status=ReminderStatus.fired.value,
                pending_for=None,
                fired_at=now,
                attempts=Reminder.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )

        def of(kind: ReminderKind) -> list[tuple[int, CrisisStatus, int | None]]:
            return [
                (reminder.crisis_id, *crises[reminder.crisis_id])
                for reminder in due
                if reminder.kind == kind.value
            ]

        await crisis_flow.follow_up_many(session, self.ctx, of(ReminderKind.follow_up), now)
        await crisis_flow.escalate_many(session, self.ctx, of(ReminderKind.escalation), now)

    async def _fire_one(self, session: AsyncSession, reminder: Reminder) -> None:
        now = self.ctx.clock.now()
        # Fired first: firing schedules the crisis's next reminder, which takes the crisis's
        # one pending slot.
        reminder.status = ReminderStatus.fired.value
        reminder.pending_for = None
        reminder.fired_at = now
        reminder.attempts += 1
        await session.flush()
        await crisis_flow.fire(session, self.ctx, reminder, now)

    async def _postpone(self, reminder_id: int, exc: Exception) -> None:
        async with self.ctx.db.transaction() as session:
            reminder = await session.get(Reminder, reminder_id)
            if reminder is None or reminder.status != ReminderStatus.pending.value:
                return
            reminder.attempts += 1
            reminder.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            pause = min(MAX_RETRY_PAUSE, timedelta(seconds=2 ** min(reminder.attempts, 10)))
            reminder.due_at = self.ctx.clock.now() + pause
