"""The load generator: one asyncio process, many keep-alive connections.

Its own ceiling is measured against the bare endpoint (bench/bare.py) in every run, so a
figure for the bot can be told apart from a limit of the generator.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

Request = tuple[bytes, dict[str, str]]
MakeRequest = Callable[[int], Request]


@dataclass
class LoadResult:
    requests: int = 0
    items: int = 0
    """What the requests carried and the server took (alerts; a batch counts each)."""
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    client_cpu: float = 0.0
    """CPU seconds the generator used."""

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    @property
    def request_rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q)


Tally = Callable[[int, bytes, "LoadResult"], None]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def connector(limit: int) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=limit, force_close=False)


def count_alerts(status: int, body: bytes, result: LoadResult) -> None:
    """Tally what `POST /alerts` answered: one alert, or each alert of a batch."""
    try:
        answer: Any = json.loads(body)
    except ValueError:
        return
    if not isinstance(answer, dict):
        return
    if "results" in answer:
        for item in answer["results"]:
            result.outcomes[str(item.get("status", item.get("code")))] += 1
        result.items += int(answer.get("accepted", 0))
    elif status == 202:
        result.outcomes[str(answer.get("status", "accepted"))] += 1
        result.items += 1
    else:
        result.outcomes[str(status)] += 1


async def closed_loop(
    url: str,
    make: MakeRequest,
    *,
    concurrency: int,
    duration: float | None = None,
    total: int | None = None,
    tally: Tally = count_alerts,
    then: Callable[[int], Awaitable[object]] | None = None,
) -> LoadResult:
    """`concurrency` senders, each sending its next request as soon as the last is answered
    (and, with `then`, once `then(index)` has returned: what a person waits for before
    going on), for `duration` seconds or until `total` requests were sent."""
    result = LoadResult()
    counter = iter(range(total if total is not None else 10**12))
    cpu_start = time.process_time()
    async with aiohttp.ClientSession(connector=connector(concurrency)) as http:
        start = time.perf_counter()
        deadline = start + duration if duration is not None else math.inf

        async def sender() -> None:
            for index in counter:
                if time.perf_counter() >= deadline:
                    return
                body, headers = make(index)
                sent = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                result.latencies.append(time.perf_counter() - sent)
                result.requests += 1
                result.statuses[response.status] += 1
                tally(response.status, answer, result)
                if then is not None:
                    await then(index)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    result.client_cpu = time.process_time() - cpu_start
    return result


async def paced(
    url: str,
    make: MakeRequest,
    *,
    total: int,
    rate: float,
    concurrency: int,
    tally: Tally = count_alerts,
) -> LoadResult:
    """An open loop: request i goes out at start + i / rate (or as soon as a connection is
    free, when the server is slower than that)."""
    result = LoadResult()
    counter = iter(range(total))
    cpu_start = time.process_time()
    async with aiohttp.ClientSession(connector=connector(concurrency)) as http:
        start = time.perf_counter()

        async def sender() -> None:
            for index in counter:
                delay = start + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                body, headers = make(index)
                sent = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                result.latencies.append(time.perf_counter() - sent)
                result.requests += 1
                result.statuses[response.status] += 1
                tally(response.status, answer, result)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    result.client_cpu = time.process_time() - cpu_start
    return result
