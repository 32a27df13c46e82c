"""Polled sources (Brand24 projects, Mention alerts): one replica at a time, page by page.

Each polled feed has a row in `source_polls`. A replica polls a feed only after claiming
its lease with one conditional UPDATE (the row is due and nobody else holds an unexpired
lease), as the reminder sweep claims reminders. Each fetched page is stored in the inbox in
the transaction that advances the feed's state (its window, cursor or newest id), so a
restart or another replica carries on after the last stored page and repeats nothing.
Items the inbox already holds are left out of a page before it is stored: overlapping
polls cost an API call, never a second count. A failed call is recorded on the row
(`/crisis sources` shows it) and the next poll waits longer after each failure in a row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp
import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import inbox as inbox_store
from bot.context import CoreContext
from bot.metrics import SOURCE_POLLS
from bot.settings import Settings
from bot.source_items import ItemError, SourceItem
from bot.wakeable import WakeableLoop
from models import DeliveryStatus, InboxDelivery, InboxItem, SourcePoll
from models.session import among_pairs

log = structlog.get_logger(__name__)

# A lease outlives one page's call and commit by far; a replica that dies mid-run holds the
# feed back this long, then another carries on from the last stored page.
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
# Pages in one run at most; the next run continues from the stored cursor.
MAX_PAGES = 50
_ERROR_MAX = 500


class PollFailed(Exception):
    """A vendor's API call failed (refused, rate limited, down); `retry_after` in seconds
    when the vendor said when to come back."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Page:
    """One fetched page: its items as the inbox stores them (`payload`, with the raw items
    under `items_key`), the feed's state after it, and whether the run is over."""

    payload: dict[str, Any]
    items_key: str
    state: dict[str, Any]
    done: bool


class PolledFeed(Protocol):
    @property
    def feed(self) -> str: ...

    @property
    def name(self) -> str:
        """`<feed>:<project or alert id>`."""
        ...

    @property
    def interval(self) -> timedelta: ...

    async def fetch(
        self, http: aiohttp.ClientSession, state: dict[str, Any], now: datetime
    ) -> Page: ...


Parser = Callable[[Any, Settings], list[SourceItem | ItemError]]


def pause_after(failures: int, interval: timedelta, retry_after: float | None) -> timedelta:
    """The wait before the next poll after `failures` failed polls in a row."""
    grown = min(MAX_BACKOFF, interval * (2 ** min(failures - 1, 16)))
    if retry_after is not None:
        return max(grown, timedelta(seconds=retry_after))
    return grown


class Poller:
    """Polls the due feeds it is given; the scheduler calls `poll_due` every interval."""

    def __init__(
        self, ctx: CoreContext, parsers: dict[str, Parser], on_stored: Callable[[], None]
    ) -> None:
        self.ctx = ctx
        self.parsers = parsers
        self.on_stored = on_stored
        self.owner = uuid.uuid4().hex[:16]
        self._known_rows: set[str] = set()

    async def poll(self, feed: PolledFeed, stopping: Callable[[], bool] = lambda: False) -> bool:
        """Poll one feed if it is due and no other replica holds it; True when polled. When
        `stopping` turns true the run ends after its current page, and the lease is let go
        so another replica carries on at once."""
        await self._ensure_row(feed)
        state = await self._claim(feed)
        if state is None:
            return False
        pages = 0
        try:
            async with aiohttp.ClientSession() as http:
                while pages < MAX_PAGES:
                    if stopping():
                        await self._release(feed)
                        return True
                    page = await feed.fetch(http, state, self.ctx.clock.now())
                    pages += 1
                    if not await self._store(feed, page):
                        return True
                    state = page.state
                    if page.done:
                        break
        except PollFailed as failed:
            await self._failed(feed, failed)
            return True
        await self._succeeded(feed)
        return True

    async def _ensure_row(self, feed: PolledFeed) -> None:
        if feed.name in self._known_rows:
            return
        try:
            async with self.ctx.db.transaction() as session:
                exists = await session.scalar(
                    select(SourcePoll.id).where(SourcePoll.name == feed.name)
                )
                if exists is None:
                    session.add(
                        SourcePoll(
                            name=feed.name,
                            feed=feed.feed,
                            state={},
                            next_poll_at=self.ctx.clock.now(),
                            failures=0,
                        )
                    )
        except IntegrityError:
            pass  # another replica added it first
        self._known_rows.add(feed.name)

    async def _claim(self, feed: PolledFeed) -> dict[str, Any] | None:
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            claimed = await session.execute(
                update(SourcePoll)
                .where(
                    SourcePoll.name == feed.name,
                    SourcePoll.next_poll_at <= now,
                    (SourcePoll.lease_until.is_(None)) | (SourcePoll.lease_until <= now),
                )
                .values(lease_owner=self.owner, lease_until=now + LEASE)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            state = await session.scalar(
                select(SourcePoll.state).where(SourcePoll.name == feed.name)
            )
        return dict(state or {})

    async def _store(self, feed: PolledFeed, page: Page) -> bool:
        """Store the page's new items and advance the state, in one transaction; False when
        the lease was lost meanwhile (another replica carries on; nothing is stored)."""
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            held = await session.execute(
                update(SourcePoll)
                .where(SourcePoll.name == feed.name, SourcePoll.lease_owner == self.owner)
                .values(state=page.state, lease_until=now + LEASE)
            )
            if held.rowcount != 1:  # type: ignore[attr-defined]
                log.warning("poll lease lost", feed=feed.name)
                return False
            fresh = await self._new_items(session, feed, page)
            if fresh:
                body = {**page.payload, page.items_key: fresh}
                inbox_store.store(session, feed.feed, json.dumps(body), now)
        if fresh:
            self.on_stored()
        return True

    async def _new_items(self, session: AsyncSession, feed: PolledFeed, page: Page) -> list[Any]:
        """The page's raw items the inbox does not hold yet."""
        parse = self.parsers[feed.feed]
        keyed = [
            (item, item_key(parse({**page.payload, page.items_key: [item]}, self.ctx.settings)))
            for item in page.payload.get(page.items_key) or []
        ]
        return await leave_out_known(session, keyed, self.parsers, self.ctx.settings)

    async def _release(self, feed: PolledFeed) -> None:
        async with self.ctx.db.transaction() as session:
            await session.execute(
                update(SourcePoll)
                .where(SourcePoll.name == feed.name, SourcePoll.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    async def _succeeded(self, feed: PolledFeed) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            await session.execute(
                update(SourcePoll)
                .where(SourcePoll.name == feed.name, SourcePoll.lease_owner == self.owner)
                .values(
                    lease_owner=None,
                    lease_until=None,
                    next_poll_at=now + feed.interval,
                    failures=0,
                    last_error=None,
                    last_success_at=now,
                )
            )
        SOURCE_POLLS.labels(source=feed.feed, outcome="ok").inc()

    async def _failed(self, feed: PolledFeed, failed: PollFailed) -> None:
        now = self.ctx.clock.now()
        log.warning("poll refused", feed=feed.name, error=str(failed))
        async with self.ctx.db.transaction() as session:
            row = await session.scalar(select(SourcePoll).where(SourcePoll.name == feed.name))
            if row is None or row.lease_owner != self.owner:
                return
            row.failures += 1
            row.last_error = str(failed)[:_ERROR_MAX]
            row.last_error_at = now
            row.next_poll_at = now + pause_after(row.failures, feed.interval, failed.retry_after)
            row.lease_owner = None
            row.lease_until = None
        SOURCE_POLLS.labels(source=feed.feed, outcome="error").inc()


class PollLoop(WakeableLoop):
    """Polls one tool's feeds each time its scheduler job (every poll interval) says so;
    stopping waits for the page in hand, never cuts a transaction."""

    def __init__(self, name: str, poller: Poller, feeds: list[PolledFeed]) -> None:
        super().__init__()
        self.name = name
        self.poller = poller
        self.feeds = feeds

    def wake(self) -> None:
        """The server's sweep tick wakes every loop twice a second; a poller keeps to its
        own interval (`poll_now`), and the database says when a feed is due."""

    def poll_now(self) -> None:
        super().wake()

    async def tick(self) -> None:
        for feed in self.feeds:
            if self.stopping:
                return
            try:
                await self.poller.poll(feed, lambda: self.stopping)
            except Exception:
                # The database may be away for a moment; the next interval tries again.
                log.exception("poll failed", feed=feed.name)


def item_key(parsed: list[SourceItem | ItemError]) -> tuple[str, str] | None:
    """(source, id) of a raw item parsed alone, as the inbox deduplicates it."""
    if len(parsed) != 1 or not isinstance(parsed[0], SourceItem):
        return None
    alert = parsed[0].alert
    return (str(alert.get("source") or "")[:32], str(alert.get("id") or "")[:200])


async def leave_out_known(
    session: AsyncSession,
    keyed: list[tuple[Any, tuple[str, str] | None]],
    parsers: dict[str, Parser],
    settings: Settings,
) -> list[Any]:
    """The raw items whose (source, id) the inbox holds neither as an item nor in a stored
    page of `parsers`' feeds not parsed yet, each once; items without a key are kept (the
    inbox records why they are refused)."""
    keys = {key for _, key in keyed if key is not None}
    known: set[tuple[str, str]] = set()
    if keys:
        rows = await session.execute(
            select(InboxItem.source, InboxItem.external_id).where(
                among_pairs(session, InboxItem.source, InboxItem.external_id, keys)
            )
        )
        known = {
            (source, external_id)
            for source, external_id in rows.all()
            if source is not None and external_id is not None and (source, external_id) in keys
        }
        known |= await _waiting_keys(session, parsers, settings) & keys
    fresh: list[Any] = []
    taken: set[tuple[str, str]] = set()
    for item, key in keyed:
        if key is not None and (key in known or key in taken):
            continue
        if key is not None:
            taken.add(key)
        fresh.append(item)
    return fresh


async def _waiting_keys(
    session: AsyncSession, parsers: dict[str, Parser], settings: Settings
) -> set[tuple[str, str]]:
    rows = await session.execute(
        select(InboxDelivery.feed, InboxDelivery.body).where(
            InboxDelivery.feed.in_(list(parsers)),
            InboxDelivery.status == DeliveryStatus.pending.value,
        )
    )
    keys: set[tuple[str, str]] = set()
    for feed, body in rows.all():
        for parsed in parsers[feed](json.loads(body), settings):
            key = item_key([parsed])
            if key is not None:
                keys.add(key)
    return keys
