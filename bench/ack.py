"""Benchmark 1: how fast Slack gets its acknowledgement (HTTP 200 on /slack/events) while 50
people use the bot at once. Slack gives up after 3 s; the target is p99 < 100 ms.

Three ways of sending, each measured for commands and for clicks:
- as people do: each sender sends again once its answer has come (the ephemeral message
  they read before typing or clicking again);
- as fast as acknowledged: each sender sends again as soon as the last request is
  acknowledged, without waiting for its answer. Offered faster than the bot answers, the
  answers queue for as long as the run lasts; this is the overload case;
- as people do, during a storm: webhook senders post comments about one post as fast as
  they are answered meanwhile, and the answers must not wait behind intake's batches.

Alone, as the quick run does it (a fresh server and database each run):

    python -m bench.ack --database sqlite --runs 3
    python -m bench.ack --database postgresql --pg-url postgresql://postgres@127.0.0.1:5432/x
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import alerts, intake, load
from bench.fake import RateLimitedSlack
from bench.load import percentile
from bench.server import CHANNEL, PG_URL, SIGNING_SECRET, Server, fresh_database
from handlers.slack.blocks import ACK, ACTIONS_BLOCK, PLAYBOOK
from sandbox import slack_requests

LEAD = "ULEAD"
CRISES = 5
_COMMANDS = ["status {n}", "list", "help", "roster", "stats"]
_CLICKS = [ACK, PLAYBOOK]


PEOPLE = "each waiting for its answer"
EAGER = "each sending again on the acknowledgement"
STORM = "each waiting for its answer, during a storm of comments"
_TAGS = {PEOPLE: "people", EAGER: "eager", STORM: "storm"}
KINDS = ("slash command", "button click")
# A sender whose answer never comes goes on after this long (and the answer counts as lost).
ANSWER_WAIT = 30.0


@dataclass
class AckResult:
    kind: str
    model: str
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


def _key(kind: str, model: str, index: int) -> str:
    return f"{kind.split()[0]}-{_TAGS[model]}-{index}"


def _maker(
    kind: str, model: str, fake: RateLimitedSlack, sent_at: dict[str, float]
) -> load.MakeRequest:
    """Requests of one kind; notes when each was sent, by its response URL's key."""

    def make(index: int) -> load.Request:
        key = _key(kind, model, index)
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
    for model in (PEOPLE, EAGER):
        for kind in KINDS:
            results.append(
                await _measure(url, fake, kind, model, senders=senders, total=senders * per_sender)
            )
    return results


async def during_storm(
    url: str, fake: RateLimitedSlack, *, senders: int, storm_senders: int, seconds: float
) -> list[tuple[AckResult, load.LoadResult]]:
    """Commands, then clicks, for `seconds` each, from people waiting for their answers,
    while `storm_senders` webhook senders post comments as fast as they are answered. After
    `run` (its crises are the ones clicked on)."""
    results = []
    for kind in KINDS:
        storm = asyncio.create_task(intake.storm_senders(url, storm_senders, duration=seconds))
        people = await _measure(url, fake, kind, STORM, senders=senders, duration=seconds)
        results.append((people, await storm))
    return results


async def _measure(
    url: str,
    fake: RateLimitedSlack,
    kind: str,
    model: str,
    *,
    senders: int,
    total: int | None = None,
    duration: float | None = None,
) -> AckResult:
    sent_at: dict[str, float] = {}
    make = _maker(kind, model, fake, sent_at)

    async def answer(index: int) -> bool:
        return await fake.answered(_key(kind, model, index), ANSWER_WAIT)

    result = await load.closed_loop(
        url + "/slack/events",
        make,
        concurrency=senders,
        total=total,
        duration=duration,
        tally=_ignore,
        then=None if model == EAGER else answer,
    )
    sent = result.requests
    # The answers are sent after the acknowledgement; give the last ones time to land.
    deadline = time.monotonic() + ANSWER_WAIT
    while time.monotonic() < deadline:
        answered = {r.key for r in fake.responses if r.key in sent_at}
        if len(answered) >= sent:
            break
        await asyncio.sleep(0.1)
    first: dict[str, float] = {}
    for response in fake.responses:
        if response.key in sent_at and response.key not in first:
            first[response.key] = response.at - sent_at[response.key]
    return AckResult(kind, model, result, list(first.values()), sent)


async def _once(backend: str, pg_url: str, workdir: Path, senders: int, per_sender: int) -> None:
    url = await fresh_database(backend, workdir, "ack", pg_url)
    async with (
        RateLimitedSlack(rate_limits=False) as fake,
        Server.crisisbot(url, fake.base_url, workdir) as server,
    ):
        results = await run(server.url, fake, senders=senders, per_sender=per_sender)
        stormy = await during_storm(server.url, fake, senders=senders, storm_senders=16, seconds=3)
        results += [result for result, _ in stormy]
    for result in results:
        load_ = result.result
        print(
            f"  {result.kind:14} {result.model:42} ack p50 {load_.pct(50) * 1000:5.0f} ms p99 "
            f"{load_.pct(99) * 1000:5.0f} ms | answer p50 {percentile(result.answers, 50):.2f} s "
            f"p99 {percentile(result.answers, 99):.2f} s max {max(result.answers):.2f} s "
            f"({len(result.answers)}/{result.expected})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--per-sender", type=int, default=5, help="5 in the quick run")
    args = parser.parse_args()
    for n in range(args.runs):
        print(f"run {n + 1} on {args.database}, load average {os.getloadavg()[0]:.2f}", flush=True)
        with tempfile.TemporaryDirectory(prefix="crisisbot-ack-") as workdir:
            asyncio.run(
                _once(args.database, args.pg_url, Path(workdir), args.senders, args.per_sender)
            )


if __name__ == "__main__":
    main()
