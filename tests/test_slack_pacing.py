"""Slack's pace per channel, checked before a row is claimed: a storm of new crises queues
their root messages in one channel, and each would otherwise be claimed and rendered every
time it fell due, only to be put back."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot import brand_channels
from bot.actors import WEBHOOK
from bot.context import CoreContext
from bot.delivery import DeliveryWorker
from bot.intake import ingest
from bot.outbox import ROOT_POST
from handlers.slack import delivery as slack_delivery
from handlers.slack.delivery import SlackDeliverer
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
    # Both channels have just had their burst of messages.
    for channel in (DEFAULT, OWN):
        deliverer.gates["chat.postMessage"].close_for(channel, 30)
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
    assert 29 < slots[first] <= 30 and 29 < slots[own] <= 30
    assert slots[second] - slots[first] == pytest.approx(1.0, abs=0.05)


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
