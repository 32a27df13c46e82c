"""Delivery of the outbox to one chat platform: in order per crisis, once, surviving outages.

Each platform has a `Deliverer` that knows how to send one outbox row. The worker picks, for
every crisis, the oldest row not yet sent (the head), claims it with a lease so no other
replica sends it too, sends it, and records the outcome. A crisis whose head fails waits
(with backoff) while other crises keep flowing; nothing queued behind it overtakes it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import structlog
from sqlalchemy import ColumnElement, ScalarSelect, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.context import CoreContext
from bot.metrics import OUTBOX_DELIVERED
from bot.outbox import ORDERED, REFRESH, ROOT_POST, ROOT_TIMER, ROOT_UPDATE
from bot.wakeable import WakeableLoop
from models import OutboxMessage, OutboxStatus

log = structlog.get_logger(__name__)

# How long a claimed message is reserved for the worker sending it. A worker that dies while
# sending holds up that crisis's thread this long; a send takes far less (the platform
# clients time out after a few seconds).
LEASE = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=5)
_BATCH = 50
_TABLE = OutboxMessage.__table__
# The longest the worker waits for a paced channel's next slot before it looks again: a 429
# can close a channel for half a minute, and another channel's message must not wait that.
MAX_PAUSE = 1.0


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


@runtime_checkable
class Paced(Protocol):
    def paced_for(self, kind: str, crisis_id: int | None) -> float:
        """Seconds before a row of this kind for this crisis could go out (0: now, or not
        known without loading it): checked before the row is claimed and rendered. Rows held
        back in one round queue behind each other: the later ones get the later slots."""

    async def start_round(self, roots: list[int]) -> None:
        """A round of due rows begins: the rows held back are counted afresh, and these
        crises' root messages learn where they would go, so that paced_for knows their
        channel before the first of them is claimed."""


# A root message rendered anew shows everything, its timer too: one claim covers both.
_COVERS = {ROOT_UPDATE: (ROOT_UPDATE, ROOT_TIMER)}


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
        # When a paced channel's next slot comes (event loop time), after a look that found
        # nothing it could send now.
        self._next_slot = 0.0

    async def tick(self) -> None:
        # A storm of new crises wakes the worker after every batch of alerts, and each look
        # would only hold the new rows back for the paced channel's next slot: until then
        # the worker waits, and another channel's message waits as long (MAX_PAUSE at most).
        pause = self._next_slot - asyncio.get_running_loop().time()
        if pause > 0 and not self.stopping:
            await asyncio.sleep(pause)
        await self.drain()

    async def drain(self) -> int:
        """Send everything that is due now; returns how many rows went out."""
        sent = 0
        while True:
            heads = await self._due_heads()
            if not heads:
                return sent
            progress = False
            paced: dict[int, tuple[int | None, float]] = {}
            if isinstance(self.deliverer, Paced):
                await self.deliverer.start_round(
                    [c for _, kind, c in heads if kind == ROOT_POST and c is not None]
                )
            for head_id, kind, crisis_id in heads:
                if self.stopping:
                    return sent
                wait = self._paced_for(kind, crisis_id)
                if wait > 0:
                    paced[head_id] = (crisis_id, wait)
                    continue
                message = await self._claim(head_id)
                if message is None:
                    continue
                if await self._send(message):
                    sent += 1
                    progress = True
            if paced:
                await self._postpone(paced)
            if not progress:
                if paced:
                    soonest = min(MAX_PAUSE, *(wait for _, wait in paced.values()))
                    self._next_slot = asyncio.get_running_loop().time() + soonest
                return sent

    def _paced_for(self, kind: str, crisis_id: int | None) -> float:
        if isinstance(self.deliverer, Paced):
            return self.deliverer.paced_for(kind, crisis_id)
        return 0.0

    async def _postpone(self, paced: dict[int, tuple[int | None, float]]) -> None:
        """Rows whose channel is paced wait, unclaimed and unrendered, until their slot (not
        an attempt): one update for all of them. Each waits for a slot of its own, so a
        channel's backlog is not woken and written again at every slot."""
        now = self.ctx.clock.now()
        waits = [
            {"row": row, "crisis": crisis_id, "until": now + timedelta(seconds=wait)}
            for row, (crisis_id, wait) in paced.items()
        ]
        async with self.ctx.db.transaction() as session:
            await session.execute(
                update(_TABLE)
                .where(
                    _TABLE.c.id == bindparam("row"),
                    _TABLE.c.status == OutboxStatus.pending.value,
                    _TABLE.c.claimed_by.is_(None),
                )
                .values(available_at=bindparam("until")),
                [{"row": wait["row"], "until": wait["until"]} for wait in waits],
            )
            await self._hold_followers(session, [w for w in waits if w["crisis"] is not None])

    async def _hold_followers(self, session: AsyncSession, waits: list[dict[str, Any]]) -> None:
        """The rows queued behind a crisis's head cannot go before it: they wait as long, so
        the worker's look at the due rows does not read them at every round while their
        head waits for its slot or its retry (a storm of new crises in one paced channel
        would have it read a row or more per crisis each time). Found by crisis and id
        alone: with a condition on `available_at` too, SQLite read every due row instead."""
        if not waits:
            return
        await session.execute(
            update(_TABLE)
            .where(
                _TABLE.c.platform == self.platform,
                _TABLE.c.status == OutboxStatus.pending.value,
                _TABLE.c.lane == ORDERED,
                _TABLE.c.crisis_id == bindparam("crisis"),
                _TABLE.c.id > bindparam("row"),
                _TABLE.c.claimed_by.is_(None),
            )
            .values(available_at=bindparam("until")),
            waits,
        )

    async def _due_heads(self) -> list[tuple[int, str, int | None]]:
        """Rows to send now: per crisis, the oldest unsent ordered row (if it is due), and
        any due re-render (those do not wait for each other: they render the crisis as is)."""
        now = self.ctx.clock.now()
        pending = (
            OutboxMessage.platform == self.platform,
            OutboxMessage.status == OutboxStatus.pending.value,
        )
        older = aliased(OutboxMessage)

        def oldest_of(same_crisis: ColumnElement[bool]) -> ScalarSelect[int]:
            return (
                select(func.min(older.id))
                .where(
                    older.platform == self.platform,
                    older.status == OutboxStatus.pending.value,
                    older.lane == ORDERED,
                    same_crisis,
                )
                .scalar_subquery()
            )

        # The due rows, in the order they fell due, each checked to be the oldest of its
        # crisis still waiting: a look at the few rows it returns, not at the whole backlog
        # (thousands of crises wait when a channel's pace is the limit, and the rows behind
        # each wait as long as it does). Rows about no crisis (digests) are one queue of
        # their own.
        head = or_(
            OutboxMessage.id == oldest_of(older.crisis_id == OutboxMessage.crisis_id),
            and_(
                OutboxMessage.crisis_id.is_(None),
                OutboxMessage.id == oldest_of(older.crisis_id.is_(None)),
            ),
        )
        due_heads = (
            select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.crisis_id)
            .where(
                *pending,
                OutboxMessage.lane == ORDERED,
                OutboxMessage.available_at <= now,
                head,
            )
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(_BATCH)
        )
        async with self.ctx.db.sessions() as session:
            roots = (await session.execute(due_heads.where(OutboxMessage.kind == ROOT_POST))).all()
            oldest = (await session.execute(due_heads)).all()
            refresh = await session.execute(
                select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.crisis_id)
                .where(
                    *pending,
                    OutboxMessage.lane == REFRESH,
                    OutboxMessage.available_at <= now,
                )
                .order_by(OutboxMessage.available_at, OutboxMessage.id)
                .limit(_BATCH)
            )
            # A new crisis's root message goes first: when a channel's pace is the limit, it
            # takes the next slot ahead of other crises' thread replies. The rest go oldest
            # first (each crisis has one ordered head here, so its own order is kept): the
            # heads due longest hold at least as many of them as the roots leave room for.
            first = [(row.id, row.kind, row.crisis_id) for row in roots]
            rest = [(row.id, row.kind, row.crisis_id) for row in oldest if row.kind != ROOT_POST][
                : _BATCH - len(first)
            ]
            rest += [(row.id, row.kind, row.crisis_id) for row in refresh.all()]
            return first + sorted(rest)

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
            if result.rowcount != 1:  # type: ignore[attr-defined]
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
                        OutboxMessage.kind.in_(_COVERS.get(message.kind, (message.kind,))),
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
            released = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.worker_id)
                .values(**values)
            )
            if (
                available_at is not None
                and message.lane == ORDERED
                and message.crisis_id is not None
                and released.rowcount == 1  # type: ignore[attr-defined]
            ):
                await self._hold_followers(
                    session,
                    [{"row": message.id, "crisis": message.crisis_id, "until": available_at}],
                )
