"""Benchmark 2: signed alerts per second at saturation, one per request and in batches, for
alerts that open crises, comments that join one, and duplicates; and the same load against
the bare endpoint (bench/bare.py), whose figure is also the load generator's ceiling."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from bench import alerts, load
from bench.server import cpu_seconds

# New crises last: the thousands of root messages they queue go out paced, one a second into
# the one channel, and the delivery worker's look over that backlog would weigh on the rows
# after them, which would then measure the backlog as much as their own load.
KINDS = ("grouped comments", "duplicates", "new crises")
_runs = itertools.count()


@dataclass(frozen=True)
class Shape:
    """How the load is sent: concurrent senders, and alerts per request (1: no batch)."""

    concurrency: int
    batch: int

    @property
    def mode(self) -> str:
        return "single" if self.batch == 1 else "batch"


@dataclass
class IntakeResult:
    kind: str
    shape: Shape
    result: load.LoadResult


def _maker(
    kind: str, shape: Shape, run: str, parent_url: str, seen: list[dict[str, Any]]
) -> load.MakeRequest:
    def one(index: int) -> dict[str, Any]:
        if kind == "new crises":
            return alerts.post(run, index)
        if kind == "grouped comments":
            return alerts.comment(run, index, parent_url)
        return seen[index % len(seen)]

    def make(index: int) -> load.Request:
        if shape.batch == 1:
            return alerts.signed(one(index))
        return alerts.signed([one(index * shape.batch + k) for k in range(shape.batch)])

    return make


async def measure(url: str, kind: str, shape: Shape, seconds: float) -> IntakeResult:
    run = f"in{next(_runs)}"
    parent = alerts.post(run, 10**9)
    seen = [alerts.post(run, 10**9 + 1 + k) for k in range(shape.batch)]
    if kind != "new crises":
        # The post the comments belong to, and the alerts the duplicates repeat, arrive first.
        await load.closed_loop(
            url + "/alerts", lambda _: alerts.signed([parent, *seen]), concurrency=1, total=1
        )
    make = _maker(kind, shape, run, parent["url"], seen)
    result = await load.closed_loop(
        url + "/alerts", make, concurrency=shape.concurrency, duration=seconds
    )
    return IntakeResult(kind, shape, result)


@dataclass
class Ceiling:
    results: dict[Shape, load.LoadResult]
    server_cpu: dict[Shape, float]
    """CPU seconds the bare server used during each run."""


async def bare(url: str, pid: int, shapes: list[Shape], seconds: float) -> Ceiling:
    """The bare endpoint under the same load as the bot: new-crisis alerts in each shape."""
    ceiling = Ceiling({}, {})
    for shape in shapes:
        before = cpu_seconds(pid)
        ceiling.results[shape] = await load.closed_loop(
            url + "/alerts",
            _maker("new crises", shape, "bare", "", []),
            concurrency=shape.concurrency,
            duration=seconds,
            tally=_bare_tally(shape.batch),
        )
        ceiling.server_cpu[shape] = cpu_seconds(pid) - before
    return ceiling


def _bare_tally(size: int) -> load.Tally:
    def tally(status: int, body: bytes, result: load.LoadResult) -> None:
        if status == 202:
            result.items += size

    return tally


async def meta_batch(url: str, size: int, rounds: int) -> load.LoadResult:
    """Meta-sized deliveries: `size` comments (under fresh posts) in one POST, one after
    another; each request's latency is the time to answer all of them."""
    run = f"meta{next(_runs)}"
    posts = [alerts.post(run, 10**9 + k) for k in range(rounds)]

    def make(index: int) -> load.Request:
        parent = posts[index]["url"]
        comments = [alerts.comment(run, index * size + k, parent) for k in range(size - 1)]
        return alerts.signed([posts[index], *comments])

    return await load.closed_loop(url + "/alerts", make, concurrency=1, total=rounds)


async def storm_senders(
    url: str, senders: int, total: int | None = None, *, duration: float | None = None
) -> load.LoadResult:
    """A storm of comments about one post from `senders` concurrent webhook senders, each
    sending as fast as it is answered: `total` comments, or for `duration` seconds."""
    run = f"storm{next(_runs)}"
    parent = alerts.post(run, 10**9)
    await load.closed_loop(url + "/alerts", lambda _: alerts.signed(parent), concurrency=1, total=1)
    return await load.closed_loop(
        url + "/alerts",
        lambda index: alerts.signed(alerts.comment(run, index, parent["url"])),
        concurrency=senders,
        total=total,
        duration=duration,
    )
