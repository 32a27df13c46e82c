"""Benchmark 3: a storm of alerts about one post, offered at 10,000 a minute: how many crises
(must be 1), how many Slack calls and 429s, and how long until the live summary in the
thread counts every one of them (read from what the fake Slack was sent)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from bench import alerts, load
from bench.fake import RateLimitedSlack
from bench.server import Server

RATE = 10_000 / 60
CONCURRENCY = 64
_COUNT = re.compile(r"posts and comments: ([\d,]+)")


@dataclass
class StormResult:
    alerts: int
    send: load.LoadResult
    crises_opened: int
    slack_calls: int
    rate_limited: int
    summary_after: float | None
    """Seconds from the last alert's answer until the summary counted them all (None: it
    never did within the wait)."""
    summary_count: int
    peak_rss_mib: float


def summary_count(fake: RateLimitedSlack) -> int:
    """The highest count any summary the fake accepted showed."""
    best = 0
    for call in fake.calls:
        if call.ok and call.method in ("chat.postMessage", "chat.update"):
            match = _COUNT.search(str(call.args.get("text", "")))
            if match:
                best = max(best, int(match.group(1).replace(",", "")))
    return best


async def run(server: Server, fake: RateLimitedSlack, total: int, wait: float) -> StormResult:
    parent = alerts.post("storm", 0)

    def make(index: int) -> load.Request:
        if index == 0:
            return alerts.signed(parent)
        return alerts.signed(alerts.comment("storm", index, parent["url"]))

    send = await load.paced(
        server.url + "/alerts", make, total=total, rate=RATE, concurrency=CONCURRENCY
    )
    sent = time.monotonic()
    summary_after = None
    while time.monotonic() < sent + wait:
        if summary_count(fake) >= send.items:
            summary_after = time.monotonic() - sent
            break
        await asyncio.sleep(0.1)
    metrics = await server.metrics()
    return StormResult(
        alerts=send.items,
        send=send,
        crises_opened=int(metrics.get("crisisbot_crises_opened_total", 0)),
        slack_calls=sum(1 for call in fake.calls if call.method != "auth.test"),
        rate_limited=fake.rate_limited(),
        summary_after=summary_after,
        summary_count=summary_count(fake),
        peak_rss_mib=server.peak_rss_mib(),
    )
