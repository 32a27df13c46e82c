"""Delivery of the outbox to one chat platform: in order per crisis, once, surviving outages.

Each platform has a `Deliverer` that knows how to send one outbox row. The worker picks, for
every crisis, the oldest row not yet sent (the head), claims it with a lease so no other
replica sends it too, sends it, and records the outcome. A crisis whose head fails waits
(with backoff) while other crises keep flowing; nothing queued behind it overtakes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import func, select, update

from bot.context import CoreContext
from bot.metrics import OUTBOX_DELIVERED
from bot.outbox import ORDERED, REFRESH, ROOT_POST
from bot.wakeable import WakeableLoop
from models import OutboxMessage, OutboxStatus

log = structlog.get_logger(__name__)

# How long a claimed message is reserved for the worker sending it. A worker that dies while
# sending holds up that crisis's thread this long; a send takes far less (the platform
# clients time out after a few seconds).
LEASE = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=5)
_BATCH = 50


class RetryLater(Exception):
    """The platform could not take the message now (down, rate limited, not set up yet).

    `paced` marks our own pacing (nothing went wrong): it is not counted as an attempt
    and not logged as a problem."""

    def __init__(self, reason: str, after: timedelta | None = None, *, paced: bool = False) -> None:
        super().__init__(reason)
        self.after = after
        self.paced = paced


class Undeliverable(Exception):
    """The platform refused the message for good; retrying would not help."""


class Deliverer(Protocol):
    platform: str

    async def deliver(self, message: OutboxMessage) -> None:
        """Send one row; raise RetryLater or Undeliverable when it did not go out."""


def backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempts, 10)))


class DeliveryWorker(WakeableLoop):
    def __init__(self, ctx: CoreContext, deliverer: Deliverer) -> None:
        super().__init__()
        self.ctx = ctx
        self.deliverer = deliverer
        self.platform = deliverer.platform
        self.name = f"outbox-{self.platform}"
        self.worker_id = uuid.uuid4().hex[:16]

    async def tick(self) -> None:
        await self.drain()

    async def drain(self) -> int:
        """Send everything that is due now; returns how many rows went out."""
        sent = 0
        while True:
            heads = await self._due_heads()
            if not heads:
                return sent
            progress = False
            for head_id in heads:
                if self.stopping:
                    return sent
                message = await self._claim(head_id)
                if message is None:
                    continue
                if await self._send(message):
                    sent += 1
                    progress = True
            if not progress:
                return sent

    async def _due_heads(self) -> list[int]:
        """Rows to send now: per crisis, the oldest unsent ordered row (if it is due), and
        any due re-render (those do not wait for each other: they render the crisis as is)."""
        now = self.ctx.clock.now()
        pending = (
            select(func.min(OutboxMessage.id).label("head"))
            .where(
                OutboxMessage.platform == self.platform,
                OutboxMessage.status == OutboxStatus.pending.value,
                OutboxMessage.lane == ORDERED,
            )
            .group_by(OutboxMessage.crisis_id)
            .subquery()
        )
        async with self.ctx.db.sessions() as session:
            ordered = (
                await session.execute(
                    select(OutboxMessage.id, OutboxMessage.kind)
                    .join(pending, OutboxMessage.id == pending.c.head)
                    .where(OutboxMessage.available_at <= now)
                    .order_by(OutboxMessage.kind != ROOT_POST, OutboxMessage.id)
                    .limit(_BATCH)
                )
            ).all()
            refresh = await session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.platform == self.platform,
                    OutboxMessage.status == OutboxStatus.pending.value,
                    OutboxMessage.lane == REFRESH,
                    OutboxMessage.available_at <= now,
                )
                .order_by(OutboxMessage.id)
                .limit(_BATCH)
            )
            # A new crisis's root message goes first: when a channel's pace is the limit, it
            # takes the next slot ahead of other crises' thread replies. The rest go oldest
            # first (each crisis has one ordered head here, so its own order is kept).
            roots = [row.id for row in ordered if row.kind == ROOT_POST]
            rest = {row.id for row in ordered if row.kind != ROOT_POST}
            return roots + sorted(rest | set(refresh.all()))

    async def _claim(self, message_id: int) -> OutboxMessage | None:
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == OutboxStatus.pending.value,
                    OutboxMessage.available_at <= now,
                )
                .values(
                    available_at=now + LEASE,
                    claimed_by=self.worker_id,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            if result.rowcount != 1:
                return None
            message = await session.get(OutboxMessage, message_id)
            if message is not None and message.lane == REFRESH:
                # The message is rendered from the crisis as it is after this claim, which
                # covers every other re-render of it already queued.
                await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.platform == self.platform,
                        OutboxMessage.crisis_id == message.crisis_id,
                        OutboxMessage.kind == message.kind,
                        OutboxMessage.status == OutboxStatus.pending.value,
                        OutboxMessage.id != message.id,
                    )
                    .values(status=OutboxStatus.sent.value, sent_at=now, last_error="coalesced")
                )
            return message

    async def _send(self, message: OutboxMessage) -> bool:
        try:
            await self.deliverer.deliver(message)
        except RetryLater as exc:
            delay = exc.after or backoff(message.attempts)
            if exc.paced:
                await self._finish(message, available_at=self.ctx.clock.now() + delay, paced=True)
                return False
            log.warning(
                "delivery postponed",
                platform=self.platform,
                outbox_id=message.id,
                crisis=message.crisis_id,
                reason=str(exc),
                retry_in=delay.total_seconds(),
            )
            await self._finish(message, available_at=self.ctx.clock.now() + delay, error=str(exc))
            return False
        except Undeliverable as exc:
            log.error(
                "delivery refused for good",
                platform=self.platform,
                outbox_id=message.id,
                crisis=message.crisis_id,
                reason=str(exc),
            )
            await self._finish(message, status=OutboxStatus.failed, error=str(exc))
            return False
        await self._finish(message, status=OutboxStatus.sent)
        OUTBOX_DELIVERED.labels(platform=self.platform, kind=message.kind).inc()
        return True

    async def _finish(
        self,
        message: OutboxMessage,
        *,
        status: OutboxStatus | None = None,
        available_at: datetime | None = None,
        error: str | None = None,
        paced: bool = False,
    ) -> None:
        now = self.ctx.clock.now()
        # Released: a row waiting for its retry is no longer being sent by anyone.
        values: dict[str, object] = {"last_error": error, "claimed_by": None}
        if paced:
            # Waiting for our own pacing is not a failed attempt.
            values["attempts"] = OutboxMessage.attempts - 1
        if status is not None:
            values["status"] = status.value
        if status is OutboxStatus.sent:
            values["sent_at"] = now
        if available_at is not None:
            values["available_at"] = available_at
        async with self.ctx.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.worker_id)
                .values(**values)
            )
