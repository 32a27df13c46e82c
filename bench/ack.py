"""Benchmark 1: how fast Slack gets its acknowledgement (HTTP 200 on /slack/events) while 50
people use the bot at once. Slack gives up after 3 s; the target is p99 < 100 ms."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench import alerts, load
from bench.fake import RateLimitedSlack
from bench.server import CHANNEL, SIGNING_SECRET
from handlers.slack.blocks import ACK, ACTIONS_BLOCK, PLAYBOOK
from sandbox import slack_requests

LEAD = "ULEAD"
CRISES = 5
_COMMANDS = ["status {n}", "list", "help", "roster", "stats"]
_CLICKS = [ACK, PLAYBOOK]


@dataclass
class AckResult:
    kind: str
    result: load.LoadResult
    answers: list[float]
    """Seconds from sending to the ephemeral answer reaching the response URL."""
    expected: int


async def _setup(url: str, fake: RateLimitedSlack) -> None:
    """A lead on the roster and a few crises to look at and click on."""
    command = slack_requests.slash_command(
        SIGNING_SECRET,
        text=f"roster add <@{LEAD}|lead> lead",
        user_id=LEAD,
        channel_id=CHANNEL,
        response_url=fake.response_url("setup"),
    )
    await load.closed_loop(
        url + "/slack/events", lambda _: command, concurrency=1, total=1, tally=_ignore
    )
    await load.closed_loop(
        url + "/alerts",
        lambda i: alerts.signed(alerts.post("ack", i)),
        concurrency=1,
        total=CRISES,
    )
    await fake.wait_for_response("setup", timeout=10)


def _ignore(status: int, body: bytes, result: load.LoadResult) -> None:
    result.items += 1


def _maker(kind: str, fake: RateLimitedSlack, sent_at: dict[str, float]) -> load.MakeRequest:
    """Requests of one kind; notes when each was sent, by its response URL's key."""
    prefix = kind.split()[0]

    def make(index: int) -> load.Request:
        key = f"{prefix}-{index}"
        n = index % CRISES + 1
        if kind == "slash command":
            request = slack_requests.slash_command(
                SIGNING_SECRET,
                text=_COMMANDS[index % len(_COMMANDS)].format(n=n),
                user_id=LEAD if index % 3 else f"U{index:08d}",
                channel_id=CHANNEL,
                response_url=fake.response_url(key),
            )
        else:
            request = slack_requests.block_action(
                SIGNING_SECRET,
                action_id=_CLICKS[index % len(_CLICKS)],
                value=str(n),
                user_id=LEAD,
                channel_id=CHANNEL,
                message_ts=f"1700000000.{n:06d}",
                block_id=ACTIONS_BLOCK,
                response_url=fake.response_url(key),
            )
        sent_at[key] = time.monotonic()
        return request.body, request.headers

    return make


async def run(
    url: str, fake: RateLimitedSlack, *, senders: int, per_sender: int
) -> list[AckResult]:
    await _setup(url, fake)
    results = []
    for kind in ("slash command", "button click"):
        sent_at: dict[str, float] = {}
        make = _maker(kind, fake, sent_at)
        total = senders * per_sender
        result = await load.closed_loop(
            url + "/slack/events", make, concurrency=senders, total=total, tally=_ignore
        )
        # The answers are sent after the acknowledgement; give the last ones time to land.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answered = {r.key for r in fake.responses if r.key in sent_at}
            if len(answered) >= total:
                break
            await asyncio.sleep(0.1)
        first: dict[str, float] = {}
        for response in fake.responses:
            if response.key in sent_at and response.key not in first:
                first[response.key] = response.at - sent_at[response.key]
        results.append(AckResult(kind, result, list(first.values()), total))
    return results
