"""A background loop that does its work when woken (by APScheduler's tick or by a commit
that queued work) and stops cleanly: never cancelled in the middle of a transaction."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

log = structlog.get_logger(__name__)

# How long stop() lets the current round finish before cancelling it.
_STOP_GRACE = 10.0


class WakeableLoop:
    name = "loop"

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> None:
        """One round of work: do everything that is due now."""
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        """Asked to stop: a long round should end after its current transaction."""
        return self._stopping

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.tick()
            except Exception:
                # The database may be away for a moment; the next round tries again.
                log.exception("background round failed", loop=self.name)
            if not self._stopping:
                await self._wake.wait()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=_STOP_GRACE)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
