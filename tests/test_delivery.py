"""The delivery worker on its own: what it sends, in which order, and what it never drops."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import crises, crisis_flow, outbox, roster
from bot.actors import WEBHOOK
from bot.context import CoreContext
from bot.delivery import MAX_PAUSE, DeliveryWorker, RetryLater
from bot.intake import ingest
from bot.messages import Message
from bot.outbox import ROOT_TIMER, ROOT_UPDATE
from models import Crisis, OutboxMessage, RosterLevel
from tests.helpers import alert, count, slack_user

ANNA = slack_user("UANNA")


class RenderingDeliverer:
    """Renders the root message from the crisis as it is when sent, like the real ones.

    `during_first_update` runs while the first re-render is on its way, as a person's click
    handled by another request would."""

    platform = "slack"

    def __init__(self, ctx: CoreContext, during_first_update: object = None) -> None:
        self.ctx = ctx
        self.rendered: list[str] = []
        self.during_first_update = during_first_update
        self.fail_next = 0

    async def deliver(self, message: OutboxMessage) -> None:
        if message.kind != ROOT_UPDATE:
            return
        if self.fail_next:
            self.fail_next -= 1
            raise RetryLater("Slack answered 503")
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, message.crisis_id)
            assert crisis is not None
            self.rendered.append(crisis.status)
        if self.during_first_update is not None:
            change, self.during_first_update = self.during_first_update, None
            await change()  # type: ignore[operator]


async def opened_crisis(ctx: CoreContext) -> int:
    async with ctx.db.transaction() as session:
        await roster.add(session, slack_user("UBOOT"), ANNA, RosterLevel.senior, ctx.clock.now())
    number = (await ingest(ctx, alert(), WEBHOOK)).crisis
    async with ctx.db.transaction() as session:
        await session.execute(update(OutboxMessage).values(status="sent"))
    return number


async def test_a_change_made_while_the_root_is_being_rerendered_still_shows(
    ctx: CoreContext,
) -> None:
    number = await opened_crisis(ctx)

    async def owner_acknowledges() -> None:
        # The worker has read the crisis (still open) and is talking to Slack when the owner
        # acknowledges: that acknowledgement must reach the root message too.
        await crisis_flow.acknowledge(ctx, number, ANNA)

    deliverer = RenderingDeliverer(ctx, owner_acknowledges)
    async with ctx.db.transaction() as session:
        await outbox.refresh(session, ("slack",), number, ROOT_UPDATE, ctx.clock.now())
    await DeliveryWorker(ctx, deliverer).drain()
    assert deliverer.rendered == ["open", "acknowledged"]


async def test_a_rerender_waiting_for_its_retry_takes_in_later_changes(ctx: CoreContext) -> None:
    number = await opened_crisis(ctx)
    deliverer = RenderingDeliverer(ctx)
    deliverer.fail_next = 1
    async with ctx.db.transaction() as session:
        await outbox.refresh(session, ("slack",), number, ROOT_UPDATE, ctx.clock.now())
    worker = DeliveryWorker(ctx, deliverer)
    assert await worker.drain() == 0
    # Slack is back; the owner's move pulls the waiting re-render forward, no second row.
    await crisis_flow.acknowledge(ctx, number, ANNA)
    await worker.drain()
    assert deliverer.rendered == ["acknowledged"]
    assert await count(ctx.db, OutboxMessage, OutboxMessage.kind == ROOT_UPDATE) == 1


PACE = timedelta(seconds=1)


class PacedChannel:
    """One channel that takes a single message per round, as Slack's pace does under load."""

    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, str | None]] = []
        self.budget = 0

    async def deliver(self, message: OutboxMessage) -> None:
        if self.budget == 0:
            raise RetryLater("channel paced", after=PACE, paced=True)
        self.budget -= 1
        self.sent.append((message.crisis_id, message.kind, message.data.get("key")))


async def test_a_new_crisis_root_goes_ahead_of_other_crises_replies_when_the_channel_is_paced(
    ctx: CoreContext,
) -> None:
    first = (await ingest(ctx, alert(), WEBHOOK)).crisis
    channel = PacedChannel()
    worker = DeliveryWorker(ctx, channel)
    channel.budget = 1
    await worker.drain()
    assert channel.sent == [(first, "root_post", None)]
    ctx.clock.advance(PACE)  # type: ignore[attr-defined]
    # The first crisis's thread keeps growing while a second crisis opens.
    async with ctx.db.transaction() as session:
        for key in ("thread.one", "thread.two"):
            outbox.thread(session, ctx.platforms, first, Message(key, {}), ctx.clock.now())
    second = (
        await ingest(ctx, alert(id="x-1", url="https://x.com/s/1", brand="B"), WEBHOOK)
    ).crisis
    for _ in range(5):
        ctx.clock.advance(PACE)  # type: ignore[attr-defined]
        channel.budget = 1
        await worker.drain()
    assert channel.sent[1] == (second, "root_post", None)
    # Each crisis's own messages keep their order.
    assert [key for crisis, _, key in channel.sent if crisis == first] == [
        None,
        "thread.no_owner",
        "thread.one",
        "thread.two",
    ]


class KnownPace(PacedChannel):
    """A channel whose pace the worker can ask before it claims a row."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def paced_for(self, kind: str, crisis_id: int | None) -> float:
        self.asked.append(kind)
        return 0.0 if self.budget else PACE.total_seconds()

    async def start_round(self, roots: list[int]) -> None:
        """One channel: its pace is known for every crisis."""


async def test_a_paced_row_waits_unclaimed_and_goes_out_when_the_channel_has_room(
    ctx: CoreContext,
) -> None:
    number = await opened_crisis(ctx)
    async with ctx.db.transaction() as session:
        outbox.thread(session, ctx.platforms, number, Message("thread.one", {}), ctx.clock.now())
    channel = KnownPace()
    worker = DeliveryWorker(ctx, channel)
    assert await worker.drain() == 0
    assert channel.asked == ["thread"] and channel.sent == []
    async with ctx.db.sessions() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == "thread", OutboxMessage.status == "pending"
            )
        )
    # Not claimed, not counted as an attempt: it waits for the channel's next slot.
    assert row is not None and row.attempts == 0 and row.claimed_by is None
    assert row.available_at == ctx.clock.now() + PACE
    await worker.drain()
    assert channel.sent == []
    ctx.clock.advance(PACE)  # type: ignore[attr-defined]
    channel.budget = 1
    assert await worker.drain() == 1
    assert channel.sent == [(number, "thread", "thread.one")]


async def test_the_rows_behind_a_paced_row_wait_as_long_and_follow_it(ctx: CoreContext) -> None:
    number = await opened_crisis(ctx)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        for key in ("thread.one", "thread.two"):
            outbox.thread(session, ctx.platforms, number, Message(key, {}), now)
    channel = KnownPace()
    worker = DeliveryWorker(ctx, channel)
    assert await worker.drain() == 0
    async with ctx.db.sessions() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "thread", OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
            )
        ).all()
    # The second cannot go before the first: it waits for the same slot, instead of being
    # a due row the worker reads again at every round until then.
    assert [row.available_at for row in rows] == [now + PACE, now + PACE]
    assert [(row.attempts, row.claimed_by) for row in rows] == [(0, None), (0, None)]
    ctx.clock.advance(PACE)  # type: ignore[attr-defined]
    channel.budget = 2
    assert await worker.drain() == 2
    assert channel.sent == [(number, "thread", "thread.one"), (number, "thread", "thread.two")]


class ClosedChannel(PacedChannel):
    """One crisis's channel is closed for half a minute (Slack answered 429); the others are
    open."""

    def __init__(self, closed: int) -> None:
        super().__init__()
        self.closed = closed
        self.budget = 10

    def paced_for(self, kind: str, crisis_id: int | None) -> float:
        return 30.0 if crisis_id == self.closed else 0.0

    async def start_round(self, roots: list[int]) -> None:
        """Every channel is known."""


async def test_a_channel_closed_for_long_does_not_hold_up_another_channels_messages(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = await opened_crisis(ctx)
    async with ctx.db.transaction() as session:
        outbox.thread(session, ctx.platforms, closed, Message("thread.one", {}), ctx.clock.now())
    channel = ClosedChannel(closed)
    worker = DeliveryWorker(ctx, channel)
    await worker.tick()
    assert channel.sent == []
    pauses: list[float] = []
    sleep = asyncio.sleep

    async def recording(delay: float, *args: object) -> None:
        pauses.append(delay)
        await sleep(0)

    monkeypatch.setattr(asyncio, "sleep", recording)
    # Another crisis opens meanwhile, in a channel with room: the worker waits for the
    # closed channel's slot only briefly, not the half minute it is closed.
    other = (await ingest(ctx, alert(id="x-2", url="https://x.com/s/2"), WEBHOOK)).crisis
    await worker.tick()
    assert (other, "root_post", None) in channel.sent
    assert all(pause <= MAX_PAUSE for pause in pauses)
    assert not any(crisis == closed for crisis, _, _ in channel.sent)


async def test_a_burst_of_changes_renders_the_root_message_once(ctx: CoreContext) -> None:
    number = await opened_crisis(ctx)
    await crisis_flow.acknowledge(ctx, number, ANNA)
    async with ctx.db.transaction() as session:
        await crises.timer_changed(
            session, ctx, await session.get_one(Crisis, number), ctx.clock.now()
        )
    deliverer = RenderingDeliverer(ctx)
    await DeliveryWorker(ctx, deliverer).drain()
    # The acknowledgement's re-render shows the new timer too: one render, not two.
    assert deliverer.rendered == ["acknowledged"]
    async with ctx.db.sessions() as session:
        timer = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == ROOT_TIMER))
    assert timer is not None and timer.status == "sent" and timer.last_error == "coalesced"


class Recording:
    """Sends everything, except what it is told to put back for a retry."""

    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[int | None, str, str | None]] = []
        self.refuse: set[str] = set()

    async def deliver(self, message: OutboxMessage) -> None:
        if message.kind in self.refuse:
            raise RetryLater("Slack answered 503")
        self.sent.append((message.crisis_id, message.kind, message.data.get("key")))


async def test_a_row_waiting_for_its_retry_holds_back_the_rows_after_it(ctx: CoreContext) -> None:
    number = await opened_crisis(ctx)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        # A digest and its chart belong to no crisis: they are one queue of their own.
        outbox.enqueue(session, ctx.platforms, None, outbox.DIGEST, now, {"lines": []})
        outbox.enqueue(session, ctx.platforms, None, outbox.DIGEST_CHART, now, {"slot": "x"})
        for key in ("thread.one", "thread.two"):
            outbox.thread(session, ctx.platforms, number, Message(key, {}), now)
    deliverer = Recording()
    deliverer.refuse = {outbox.DIGEST, outbox.THREAD}
    worker = DeliveryWorker(ctx, deliverer)
    await worker.drain()
    # Each queue's first row failed and waits; nothing behind it overtook it.
    assert deliverer.sent == []
    ctx.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    deliverer.refuse = set()
    await worker.drain()
    assert [kind for crisis, kind, _ in deliverer.sent if crisis is None] == [
        outbox.DIGEST,
        outbox.DIGEST_CHART,
    ]
    assert [key for crisis, _, key in deliverer.sent if crisis == number] == [
        "thread.one",
        "thread.two",
    ]
