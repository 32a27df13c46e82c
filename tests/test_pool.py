"""The connection pool serves waiting requests in the order they came: one arriving just as a
connection is put back does not take it from the request that has waited longest."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from sqlalchemy import text
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.queue import Empty

from models.pool import FairQueuePool, HandOffQueue
from models.session import Database


def connection(name: str) -> Any:
    return cast(Any, name)


async def test_a_connection_put_back_goes_to_the_longest_waiter() -> None:
    queue = HandOffQueue(maxsize=1)
    served: list[tuple[str, str]] = []

    async def wait_for_one(name: str) -> None:
        served.append((name, await greenlet_spawn(queue.get, True, 5)))

    first = asyncio.create_task(wait_for_one("first"))
    await asyncio.sleep(0)
    second = asyncio.create_task(wait_for_one("second"))
    await asyncio.sleep(0)
    queue.put_nowait(connection("c1"))
    # A request arriving now, before the first waiter has run, finds none to take.
    with pytest.raises(Empty):
        queue.get(False)
    queue.put_nowait(connection("c2"))
    await asyncio.gather(first, second)
    assert served == [("first", "c1"), ("second", "c2")]


async def test_a_waiter_that_times_out_loses_no_connection() -> None:
    queue = HandOffQueue(maxsize=1)
    with pytest.raises(Empty):
        await greenlet_spawn(queue.get, True, 0.01)
    queue.put_nowait(connection("c1"))
    assert queue.get(False) == "c1"


async def test_a_waiter_cancelled_after_its_connection_came_passes_it_on() -> None:
    queue = HandOffQueue(maxsize=1)
    gone = asyncio.create_task(greenlet_spawn(queue.get, True, 5))
    await asyncio.sleep(0)
    staying = asyncio.create_task(greenlet_spawn(queue.get, True, 5))
    await asyncio.sleep(0)
    queue.put_nowait(connection("c1"))
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await staying == "c1"


async def test_sessions_on_one_connection_all_complete(tmp_path: Any) -> None:
    database = Database(f"sqlite:///{tmp_path / 'pool.db'}")
    assert isinstance(database.engine.pool, FairQueuePool)

    async def one(n: int) -> int:
        async with database.sessions() as session:
            return int(await session.scalar(text(f"SELECT {n}")) or 0)

    try:
        assert await asyncio.gather(*(one(n) for n in range(50))) == list(range(50))
    finally:
        await database.dispose()
