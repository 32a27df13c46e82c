"""Slack's pace per channel, checked before a row is claimed: the rows a paced channel holds
back wait for a slot each, instead of all waking at the channel's next slot and being
written again at every one."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select, update

from bot import outbox, platform_posts
from bot.actors import WEBHOOK
from bot.context import CoreContext
from bot.delivery import DeliveryWorker
from bot.intake import ingest
from bot.messages import Message
from bot.outbox import THREAD
from handlers.slack.delivery import ROOT, SlackDeliverer
from models import OutboxMessage
from tests.conftest import make_settings
from tests.helpers import alert

CHANNEL = "C0CRISIS"
# Nothing answers here: a row that got as far as calling Slack would fail on the connection.
_NOWHERE = "http://127.0.0.1:9/api/"


async def test_thread_messages_held_back_by_the_pace_wait_for_a_slot_each(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = dataclasses.replace(
        ctx, settings=make_settings(database_url=ctx.db.url, crisis_channel=CHANNEL)
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
        await platform_posts.remember(ctx, "slack", number, ROOT, CHANNEL, f"1700000000.{number}")
    tried: list[int | None] = []
    post_in_thread = SlackDeliverer._post_in_thread

    async def counting(self: SlackDeliverer, row: OutboxMessage) -> Any:
        tried.append(row.crisis_id)
        return await post_in_thread(self, row)

    monkeypatch.setattr(SlackDeliverer, "_post_in_thread", counting)
    deliverer = SlackDeliverer(ctx, AsyncWebClient(token="xoxb-test", base_url=_NOWHERE))
    # The channel has just had its burst of messages.
    deliverer.gates["chat.postMessage"].close_for(CHANNEL, 30)
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
    assert 29 < slots[0] <= 30
    assert [b - a for a, b in itertools.pairwise(slots)] == pytest.approx([1.0, 1.0], abs=0.05)
