"""A connection pool that hands a connection back to the request waiting longest.

SQLAlchemy's asyncio pool keeps idle connections in an asyncio.Queue and takes one without
waiting when one is there. A connection put back wakes the first waiter, but a request
arriving before that waiter runs takes the connection; the waiter finds the queue empty and
waits again at the back. Under load some requests lose their turn again and again: with 50
people using the bot on PostgreSQL, answer p99 was 0.6–0.95 s against a median of 0.1 s.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_only
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class HandOffQueue(AsyncAdaptedQueue[ConnectionPoolEntry]):
    """Idle connections; one put back goes straight to the longest waiter, if any. Every
    waiter in `_waiters` still waits: one that gives up leaves it."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiters: deque[asyncio.Future[ConnectionPoolEntry]] = deque()

    def put_nowait(self, item: ConnectionPoolEntry) -> None:
        if self._waiters:
            self._waiters.popleft().set_result(item)
            return
        super().put_nowait(item)

    def put(
        self, item: ConnectionPoolEntry, block: bool = True, timeout: float | None = None
    ) -> None:
        # The pool puts back without blocking, and beyond its size it closes the connection.
        self.put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> ConnectionPoolEntry:
        if not self._waiters:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        elif not block:
            raise Empty()
        waiter: asyncio.Future[ConnectionPoolEntry] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return await_only(self._wait(waiter, seconds=timeout))

    async def _wait(
        self, waiter: asyncio.Future[ConnectionPoolEntry], *, seconds: float | None
    ) -> ConnectionPoolEntry:
        try:
            async with asyncio.timeout(seconds):
                return await asyncio.shield(waiter)
        except TimeoutError:
            if waiter.done():
                # Handed over just as the time ran out: it is ours.
                return waiter.result()
            self._give_up(waiter)
            raise Empty() from None
        except BaseException:
            # Cancelled while waiting: a connection already handed over goes to the next.
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())
            self._give_up(waiter)
            raise

    def _give_up(self, waiter: asyncio.Future[ConnectionPoolEntry]) -> None:
        waiter.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)


class FairQueuePool(AsyncAdaptedQueuePool):
    _queue_class: Any = HandOffQueue
    # Logs under sqlalchemy's name, as the pool it replaces, so that bot.log quiets it too.
    _sqla_logger_namespace = "sqlalchemy.pool.impl.FairQueuePool"
