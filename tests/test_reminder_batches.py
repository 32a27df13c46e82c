"""Batched reminder sweeps: replicas share the due reminders and none fires twice; a
reminder whose firing fails is postponed without voiding the rest of its batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from bot import crisis_flow, roster
from bot.actors import WEBHOOK
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.intake import IntakeResult, ingest_many
from bot.migrations import upgrade_to_head
from bot.reminder_sweep import ReminderSweeper
from models import Reminder, ReminderStatus, RosterLevel, TimelineEvent
from models.session import Database
from tests.conftest import START, make_settings
from tests.helpers import alert, slack_user

CRISES = 40


def context(database: Database, clock: FixedClock) -> CoreContext:
    return CoreContext(
        db=database,
        settings=make_settings(database_url=database.url),
        clock=clock,
        platforms=("slack",),
    )


async def open_crises(ctx: CoreContext) -> list[int]:
    async with ctx.db.transaction() as session:
        for user in ("UANNA", "UBART"):
            await roster.add(
                session, slack_user("UBOOT"), slack_user(user), RosterLevel.senior, START
            )
    results = await ingest_many(
        ctx,
        [
            (alert(id=f"p-{n}", url=f"https://x.com/s/{n}", brand=f"Brand {n}"), WEBHOOK)
            for n in range(CRISES)
        ],
    )
    return [r.crisis for r in results if isinstance(r, IntakeResult)]


async def escalations(database: Database) -> Counter[int]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(TimelineEvent.crisis_id).where(
                TimelineEvent.kind == "owner_assigned",
                TimelineEvent.detail["reason"].as_string() == "escalated",
            )
        )
        return Counter(rows.all())


class Counting(ReminderSweeper):
    batch = 7

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__(ctx)
        self.fired: list[int] = []

    async def _fire_one(self, session: Any, reminder: Reminder) -> None:
        await super()._fire_one(session, reminder)
        self.fired.append(reminder.crisis_id)


async def test_two_replicas_share_the_due_reminders_and_none_fires_twice(
    database_url: str,
) -> None:
    clock = FixedClock(START)
    first, second = Database(database_url), Database(database_url)
    try:
        await upgrade_to_head(first)
        crises = await open_crises(context(first, clock))
        assert len(set(crises)) == CRISES
        clock.advance(make_settings().ack_timeout)
        a, b = Counting(context(first, clock)), Counting(context(second, clock))
        fired = await asyncio.gather(a.sweep(), b.sweep())
        assert sum(fired) == CRISES
        assert sorted(a.fired + b.fired) == sorted(crises)
        if first.is_postgresql:
            # SKIP LOCKED: neither waits for the other's batch; each takes its own share.
            assert a.fired and b.fired
        assert await escalations(first) == Counter(crises)
        assert await a.sweep() + await b.sweep() == 0
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_failing_crisis_does_not_void_the_rest_of_its_batch(
    ctx: CoreContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crises = await open_crises(ctx)
    broken = crises[3]
    real = crisis_flow.fire

    async def fire(session: Any, ctx_: CoreContext, reminder: Reminder, now: Any) -> None:
        await real(session, ctx_, reminder, now)
        if reminder.crisis_id == broken:
            raise RuntimeError("the roster table is away")

    monkeypatch.setattr(crisis_flow, "fire", fire)
    clock.advance(ctx.settings.ack_timeout)
    assert await ReminderSweeper(ctx).sweep() == CRISES - 1
    assert await escalations(ctx.db) == Counter(c for c in crises if c != broken)
    async with ctx.db.sessions() as session:
        left = await session.scalar(
            select(Reminder).where(Reminder.crisis_id == broken, Reminder.kind == "escalation")
        )
    # Nothing the failed firing wrote stayed; the reminder waits for its retry.
    assert left is not None and left.status == ReminderStatus.pending.value
    assert left.attempts == 1 and "roster table is away" in (left.last_error or "")
    assert left.due_at > clock.now()
    monkeypatch.setattr(crisis_flow, "fire", real)
    clock.advance(left.due_at - clock.now())
    assert await ReminderSweeper(ctx).sweep() == 1
    assert (await escalations(ctx.db))[broken] == 1


async def test_follow_ups_fire_together_and_a_failing_one_is_retried_alone(
    ctx: CoreContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crises = await open_crises(ctx)
    async with ctx.db.transaction() as session:
        await roster.add(session, slack_user("UBOOT"), slack_user("ULEAD"), RosterLevel.lead, START)
    for crisis in crises:
        await crisis_flow.acknowledge(ctx, crisis, slack_user("ULEAD"))
    broken = crises[5]
    failing = {broken}
    together, alone = crisis_flow.follow_up_many, crisis_flow.fire
    fired_together: list[int] = []

    async def follow_up_many(session: Any, ctx_: CoreContext, due: Any, now: Any) -> None:
        if any(crisis in failing for crisis, _, _ in due):
            raise RuntimeError("the outbox table is away")
        fired_together.extend(crisis for crisis, _, _ in due)
        await together(session, ctx_, due, now)

    async def fire(session: Any, ctx_: CoreContext, reminder: Reminder, now: Any) -> None:
        if reminder.crisis_id in failing:
            raise RuntimeError("the outbox table is away")
        await alone(session, ctx_, reminder, now)

    monkeypatch.setattr(crisis_flow, "follow_up_many", follow_up_many)
    monkeypatch.setattr(crisis_flow, "fire", fire)
    clock.advance(ctx.settings.reminder_interval)
    assert await ReminderSweeper(ctx).sweep() == CRISES - 1
    async with ctx.db.sessions() as session:
        reminded = Counter(
            (
                await session.scalars(
                    select(TimelineEvent.crisis_id).where(TimelineEvent.kind == "reminded")
                )
            ).all()
        )
        left = await session.scalar(
            select(Reminder).where(
                Reminder.crisis_id == broken, Reminder.status == ReminderStatus.pending.value
            )
        )
    assert reminded == Counter(c for c in crises if c != broken)
    assert left is not None and left.attempts == 1 and "outbox" in (left.last_error or "")
    # The batch failed together, so each went alone.
    assert fired_together == []
    failing.clear()
    clock.advance(left.due_at - clock.now())
    assert await ReminderSweeper(ctx).sweep() == 1
    assert fired_together == [broken]
    # A second pass over the same due reminders finds them fired: none twice.
    assert await ReminderSweeper(ctx).sweep() == 0
