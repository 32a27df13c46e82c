"""Slack's pace per channel, checked before a row is claimed and rendered: a storm of new
crises queues their root messages in one channel, and each would otherwise be claimed and
rendered every time it fell due, only to be put back; the rows a paced channel holds back
wait for a slot each, instead of all waking at the channel's next slot."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select, update

from bot import brand_channels, outbox, platform_posts
from bot.actors import WEBHOOK
from bot.context import CoreContext
from bot.delivery import DeliveryWorker
from bot.intake import ingest
from bot.messages import Message
from bot.outbox import ROOT_POST, THREAD
from handlers.slack import delivery as slack_delivery
from handlers.slack.delivery import ROOT, SlackDeliverer
from models import OutboxMessage
from tests.conftest import make_settings
from tests.helpers import alert

DEFAULT, OWN = "C0CRISIS", "C0INNY"
# Nothing answers here: a row that got as far as calling Slack would fail on the connection.
_NOWHERE = "http://127.0.0.1:9/api/"


async def test_new_crises_roots_in_a_paced_channel_wait_unclaimed_and_unrendered(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = dataclasses.replace(
        ctx, settings=make_settings(database_url=ctx.db.url, crisis_channel=DEFAULT)
    )
    rendered: list[int] = []
    render = slack_delivery.root_blocks

    def counting(crisis: Any, *args: Any) -> Any:
        rendered.append(crisis.id)
        return render(crisis, *args)

    monkeypatch.setattr(slack_delivery, "root_blocks", counting)
    async with ctx.db.transaction() as session:
        await brand_channels.set_channel(session, "Inny", "slack", OWN)
    first = (await ingest(ctx, alert(id="1", url="https://x.com/s/1"), WEBHOOK)).crisis
    own = (await ingest(ctx, alert(id="2", url="https://x.com/s/2", brand="Inny"), WEBHOOK)).crisis
    second = (await ingest(ctx, alert(id="3", url="https://x.com/s/3"), WEBHOOK)).crisis
    deliverer = SlackDeliverer(ctx, AsyncWebClient(token="xoxb-test", base_url=_NOWHERE))
    # Both channels have just had their burst of messages. The gate's clock stands still,
    # so the slots do not depend on how long a slow machine takes over the drain.
    gate = deliverer.gates["chat.postMessage"]
    frozen = gate.clock()
    gate.clock = lambda: frozen
    for channel in (DEFAULT, OWN):
        gate.close_for(channel, 30)
    assert await DeliveryWorker(ctx, deliverer).drain() == 0
    async with ctx.db.sessions() as session:
        roots = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == ROOT_POST))
        ).all()
    for root in roots:
        # Waiting for the channel's next slot, not an attempt that failed.
        assert root.status == "pending" and root.attempts == 0 and root.claimed_by is None
        assert root.last_error is None
    assert rendered == []
    # Each waits for a slot of its own, in order: the second in the crisis channel a second
    # (Slack's pace there) after the first; the brand's channel has its own first slot.
    slots = {
        root.crisis_id: (root.available_at - ctx.clock.now()).total_seconds() for root in roots
    }
    assert set(slots) == {first, own, second}
    assert slots[first] == pytest.approx(30.0) and slots[own] == pytest.approx(30.0)
    assert slots[second] - slots[first] == pytest.approx(1.0)


async def test_a_root_whose_channel_has_room_is_sent(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = dataclasses.replace(
        ctx, settings=make_settings(database_url=ctx.db.url, crisis_channel=DEFAULT)
    )
    number = (await ingest(ctx, alert(), WEBHOOK)).crisis
    deliverer = SlackDeliverer(ctx, AsyncWebClient(token="xoxb-test", base_url=_NOWHERE))
    # Another channel's pace does not hold this crisis back.
    deliverer.gates["chat.postMessage"].close_for(OWN, 30)
    await DeliveryWorker(ctx, deliverer).drain()
    async with ctx.db.sessions() as session:
        root = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == ROOT_POST, OutboxMessage.crisis_id == number
            )
        )
    # It was tried: Slack could not be reached, so it waits for a retry.
    assert root is not None and root.attempts == 1
    assert root.last_error is not None and "Slack unreachable" in root.last_error


async def test_thread_messages_held_back_by_the_pace_wait_for_a_slot_each(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = dataclasses.replace(
        ctx, settings=make_settings(database_url=ctx.db.url, crisis_channel=DEFAULT)
    )
    numbers = [
        (await ingest(ctx, alert(id=str(n), url=f"https://x.com/s/{n}"), WEBHOOK)).crisis
        for n in range(3)
    ]
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        # The roots are in the channel; each crisis has one thread message to send.
        await session.execute(update(OutboxMessage).values(status="sent"))
        before = await session.scalar(select(func.max(OutboxMessage.id)))
        for number in numbers:
            outbox.thread(session, ctx.platforms, number, Message("thread.one", {}), now)
    for number in numbers:
        await platform_posts.remember(ctx, "slack", number, ROOT, DEFAULT, f"1700000000.{number}")
    tried: list[int | None] = []
    post_in_thread = SlackDeliverer._post_in_thread

    async def counting(self: SlackDeliverer, row: OutboxMessage) -> Any:
        tried.append(row.crisis_id)
        return await post_in_thread(self, row)

    monkeypatch.setattr(SlackDeliverer, "_post_in_thread", counting)
    deliverer = SlackDeliverer(ctx, AsyncWebClient(token="xoxb-test", base_url=_NOWHERE))
    # The channel has just had its burst of messages. The gate's clock stands still, so
    # the slots do not depend on how long a slow machine takes over the first drain.
    gate = deliverer.gates["chat.postMessage"]
    frozen = gate.clock()
    gate.clock = lambda: frozen
    gate.close_for(DEFAULT, 30)
    worker = DeliveryWorker(ctx, deliverer)
    # Not known yet where they go: each is tried once, finds the channel paced, and waits.
    assert await worker.drain() == 0
    assert sorted(tried) == sorted(numbers)
    async with ctx.db.transaction() as session:
        await session.execute(update(OutboxMessage).values(available_at=now))
    tried.clear()
    assert await worker.drain() == 0
    async with ctx.db.sessions() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == THREAD, OutboxMessage.id > before)
                .order_by(OutboxMessage.id)
            )
        ).all()
    # Known now: held back before they are claimed, none tried again, and each has a slot
    # of its own, a second (Slack's pace in a channel) after the one before.
    assert tried == []
    for row in rows:
        assert row.status == "pending" and row.attempts == 0 and row.claimed_by is None
    slots = [(row.available_at - now).total_seconds() for row in rows]
    assert slots[0] == pytest.approx(30.0)
    assert [b - a for a, b in itertools.pairwise(slots)] == pytest.approx([1.0, 1.0])
