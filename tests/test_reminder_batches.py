"""Batched reminder sweeps: replicas share the due reminders and none fires twice; a
reminder whose firing fails is postponed without voiding the rest of its batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
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
from models import (
    Crisis,
    OutboxMessage,
    Reminder,
    ReminderStatus,
    RosterLevel,
    RosterMember,
    TimelineEvent,
)
from models.session import Database
from tests.conftest import START, make_settings, reset_postgresql
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


async def threads(database: Database, crisis: int) -> list[tuple[str, dict[str, Any]]]:
    """The crisis's thread messages, in order: (catalogue key, parameters)."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.data)
            .where(OutboxMessage.crisis_id == crisis, OutboxMessage.kind == "thread")
            .order_by(OutboxMessage.id)
        )
        return [(data["key"], data["params"]) for data in rows.all()]


class Counting(ReminderSweeper):
    batch = 7

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__(ctx)
        self.fired: list[int] = []

    async def _fire_together(self, session: Any, due: list[Reminder], crises: Any) -> None:
        await super()._fire_together(session, due, crises)
        self.fired.extend(reminder.crisis_id for reminder in due)

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
        # Cleo joins with no crisis: the escalations' picks depend on each other's.
        await add_roster(context(first, clock), ("UCLEO",), ())
        async with first.sessions() as session:
            owners = dict((await session.execute(select(Crisis.id, Crisis.owner_id))).all())
            cleo = await roster.find_member(session, slack_user("UCLEO"))
            assert cleo is not None
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
        # Each pick saw every pick before it, whichever replica made it: in the order they
        # were made, each went to the senior (not the one it left) with the fewest crises,
        # ties to whoever was assigned longest ago (Cleo never was).
        load = Counter(owners.values())
        last = {member: 0 for member in load} | {cleo.id: -1}
        async with first.sessions() as session:
            picks = (
                await session.execute(
                    select(TimelineEvent.crisis_id, TimelineEvent.detail)
                    .where(
                        TimelineEvent.kind == "owner_assigned",
                        TimelineEvent.detail["reason"].as_string() == "escalated",
                    )
                    .order_by(TimelineEvent.id)
                )
            ).all()
        for crisis, detail in picks:
            previous = owners[crisis]
            expected = min(
                (member for member in last if member != previous),
                key=lambda member: (load[member], last[member], member),
            )
            assert detail["member"] == expected, (crisis, dict(load))
            load[previous] -= 1
            load[expected] += 1
            last[expected] = 1
            owners[crisis] = expected
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_failing_crisis_does_not_void_the_rest_of_its_batch(
    ctx: CoreContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crises = await open_crises(ctx)
    broken = crises[3]
    together, alone = crisis_flow.escalate_many, crisis_flow.fire
    fired_together: list[int] = []

    async def escalate_many(session: Any, ctx_: CoreContext, due: Any, now: Any) -> None:
        # Everything the batch wrote is written before it fails: the rollback takes it all.
        await together(session, ctx_, due, now)
        if any(crisis == broken for crisis, _, _ in due):
            raise RuntimeError("the roster table is away")
        fired_together.extend(crisis for crisis, _, _ in due)

    async def fire(session: Any, ctx_: CoreContext, reminder: Reminder, now: Any) -> None:
        await alone(session, ctx_, reminder, now)
        if reminder.crisis_id == broken:
            raise RuntimeError("the roster table is away")

    monkeypatch.setattr(crisis_flow, "escalate_many", escalate_many)
    monkeypatch.setattr(crisis_flow, "fire", fire)
    clock.advance(ctx.settings.ack_timeout)
    assert await ReminderSweeper(ctx).sweep() == CRISES - 1
    # The batch failed together, so each went alone.
    assert fired_together == []
    assert await escalations(ctx.db) == Counter(c for c in crises if c != broken)
    async with ctx.db.sessions() as session:
        left = await session.scalar(
            select(Reminder).where(Reminder.crisis_id == broken, Reminder.kind == "escalation")
        )
    # Nothing the failed firing wrote stayed; the reminder waits for its retry.
    assert left is not None and left.status == ReminderStatus.pending.value
    assert left.attempts == 1 and "roster table is away" in (left.last_error or "")
    assert left.due_at > clock.now()
    assert [key for key, _ in await threads(ctx.db, broken)] == ["thread.owner_assigned"]
    monkeypatch.setattr(crisis_flow, "escalate_many", together)
    monkeypatch.setattr(crisis_flow, "fire", alone)
    clock.advance(left.due_at - clock.now())
    assert await ReminderSweeper(ctx).sweep() == 1
    assert (await escalations(ctx.db))[broken] == 1
    [(key, params)] = (await threads(ctx.db, broken))[1:]
    assert key == "thread.escalated" and params["n"] == broken


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


# ---- escalations in a batch pick what firing them one by one would -------------------------

SENIORS = ("UANNA", "UBART", "UCLEO", "UDAVE")
LEADS = ("ULENA", "ULEON")


class OneByOne(ReminderSweeper):
    """Fires every reminder alone, through `crisis_flow.fire` (the path a failed batch
    takes): the reference a batch must match."""

    async def _fire_together(self, session: Any, due: list[Reminder], crises: Any) -> None:
        raise RuntimeError("one at a time")


class SmallBatches(ReminderSweeper):
    # Several batches per sweep, and several escalations per batch.
    batch = 5

    async def _fire_one(self, session: Any, reminder: Reminder) -> None:
        # A batch that failed would go again one at a time and match the reference anyway.
        raise AssertionError("a batch was rolled back and fired one at a time")


async def add_roster(ctx: CoreContext, seniors: tuple[str, ...], leads: tuple[str, ...]) -> None:
    async with ctx.db.transaction() as session:
        editor = slack_user("UBOOT")
        for users, level in ((seniors, RosterLevel.senior), (leads, RosterLevel.lead)):
            for user in users:
                await roster.add(session, editor, slack_user(user), level, ctx.clock.now())
                if level is RosterLevel.lead:
                    # Once the roster has a lead, only a lead may edit it.
                    editor = slack_user(user)


async def open_unowned(ctx: CoreContext) -> None:
    """Two crises opened while nobody is on the roster: no owner until their escalation."""
    await ingest_many(
        ctx,
        [
            (alert(id=f"u-{n}", url=f"https://x.com/u/{n}", brand=f"U {n}"), WEBHOOK)
            for n in range(2)
        ],
    )


async def ladder(ctx: CoreContext, clock: FixedClock) -> None:
    """Seniors and leads whose loads and last assignments tie; a hand-over by a lead, which
    starts the upper rungs again; an acknowledged crisis, whose follow-ups share the
    escalations' batches."""
    await open_unowned(ctx)
    await add_roster(ctx, SENIORS, ())
    # Opened together: their owners' last assignments tie, and so do their loads.
    await ingest_many(
        ctx,
        [
            (alert(id=f"p-{n}", url=f"https://x.com/s/{n}", brand=f"B {n}"), WEBHOOK)
            for n in range(10)
        ],
    )
    await add_roster(ctx, (), LEADS)
    await crisis_flow.reassign(ctx, 4, slack_user("ULENA"), slack_user("UANNA"))
    await crisis_flow.acknowledge(ctx, 7, slack_user("ULEON"))


async def ties(ctx: CoreContext, clock: FixedClock) -> None:
    """Anna owns two crises, Bart one, assigned a minute apart: the first unowned crisis to
    escalate goes to Bart (fewer crises); then both have two, and the second goes to Anna,
    whose last assignment is now the older one."""
    await open_unowned(ctx)
    await add_roster(ctx, SENIORS[:2], ())
    for n in range(3):
        clock.advance(timedelta(minutes=1))
        await ingest_many(
            ctx, [(alert(id=f"t-{n}", url=f"https://x.com/t/{n}", brand=f"T {n}"), WEBHOOK)]
        )


async def climb(
    url: str,
    sweeper: type[ReminderSweeper],
    scenario: Callable[[CoreContext, FixedClock], Awaitable[None]],
) -> dict[str, Any]:
    """The scenario's crises climbing the escalation ladder for a few rounds; then
    everything a person could see: owners, thread messages, the timeline, who is due when."""
    if url.startswith("postgresql"):
        await reset_postgresql(url)
    database = Database(url)
    clock = FixedClock(START)
    ctx = context(database, clock)
    try:
        await upgrade_to_head(database)
        await scenario(ctx, clock)
        # Past the first follow-up of the acknowledged crisis too.
        while clock.now() <= START + ctx.settings.reminder_interval + ctx.settings.ack_timeout:
            clock.advance(ctx.settings.ack_timeout)
            await sweeper(ctx).sweep()
        async with database.sessions() as session:
            owners = (
                await session.execute(select(Crisis.id, Crisis.owner_id).order_by(Crisis.id))
            ).all()
            members = (
                await session.execute(
                    select(RosterMember.id, RosterMember.last_assigned_at).order_by(RosterMember.id)
                )
            ).all()
            events = (
                await session.execute(
                    select(
                        TimelineEvent.crisis_id,
                        TimelineEvent.kind,
                        TimelineEvent.actor,
                        TimelineEvent.detail,
                    ).order_by(TimelineEvent.crisis_id, TimelineEvent.id)
                )
            ).all()
            messages = (
                await session.execute(
                    select(
                        OutboxMessage.crisis_id,
                        OutboxMessage.kind,
                        OutboxMessage.data,
                        OutboxMessage.available_at,
                    ).order_by(OutboxMessage.crisis_id, OutboxMessage.kind, OutboxMessage.id)
                )
            ).all()
            reminders = (
                await session.execute(
                    select(
                        Reminder.crisis_id,
                        Reminder.kind,
                        Reminder.status,
                        Reminder.due_at,
                        Reminder.fired_at,
                    ).order_by(Reminder.crisis_id, Reminder.id)
                )
            ).all()
        return {
            "owners": [tuple(row) for row in owners],
            "members": [tuple(row) for row in members],
            "timeline": [tuple(row) for row in events],
            "outbox": [tuple(row) for row in messages],
            "reminders": [tuple(row) for row in reminders],
        }
    finally:
        await database.dispose()


@pytest.mark.parametrize("scenario", [ladder, ties])
async def test_a_batch_of_escalations_picks_the_owners_firing_them_one_by_one_would(
    database_url: str, scenario: Callable[[CoreContext, FixedClock], Awaitable[None]]
) -> None:
    one_by_one = await climb(database_url, OneByOne, scenario)
    if database_url.startswith("sqlite"):
        database_url = database_url.replace(".db", "-batched.db")
    batched = await climb(database_url, SmallBatches, scenario)
    assert batched == one_by_one
    thread = [
        (crisis, data["key"], data["params"])
        for crisis, kind, data, _ in batched["outbox"]
        if kind == "thread"
    ]
    keys = Counter(key for _, key, _ in thread)
    if scenario is ladder:
        # Every rung was climbed: unowned crises got an owner, owners were replaced, then
        # the leads and then the whole channel were called; follow-ups shared the batches.
        for key in (
            "thread.owner_assigned",
            "thread.escalated",
            "thread.escalation_leads",
            "thread.escalation_nobody",
            "thread.reminder_next_step",
        ):
            assert keys[key] > 0, key
    else:
        anna, bart = 1, 2
        assert [
            params["owner"]["member"]
            for crisis, key, params in thread
            if crisis in (1, 2) and key == "thread.owner_assigned"
        ] == [bart, anna]
