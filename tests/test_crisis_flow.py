"""The crisis loop in the core: moves, who may make them, escalation and reminders.

No Slack here: the outbox rows are what the platforms would be told.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import crisis_flow, roster
from bot.actors import WEBHOOK, Actor
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.errors import CrisisError, Forbidden, InvalidInput, NotAllowedNow
from bot.intake import ingest
from bot.reminder_sweep import ReminderSweeper
from models import (
    Crisis,
    GroupKey,
    OutboxMessage,
    PlaybookTick,
    Reminder,
    RosterLevel,
    TimelineEvent,
)
from tests.helpers import alert, count, slack_user

ACK_TIMEOUT = timedelta(minutes=15)
INTERVAL = timedelta(hours=2)
ANNA, BART, CARL, LEA, JUNE = (slack_user(u) for u in ("UANNA", "UBART", "UCARL", "ULEA", "UJUNE"))


async def members(ctx: CoreContext, *people: tuple[Actor, RosterLevel]) -> dict[str, int]:
    ids = {}
    async with ctx.db.transaction() as session:
        leads = await roster.leads(session)
        editor = slack_user(leads[0].identity("slack") or "") if leads else slack_user("UBOOT")
        for person, level in people:
            await roster.add(session, editor, person, level, ctx.clock.now())
            if level is RosterLevel.lead:
                editor = person
            member = await roster.find_member(session, person)
            assert member is not None
            ids[person.user_id] = member.id
    return ids


async def open_crisis(ctx: CoreContext, n: int = 1) -> int:
    result = await ingest(ctx, alert(id=f"p{n}", url=f"https://facebook.com/p/{n}"), WEBHOOK)
    return result.crisis


async def crisis(ctx: CoreContext, number: int = 1) -> Crisis:
    async with ctx.db.sessions() as session:
        row = await session.get(Crisis, number)
        assert row is not None
        return row


async def pending(ctx: CoreContext, number: int = 1) -> Reminder | None:
    async with ctx.db.sessions() as session:
        return await session.scalar(select(Reminder).where(Reminder.pending_for == number))


async def thread(ctx: CoreContext, number: int = 1) -> list[tuple[str, dict[str, Any]]]:
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.crisis_id == number, OutboxMessage.kind == "thread")
            .order_by(OutboxMessage.id)
        )
        return [(row.data["key"], row.data["params"]) for row in rows]


async def kinds(ctx: CoreContext, number: int = 1) -> list[str]:
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.crisis_id == number)
            .order_by(TimelineEvent.id)
        )
        return list(rows.all())


async def delivered(ctx: CoreContext) -> None:
    """As if a platform had sent everything queued so far."""
    async with ctx.db.transaction() as session:
        await session.execute(update(OutboxMessage).values(status="sent", sent_at=ctx.clock.now()))


@pytest.fixture
def loop_ctx(ctx: CoreContext) -> CoreContext:
    ctx.settings.ack_timeout = ACK_TIMEOUT
    ctx.settings.reminder_interval = INTERVAL
    return ctx


async def test_new_crisis_starts_the_escalation_clock(loop_ctx: CoreContext) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.kind == "escalation"
    assert reminder.due_at == loop_ctx.clock.now() + ACK_TIMEOUT


async def test_owner_acknowledges_and_follow_ups_start(loop_ctx: CoreContext) -> None:
    ids = await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    reply = await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    assert reply.key == "reply.acknowledged"
    row = await crisis(loop_ctx)
    assert row.status == "acknowledged" and row.acknowledged_at == loop_ctx.clock.now()
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.kind == "follow_up"
    assert reminder.due_at == loop_ctx.clock.now() + INTERVAL
    assert (await thread(loop_ctx))[-1] == (
        "thread.acknowledged",
        {"n": 1, "member": {"member": ids["UANNA"]}},
    )
    async with loop_ctx.db.sessions() as session:
        queued = (
            await session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id))
        ).all()
    assert queued[-3:] == ["thread", "playbook_post", "root_update"]
    assert (await kinds(loop_ctx))[-1] == "acknowledged"


async def test_others_are_refused_with_who_can_and_nothing_changes(loop_ctx: CoreContext) -> None:
    ids = await members(
        loop_ctx,
        (ANNA, RosterLevel.senior),
        (LEA, RosterLevel.lead),
        (BART, RosterLevel.senior),
        (JUNE, RosterLevel.junior),
    )
    await open_crisis(loop_ctx)
    owner = (await crisis(loop_ctx)).owner_id
    outsider = Actor("slack", "UNOBODY")
    other_senior = BART if owner == ids["UANNA"] else ANNA
    before = (await count(loop_ctx.db, OutboxMessage), await count(loop_ctx.db, TimelineEvent))
    for who in (outsider, JUNE, other_senior):
        for move in (
            crisis_flow.acknowledge(loop_ctx, 1, who),
            crisis_flow.reassign(loop_ctx, 1, who, CARL),
            crisis_flow.reopen(loop_ctx, 1, who),
            crisis_flow.snooze(loop_ctx, 1, who, loop_ctx.clock.now() + INTERVAL),
            crisis_flow.set_steps(loop_ctx, 1, who, {"apologise"}),
            crisis_flow.propose_resolution(loop_ctx, 1, who, None, "x"),
            crisis_flow.confirm(loop_ctx, 1, who, None),
            crisis_flow.set_category(loop_ctx, 1, who, "price_change"),
        ):
            with pytest.raises(Forbidden) as refused:
                await move
            assert refused.value.message.key == "error.owner_or_lead"
            assert refused.value.message.params["owner"] == {"member": owner}
            assert refused.value.message.params["leads"] == {"members": [ids["ULEA"]]}
    assert (
        await count(loop_ctx.db, OutboxMessage),
        await count(loop_ctx.db, TimelineEvent),
    ) == before
    # A lead may act on anyone's crisis.
    await crisis_flow.acknowledge(loop_ctx, 1, LEA)
    assert (await crisis(loop_ctx)).status == "acknowledged"


async def test_moves_not_allowed_now_change_nothing(loop_ctx: CoreContext) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    before = await count(loop_ctx.db, OutboxMessage)
    for move in (
        crisis_flow.propose_resolution(loop_ctx, 1, ANNA, None, None),
        crisis_flow.confirm(loop_ctx, 1, ANNA, None),
        crisis_flow.reopen(loop_ctx, 1, ANNA),
        crisis_flow.snooze(loop_ctx, 1, ANNA, loop_ctx.clock.now() + INTERVAL),
    ):
        with pytest.raises(NotAllowedNow):
            await move
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    with pytest.raises(NotAllowedNow) as twice:
        await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    assert twice.value.message.key == "error.already_acknowledged"
    assert await count(loop_ctx.db, OutboxMessage) == before + 3


async def test_escalation_to_the_next_senior_then_to_the_leads(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    ids = await members(loop_ctx, (ANNA, RosterLevel.senior), (BART, RosterLevel.senior))
    await open_crisis(loop_ctx)
    first = (await crisis(loop_ctx)).owner_id
    sweeper = ReminderSweeper(loop_ctx)
    clock.advance(ACK_TIMEOUT - timedelta(seconds=1))
    assert await sweeper.sweep() == 0
    clock.advance(timedelta(seconds=1))
    assert await sweeper.sweep() == 1
    second = (await crisis(loop_ctx)).owner_id
    assert second != first and {first, second} == {ids["UANNA"], ids["UBART"]}
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.escalated"
    assert params["previous"] == {"member": first} and params["owner"] == {"member": second}
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.due_at == clock.now() + ACK_TIMEOUT
    # The clock restarted: nothing more until another ACK_TIMEOUT.
    clock.advance(ACK_TIMEOUT - timedelta(seconds=1))
    assert await sweeper.sweep() == 0
    # The new owner acknowledges: escalation stops, follow-ups start.
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA if second == ids["UANNA"] else BART)
    clock.advance(ACK_TIMEOUT)
    assert await sweeper.sweep() == 0


async def test_with_nobody_else_the_leads_or_the_channel_are_called_every_timeout(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    sweeper = ReminderSweeper(loop_ctx)
    await open_crisis(loop_ctx)  # empty roster: unassigned
    clock.advance(ACK_TIMEOUT)
    assert await sweeper.sweep() == 1
    assert (await thread(loop_ctx))[-1][0] == "thread.escalation_nobody"
    assert (await thread(loop_ctx))[-1][1]["who"] == {"everyone": True}
    ids = await members(loop_ctx, (LEA, RosterLevel.lead))
    clock.advance(ACK_TIMEOUT)
    # A lead joined and no senior can: the escalation hands the crisis to her.
    assert await sweeper.sweep() == 1
    assert (await crisis(loop_ctx)).owner_id == ids["ULEA"]
    clock.advance(ACK_TIMEOUT)
    assert await sweeper.sweep() == 1
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.escalation_leads" and params["who"] == {"members": [ids["ULEA"]]}
    for _ in range(2):
        clock.advance(ACK_TIMEOUT)
        assert await sweeper.sweep() == 1
        key, params = (await thread(loop_ctx))[-1]
        assert key == "thread.escalation_nobody" and params["who"] == {"everyone": True}
    assert (await kinds(loop_ctx)).count("escalated_to_leads") == 1
    assert (await crisis(loop_ctx)).owner_id == ids["ULEA"]


async def test_escalation_climbs_the_ladder_and_never_ping_pongs(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    ids = await members(
        loop_ctx,
        (LEA, RosterLevel.lead),
        (CARL, RosterLevel.lead),
        (ANNA, RosterLevel.senior),
        (BART, RosterLevel.senior),
    )
    seniors = {ids["UANNA"], ids["UBART"]}
    leads = {ids["ULEA"], ids["UCARL"]}
    sweeper = ReminderSweeper(loop_ctx)
    await open_crisis(loop_ctx)
    # Seniors own crises; the leads are the escalation layer.
    first = (await crisis(loop_ctx)).owner_id
    assert first in seniors
    clock.advance(ACK_TIMEOUT)
    assert await sweeper.sweep() == 1
    second = (await crisis(loop_ctx)).owner_id
    assert second in seniors - {first}
    assert (await thread(loop_ctx))[-1][0] == "thread.escalated"
    # Every senior had it: all the leads are called (the owner stays; nobody gets it back).
    clock.advance(ACK_TIMEOUT)
    assert await sweeper.sweep() == 1
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.escalation_leads" and set(params["who"]["members"]) == leads
    assert (await crisis(loop_ctx)).owner_id == second
    # Then the whole channel, every ACK_TIMEOUT, until someone acknowledges.
    for _ in range(3):
        clock.advance(ACK_TIMEOUT)
        assert await sweeper.sweep() == 1
        key, params = (await thread(loop_ctx))[-1]
        assert key == "thread.escalation_nobody" and params["who"] == {"everyone": True}
        assert (await crisis(loop_ctx)).owner_id == second
    owners = [
        e
        for e in await kinds(loop_ctx)
        if e in ("owner_assigned", "escalated_to_leads", "escalated_to_channel")
    ]
    assert (
        owners
        == ["owner_assigned", "owner_assigned", "escalated_to_leads"] + ["escalated_to_channel"] * 3
    )
    # A lead acknowledging takes it over: the thread says so, the reminders follow her.
    await crisis_flow.acknowledge(loop_ctx, 1, LEA)
    row = await crisis(loop_ctx)
    assert (row.owner_id, row.status) == (ids["ULEA"], "acknowledged")
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.took_over"
    assert params == {"n": 1, "member": {"member": ids["ULEA"]}, "previous": {"member": second}}
    clock.advance(INTERVAL)
    await delivered(loop_ctx)
    assert await sweeper.sweep() == 1
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.reminder_next_step" and params["owner"] == {"member": ids["ULEA"]}


async def test_a_critical_crisis_tells_the_leads_when_it_opens(loop_ctx: CoreContext) -> None:
    ids = await members(loop_ctx, (LEA, RosterLevel.lead), (ANNA, RosterLevel.senior))
    calm = await ingest(
        loop_ctx, alert(id="calm", url="https://facebook.com/p/calm", reach=10), WEBHOOK
    )
    assert [key for key, _ in await thread(loop_ctx, calm.crisis)] == ["thread.owner_assigned"]
    loud = await ingest(
        loop_ctx,
        alert(id="loud", url="https://facebook.com/p/loud", reach=500_000, sentiment=-0.9),
        WEBHOOK,
    )
    assert (await crisis(loop_ctx, loud.crisis)).severity == "critical"
    (owner_key, owner), (key, params) = await thread(loop_ctx, loud.crisis)
    assert owner_key == "thread.owner_assigned" and owner["owner"] == {"member": ids["UANNA"]}
    assert key == "thread.critical_leads" and params["who"] == {"members": [ids["ULEA"]]}


async def test_reassign_only_to_seniors_and_the_clock_restarts(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    ids = await members(
        loop_ctx, (ANNA, RosterLevel.senior), (LEA, RosterLevel.lead), (JUNE, RosterLevel.junior)
    )
    await open_crisis(loop_ctx)
    owner = (await crisis(loop_ctx)).owner_id
    owner_actor = ANNA if owner == ids["UANNA"] else LEA
    other = LEA if owner_actor is ANNA else ANNA
    await crisis_flow.acknowledge(loop_ctx, 1, owner_actor)
    for refused_target in (JUNE, Actor("slack", "UNOBODY")):
        with pytest.raises(InvalidInput):
            await crisis_flow.reassign(loop_ctx, 1, owner_actor, refused_target)
    with pytest.raises(InvalidInput):
        await crisis_flow.reassign(loop_ctx, 1, owner_actor, owner_actor)
    clock.advance(timedelta(minutes=5))
    await crisis_flow.reassign(loop_ctx, 1, owner_actor, other)
    row = await crisis(loop_ctx)
    assert row.owner_id == ids[other.user_id] and row.status == "open"
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.kind == "escalation"
    assert reminder.due_at == clock.now() + ACK_TIMEOUT
    assert (await thread(loop_ctx))[-1][0] == "thread.reassigned"


async def test_resolution_confirmation_and_the_figures(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    clock.advance(timedelta(minutes=12))
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    with pytest.raises(InvalidInput):
        await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, "free_beer", None)
    with pytest.raises(InvalidInput):
        await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, None, "x" * 3001)
    clock.advance(timedelta(hours=1))
    await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, "refund", "Zwrot 199 zł wysłany")
    row = await crisis(loop_ctx)
    assert (row.status, row.resolution_remedy, row.resolution_note) == (
        "awaiting_confirmation",
        "refund",
        "Zwrot 199 zł wysłany",
    )
    (key, params), (link_key, _) = (await thread(loop_ctx))[-2:]
    assert key == "thread.resolution_proposed"
    # Without PUBLIC_BASE_URL the owner learns why there is no link for the customer.
    assert link_key == "thread.confirmation_link_off"
    assert params["checklist"] == {
        "bullets": ["playbook.closing.remove_comment", "playbook.closing.public_summary"]
    }
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.kind == "follow_up"
    clock.advance(timedelta(hours=2, minutes=30))
    await crisis_flow.confirm(loop_ctx, 1, ANNA, "Klientka podziękowała")
    row = await crisis(loop_ctx)
    assert row.status == "closed"
    # The post's keys stay with the closed crisis for the relapse watch, and no longer.
    async with loop_ctx.db.sessions() as session:
        held = (await session.scalars(select(GroupKey).where(GroupKey.crisis_id == 1))).all()
    assert held and {key.expires_at for key in held} == {clock.now() + timedelta(days=7)}
    assert await pending(loop_ctx) is None
    key, params = (await thread(loop_ctx))[-1]
    assert key == "thread.closed"
    assert params["to_ack"] == {"duration": 12 * 60}
    assert params["to_resolve"] == {"duration": (12 + 60 + 150) * 60}
    # Nothing is sent for a closed crisis, however long we wait.
    clock.advance(INTERVAL * 5)
    assert await ReminderSweeper(loop_ctx).sweep() == 0


async def test_reopen_brings_it_back_and_the_post_collects_comments_again(
    loop_ctx: CoreContext,
) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, None, None)
    await crisis_flow.reopen(loop_ctx, 1, ANNA)
    assert (await crisis(loop_ctx)).status == "acknowledged"
    await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, None, None)
    await crisis_flow.confirm(loop_ctx, 1, ANNA, None)
    await crisis_flow.reopen(loop_ctx, 1, ANNA)
    row = await crisis(loop_ctx)
    assert row.status == "acknowledged" and row.closed_at is None
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.kind == "follow_up"
    comment = await ingest(
        loop_ctx,
        alert(id="c9", url="https://facebook.com/c/9", parent_url="https://facebook.com/p/1"),
        WEBHOOK,
    )
    assert (comment.status.value, comment.crisis) == ("grouped", 1)


async def test_follow_ups_say_what_is_next_and_never_burst(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    ids = await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    await crisis_flow.set_steps(loop_ctx, 1, ANNA, {"apologise", "admit"})
    sweeper = ReminderSweeper(loop_ctx)
    # The server was down for ten intervals: one reminder on the way back, not ten.
    clock.advance(INTERVAL * 10)
    assert await sweeper.sweep() == 1
    assert await sweeper.sweep() == 0
    key, params = (await thread(loop_ctx))[-1]
    # Acknowledged: the reminder names the next step and never calls the crisis "still open".
    assert key == "thread.reminder_next_step"
    assert params["owner"] == {"member": ids["UANNA"]}
    assert params["next"] == {"choice": "playbook.step.fix"}
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.due_at == clock.now() + INTERVAL
    await delivered(loop_ctx)
    await crisis_flow.propose_resolution(loop_ctx, 1, ANNA, None, None)
    clock.advance(INTERVAL)
    assert await sweeper.sweep() == 1
    assert (await thread(loop_ctx))[-1][0] == "thread.follow_up_confirmation"


async def test_snooze_moves_the_next_reminder(loop_ctx: CoreContext, clock: FixedClock) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    with pytest.raises(NotAllowedNow):
        await crisis_flow.snooze(loop_ctx, 1, ANNA, clock.now() + timedelta(hours=4))
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    for bad in (clock.now() - timedelta(minutes=1), clock.now() + timedelta(days=31)):
        with pytest.raises(InvalidInput):
            await crisis_flow.snooze(loop_ctx, 1, ANNA, bad)
    until = clock.now() + timedelta(hours=4)
    await crisis_flow.snooze(loop_ctx, 1, ANNA, until)
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.due_at == until and reminder.kind == "follow_up"
    clock.advance(INTERVAL)
    assert await ReminderSweeper(loop_ctx).sweep() == 0
    clock.advance(timedelta(hours=2))
    assert await ReminderSweeper(loop_ctx).sweep() == 1
    assert (await thread(loop_ctx))[-2][0] == "thread.snoozed"


async def test_playbook_ticks_are_recorded_and_can_be_undone(loop_ctx: CoreContext) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    reply = await crisis_flow.set_steps(loop_ctx, 1, ANNA, {"apologise", "admit", "fix"})
    assert reply.params["done"] == 3 and reply.params["next"] == {"choice": "playbook.step.improve"}
    await crisis_flow.set_steps(loop_ctx, 1, ANNA, {"apologise", "fix"})
    async with loop_ctx.db.sessions() as session:
        ticked = set((await session.scalars(select(PlaybookTick.step))).all())
    assert ticked == {"apologise", "fix"}
    assert (await kinds(loop_ctx)).count("step_done") == 3
    assert (await kinds(loop_ctx)).count("step_undone") == 1
    with pytest.raises(CrisisError):
        await crisis_flow.set_steps(loop_ctx, 1, ANNA, {"pray"})


async def test_a_senior_may_take_an_unowned_crisis_while_there_are_no_leads(
    loop_ctx: CoreContext,
) -> None:
    await open_crisis(loop_ctx)  # empty roster: nobody owns it
    ids = await members(loop_ctx, (ANNA, RosterLevel.senior))
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    row = await crisis(loop_ctx)
    assert row.owner_id == ids["UANNA"] and row.status == "acknowledged"


async def test_reminders_do_not_pile_up_while_the_last_one_is_undelivered(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior))
    await open_crisis(loop_ctx)
    await crisis_flow.acknowledge(loop_ctx, 1, ANNA)
    sweeper = ReminderSweeper(loop_ctx)
    # Slack is down: nothing is delivered, the reminders keep falling due.
    for _ in range(4):
        clock.advance(INTERVAL)
        assert await sweeper.sweep() == 1
    keys = [key for key, _ in await thread(loop_ctx)]
    assert keys.count("thread.reminder_next_step") == 1
    assert (await kinds(loop_ctx)).count("reminder_skipped") == 3
    # The chase goes on: the next reminder is scheduled.
    reminder = await pending(loop_ctx)
    assert reminder is not None and reminder.due_at == clock.now() + INTERVAL


async def test_a_sweep_asked_to_stop_ends_after_the_batch_it_is_firing(
    loop_ctx: CoreContext, clock: FixedClock
) -> None:
    await members(loop_ctx, (ANNA, RosterLevel.senior), (BART, RosterLevel.senior))
    for n in range(3):
        await open_crisis(loop_ctx, n)
    clock.advance(ACK_TIMEOUT)

    class StoppedMidRound(ReminderSweeper):
        batch = 1

        async def _fire_together(
            self, session: AsyncSession, due: list[Reminder], crises: Any
        ) -> None:
            await super()._fire_together(session, due, crises)
            await self.stop()  # as on SIGTERM, while the round is under way

    assert await StoppedMidRound(loop_ctx).sweep() == 1
    # The rest stayed pending and fire after the restart, once each: every crisis went to
    # its other senior exactly once.
    assert await ReminderSweeper(loop_ctx).sweep() == 2
    for number in (1, 2, 3):
        assert (await kinds(loop_ctx, number)).count("owner_assigned") == 2
