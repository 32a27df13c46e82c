"""Group commit: callers queue items, one writer task processes whatever has queued as one
batch (one transaction), and each caller gets its own item's result.

The writer runs only while there is work: the first item queued starts it, and it ends when
the queue is empty, so nothing needs starting or stopping with the process. Items are taken
in arrival order and batches run one after another, so on SQLite there is a single writer
and answers come in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Processes a batch: one result per item, in order; an item's failure is its result.
Process = Callable[[Sequence[Item]], Awaitable[list[Result | Exception]]]


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        process: Process[Item, Result],
        *,
        max_batch: int,
        max_wait: float,
    ) -> None:
        self._process = process
        self.max_batch = max_batch
        # Seconds a batch that is not full waits for more items before it starts.
        self.max_wait = max_wait
        self._queue: deque[tuple[Item, asyncio.Future[Result | Exception]]] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, items: Sequence[Item]) -> list[Result | Exception]:
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Result | Exception]] = []
        for item in items:
            future: asyncio.Future[Result | Exception] = loop.create_future()
            self._queue.append((item, future))
            futures.append(future)
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write(), name="group-commit")
        return list(await asyncio.gather(*futures))

    async def drained(self) -> None:
        """Wait until everything queued so far has been processed."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _write(self) -> None:
        while self._queue:
            if len(self._queue) < self.max_batch:
                # Requests arriving together (the same tick, or within max_wait) share a batch.
                await asyncio.sleep(self.max_wait)
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            try:
                results = await self._process([item for item, _ in batch])
            except BaseException as error:
                # Only cancellation (the process stopping) gets here: what was not committed
                # is answered with an error, so its senders retry.
                failure = error if isinstance(error, Exception) else RuntimeError("stopped")
                for _, future in [*batch, *self._queue]:
                    if not future.done():
                        future.set_exception(failure)
                self._queue.clear()
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
