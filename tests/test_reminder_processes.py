"""Restarts and replicas: reminder state lives in the database, not in a process.

Real `crisisbot serve` processes (configured by their environment, as a deployment runs them)
against one fake Slack in the test process: a reminder that fell due while no server ran is
sent once when one comes back, and two replicas on one database never send one twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot import alert_signature
from bot.delivery import LEASE
from models import (
    OutboxMessage,
    OutboxStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    TimelineEvent,
)
from models.session import Database
from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack, RecordedCall
from tests.conftest import PG_URL, reset_postgresql
from tests.e2e import ALERT_SECRET, CHANNEL, SIGNING_SECRET, TOKEN, post

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
SWEEP_INTERVAL = "0.2s"
# The English catalogue's thread.reminder_next_step: "{owner}, reminder for crisis #{n}. …"
FOLLOW_UP = "reminder for crisis #1"
ACKNOWLEDGED = "acknowledged crisis #1 and is on it"
SNOOZED = "snoozed the reminders of #1"
# The playbook checklist's fallback text (button.playbook).
PLAYBOOK = "Playbook"


# ---- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """One `crisisbot serve` process; its output goes to a file, so a full pipe never
    stalls it and a failure can show what it logged."""

    name: str
    process: asyncio.subprocess.Process
    url: str
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return f"--- {self.name} log ({self.log_path}) ---\n{text[-chars:]}"

    async def wait_healthy(self) -> float:
        """Wait until /healthz says ready; returns time.monotonic() at that moment."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"{self.name} exited early\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(
                        self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)
                    ) as response:
                        if response.status == 200:
                            body = await response.json()
                            if body.get("ready") and body.get("slack") != "off":
                                return time.monotonic()
                await asyncio.sleep(0.05)
        raise AssertionError(
            f"{self.name} did not come up in {STARTUP_TIMEOUT}s\n{self.log_tail()}"
        )

    async def kill(self) -> None:
        """SIGKILL: no clean stop, whatever was in flight is lost with the process."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    async def terminate(self) -> int:
        """SIGTERM, as an orchestrator stops a replica; SIGKILL if it does not exit."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        assert self.process.returncode is not None
        return self.process.returncode


class Cluster:
    """Starts servers against one fake Slack and one database, and always reaps them."""

    def __init__(self, fake: FakeSlack, database_url: str, workdir: Path, **settings: str):
        self.fake = fake
        self.database_url = database_url
        self.workdir = workdir
        self.settings = settings
        self.servers: list[Server] = []

    async def start(self, name: str) -> Server:
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "TEAMS_", "CRISIS_"))
        }
        env.update(
            DATABASE_URL=self.database_url,
            PORT=str(port),
            HOST="127.0.0.1",
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=self.fake.base_url,
            CRISIS_CHANNEL=CHANNEL,
            ALERT_WEBHOOK_SECRET=ALERT_SECRET,
            SWEEP_INTERVAL=SWEEP_INTERVAL,
            # Shells often set LANGUAGE (e.g. "en_US:en"); the bot reads it as its language.
            LANGUAGE="en",
            LOG_LEVEL="info",
        )
        env.update({key.upper(): value for key, value in self.settings.items()})
        log_path = self.workdir / f"{name}.log"
        with log_path.open("ab") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve",
                env=env, cwd=self.workdir, stdout=log_file, stderr=log_file,
            )  # fmt: skip
        server = Server(name, process, f"http://127.0.0.1:{port}", log_path)
        self.servers.append(server)
        return server

    def logs(self) -> str:
        return "\n".join(server.log_tail() for server in self.servers)

    async def close(self) -> None:
        for server in self.servers:
            with contextlib.suppress(ProcessLookupError):
                await server.kill()


@contextlib.asynccontextmanager
async def cluster(
    database_url: str, workdir: Path, *, fake: FakeSlack | None = None, **settings: str
) -> AsyncIterator[Cluster]:
    async with fake or FakeSlack(TOKEN) as slack:
        servers = Cluster(slack, database_url, workdir, **settings)
        try:
            yield servers
        except Exception as exc:
            exc.add_note(servers.logs())
            raise
        finally:
            await servers.close()


class StallingSlack(FakeSlack):
    """A fake Slack that can hold chat.postMessage calls matching `stall_when` unanswered,
    so a test can kill the bot while a message is on its way; once released, a held call
    answers 503 without posting (the message never reached Slack)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stall_when: Callable[[dict[str, Any]], bool] | None = None
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self.stall_when is not None and request.match_info["method"] == "chat.postMessage":
            args = await request.json() if request.content_type == "application/json" else {}
            if self.stall_when(args):
                self.held.set()
                await self.release.wait()
                return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        return await super()._handle_api(request)

    async def stop(self) -> None:
        self.release.set()  # never leave a held call behind (it would delay the shutdown)
        await super().stop()


# ---- acting as Slack and as the alert tool -------------------------------------------------


async def command(fake: FakeSlack, server: Server, text: str, user: str = "UANNA") -> str:
    """`/crisis <text>` as `user`, signed like Slack; returns the ephemeral answer."""
    key = f"cmd-{len(fake.responses)}-{time.monotonic_ns()}"
    request = slack_requests.slash_command(
        SIGNING_SECRET,
        text=text,
        user_id=user,
        user_name=user.lower(),
        channel_id=CHANNEL,
        response_url=fake.response_url(key),
    )
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.url + "/slack/events", data=request.body, headers=request.headers
        ) as response,
    ):
        assert response.status == 200, f"/crisis {text}: HTTP {response.status}"
    [answer] = await fake.wait_for_response(key, timeout=10)
    return str(answer.body["text"])


async def alert(server: Server, payload: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    headers = alert_signature.sign(ALERT_SECRET, body, int(time.time()))
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.url + "/alerts", data=body, headers=headers) as response,
    ):
        assert response.status == 202, await response.text()
        return dict(await response.json())


def root_ts(fake: FakeSlack) -> str:
    roots = fake.messages(CHANNEL)
    if len(roots) != 1:
        # LookupError: fake.wait_for counts it as "not yet".
        raise LookupError(f"{len(roots)} root messages in {CHANNEL}")
    return str(roots[0]["ts"])


def thread(fake: FakeSlack) -> list[dict[str, Any]]:
    return fake.replies(CHANNEL, root_ts(fake))


def thread_texts(fake: FakeSlack, needle: str) -> list[str]:
    return [m["text"] for m in thread(fake) if needle in m["text"]]


def posts_in_thread(fake: FakeSlack, needle: str | None = None) -> list[RecordedCall]:
    """Successful chat.postMessage calls into a thread (containing `needle`), in order."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.ok
        and call.args.get("thread_ts")
        and (needle is None or needle in str(call.args.get("text", "")))
    ]


async def open_and_acknowledge(fake: FakeSlack, server: Server) -> None:
    """Anna is the senior on duty; an alert opens crisis #1 for her and she acknowledges it,
    which schedules the first follow-up REMINDER_INTERVAL later. Returns once the thread
    shows her acknowledgement (the playbook and the root's update may still be on the way)."""
    assert await command(fake, server, "roster add <@UANNA|anna> senior") == (
        "<@UANNA> is on the roster as senior."
    )
    answer = await alert(server, post())
    assert (answer["crisis"], answer["status"]) == (1, "opened"), answer
    await fake.wait_for(lambda: len(thread(fake)) >= 1, timeout=10, what="owner in the thread")
    assert await command(fake, server, "ack 1") == (
        "You are on crisis #1. The playbook is in its thread."
    )
    await fake.wait_for(
        lambda: thread_texts(fake, ACKNOWLEDGED), timeout=10, what="acknowledgement in the thread"
    )


# ---- the database ----------------------------------------------------------------------------


async def reminders(database_url: str) -> list[Reminder]:
    db = Database(database_url)
    try:
        async with db.sessions() as session:
            rows = await session.scalars(select(Reminder).order_by(Reminder.id))
            return list(rows.all())
    finally:
        await db.dispose()


async def outbox(database_url: str) -> list[OutboxMessage]:
    db = Database(database_url)
    try:
        async with db.sessions() as session:
            rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows.all())
    finally:
        await db.dispose()


async def wait_outbox_sent(database_url: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until every queued message went out (nothing pending in the outbox)."""
    deadline = time.monotonic() + timeout
    while True:
        messages = await outbox(database_url)
        unsent = [(m.id, m.kind, m.status) for m in messages if m.status != "sent"]
        if not unsent:
            return
        assert time.monotonic() < deadline, f"still not sent after {timeout}s: {unsent}"
        await asyncio.sleep(0.1)


def only_pending(rows: list[Reminder]) -> Reminder:
    pending = [r for r in rows if r.status == ReminderStatus.pending.value]
    assert len(pending) == 1, [(r.id, r.kind, r.status, r.due_at) for r in pending]
    return pending[0]


async def sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


# ---- restarts ------------------------------------------------------------------------------


async def restart_after_due(
    servers: Cluster, interval: float, late_by: float
) -> tuple[Reminder, float]:
    """The shared part of the restart tests: Anna acknowledges on a first server, which is
    killed (SIGKILL) before her first follow-up is due; a new process starts on the same
    database `late_by` seconds after the due time. Returns the reminder that was pending
    while no server ran and when the new server was healthy (time.monotonic())."""
    fake = servers.fake
    first = await servers.start("first")
    await first.wait_healthy()
    await open_and_acknowledge(fake, first)
    # The playbook and the root's update went out too: the kill interrupts no delivery (a
    # kill in the middle of one is the last test's subject).
    await wait_outbox_sent(servers.database_url)
    assert thread_texts(fake, PLAYBOOK)
    await first.kill()

    [scheduled] = [r for r in await reminders(servers.database_url) if r.kind == "follow_up"]
    assert scheduled.status == ReminderStatus.pending.value
    assert datetime.now(UTC) < scheduled.due_at, (
        "the first server was killed only after the follow-up fell due: the machine is too "
        "slow for this interval"
    )
    assert thread_texts(fake, FOLLOW_UP) == []

    await sleep_until(scheduled.due_at + timedelta(seconds=late_by))
    # Nothing runs: the due reminder waits in the database.
    assert thread_texts(fake, FOLLOW_UP) == []
    second = await servers.start("second")
    healthy_at = await second.wait_healthy()
    return scheduled, healthy_at


def assert_next_due(nxt: Reminder, fired: Reminder, interval: float) -> None:
    """The next reminder is due one interval after the last one was sent (the firing reads
    the clock a moment after the sweep stamped fired_at, hence the small slack)."""
    assert fired.fired_at is not None
    gap = (nxt.due_at - fired.fired_at).total_seconds()
    assert interval <= gap <= interval + 0.5, f"next reminder due {gap:.3f}s after the last one"


@pytest.mark.timeout(60)
async def test_reminder_due_while_the_server_was_killed_fires_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    interval = 4.0
    async with cluster(
        database_url, tmp_path, reminder_interval=f"{interval}s", ack_timeout="1h"
    ) as servers:
        fake = servers.fake
        scheduled, healthy_at = await restart_after_due(servers, interval, late_by=2.0)

        # The reminder that fell due while no server ran arrives right after the start…
        await fake.wait_for(lambda: thread_texts(fake, FOLLOW_UP), timeout=10, what="follow-up")
        [first_post] = posts_in_thread(fake, FOLLOW_UP)
        late = first_post.at - healthy_at
        # Sent by the first sweeps after the start, not an interval later: the bound is half
        # an interval so that a loaded machine's slow first sweep does not fail it.
        assert late < interval / 2, f"the overdue follow-up came {late:.2f}s after the start"
        [text] = thread_texts(fake, FOLLOW_UP)
        assert text.startswith("<@UANNA>, reminder for crisis #1. Next step: ")

        rows = await reminders(database_url)
        fired = next(r for r in rows if r.id == scheduled.id)
        assert fired.status == ReminderStatus.fired.value
        assert fired.fired_at is not None
        assert fired.fired_at >= scheduled.due_at + timedelta(seconds=2)
        nxt = only_pending(rows)
        assert nxt.kind == ReminderKind.follow_up.value and nxt.id != scheduled.id
        # Counted from when it was sent, not from the missed due time: no catching up.
        assert_next_due(nxt, fired, interval)
        assert [r.status for r in rows if r.kind == "follow_up"] == ["fired", "pending"]

        # …once: no second copy while the next one is not due…
        await asyncio.sleep(max(0.0, first_post.at + interval * 0.75 - time.monotonic()))
        assert len(thread_texts(fake, FOLLOW_UP)) == 1, fake.summary()

        # …and the next one a whole interval later.
        await fake.wait_for(
            lambda: len(thread_texts(fake, FOLLOW_UP)) >= 2,
            timeout=interval + 5,
            what="the next follow-up",
        )
        first_post, second_post = posts_in_thread(fake, FOLLOW_UP)[:2]
        assert second_post.at - first_post.at >= interval - 0.5
        rows = await reminders(database_url)
        follow_ups = [r for r in rows if r.kind == "follow_up"]
        assert [r.status for r in follow_ups] == ["fired", "fired", "pending"]
        assert_next_due(follow_ups[2], follow_ups[1], interval)


@pytest.mark.timeout(60)
async def test_reminder_overdue_for_several_intervals_fires_once_not_in_a_burst(
    database_url: str, tmp_path: Path
) -> None:
    # Long enough for the acknowledgement's paced thread messages (about one a second per
    # channel) to go out before the first follow-up falls due, even on a loaded machine.
    interval = 4.0
    async with cluster(
        database_url, tmp_path, reminder_interval=f"{interval}s", ack_timeout="1h"
    ) as servers:
        fake = servers.fake
        # Down from before the due time until ~3 intervals past it.
        scheduled, healthy_at = await restart_after_due(servers, interval, late_by=2 * interval)
        await fake.wait_for(lambda: thread_texts(fake, FOLLOW_UP), timeout=10, what="follow-up")
        [first_post] = posts_in_thread(fake, FOLLOW_UP)
        late = first_post.at - healthy_at
        # Sent by the first sweeps after the start, not an interval later: the bound is half
        # an interval so that a loaded machine's slow first sweep does not fail it.
        assert late < interval / 2, f"the overdue follow-up came {late:.2f}s after the start"
        await asyncio.sleep(max(0.0, first_post.at + interval * 0.75 - time.monotonic()))
        assert len(thread_texts(fake, FOLLOW_UP)) == 1, fake.summary()

        rows = await reminders(database_url)
        follow_ups = [r for r in rows if r.kind == "follow_up"]
        assert [r.status for r in follow_ups] == ["fired", "pending"]
        fired, nxt = follow_ups
        assert fired.id == scheduled.id
        assert fired.fired_at is not None
        assert fired.fired_at - scheduled.due_at >= timedelta(seconds=2 * interval)
        assert_next_due(nxt, fired, interval)


# ---- replicas ------------------------------------------------------------------------------


@pytest.mark.timeout(90)
async def test_two_replicas_on_one_postgresql_send_each_reminder_once(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("two replicas need PostgreSQL: TEST_DATABASE_URL is not set")
    await reset_postgresql(PG_URL)
    interval = 1.0
    async with cluster(
        PG_URL, tmp_path, reminder_interval=f"{interval}s", ack_timeout="1h"
    ) as servers:
        fake = servers.fake
        # Both start at once: they migrate the empty database together.
        a, b = await servers.start("replica-a"), await servers.start("replica-b")
        await asyncio.gather(a.wait_healthy(), b.wait_healthy())
        await open_and_acknowledge(fake, a)
        acked_at = time.monotonic()

        await asyncio.sleep(max(0.0, acked_at + 6.0 - time.monotonic()))
        # Anna snoozes (through the other replica): no reminder after that, and once the
        # thread shows it, everything queued before it went out too (a crisis's messages go
        # out in order), so the counts below are final.
        assert (await command(fake, b, "snooze 1 1d")).startswith("Next reminder for #1")
        await fake.wait_for(lambda: thread_texts(fake, SNOOZED), timeout=10, what="snoozed")
        await asyncio.sleep(1.0)  # time for a wrong extra copy to show up
        assert await a.terminate() == 0
        assert await b.terminate() == 0

        rows = await reminders(PG_URL)
        fired = [
            r for r in rows if r.kind == "follow_up" and r.status == ReminderStatus.fired.value
        ]
        assert len(thread_texts(fake, FOLLOW_UP)) == len(fired), fake.summary()
        assert len(fired) >= 4
        assert len(posts_in_thread(fake, FOLLOW_UP)) == len(fired)
        # Spacing is checked where the bot decides it (when each fired): the moment Slack
        # receives each depends on the machine's load, not on the bot.
        fired_at = sorted(r.fired_at for r in fired if r.fired_at is not None)
        for earlier, later in itertools.pairwise(fired_at):
            assert later - earlier >= timedelta(seconds=interval)
        # The snooze replaced the pending one: nothing is left to fire soon.
        pending = only_pending(rows)
        assert pending.due_at > datetime.now(UTC) + timedelta(hours=23)

        # One root message; every thread message went out exactly once.
        assert len(fake.messages(CHANNEL)) == 1
        messages = await outbox(PG_URL)
        assert all(m.status == OutboxStatus.sent.value for m in messages), [
            (m.id, m.kind, m.status, m.last_error) for m in messages
        ]
        in_thread = [m for m in messages if m.kind in ("thread", "playbook_post")]
        assert len(posts_in_thread(fake)) == len(in_thread)
        assert len(thread(fake)) == len(in_thread)


# ---- a kill in the middle of a delivery ------------------------------------------------------


@pytest.mark.timeout(60)
async def test_server_killed_while_sending_does_not_silence_the_thread(
    database_url: str, tmp_path: Path
) -> None:
    interval = 2.0
    fake = StallingSlack(TOKEN)
    async with cluster(
        database_url, tmp_path, fake=fake, reminder_interval=f"{interval}s", ack_timeout="1h"
    ) as servers:
        # The playbook checklist (the one thread post with blocks) is on its way when the
        # process dies: Slack never got it.
        fake.stall_when = lambda args: bool(args.get("thread_ts") and args.get("blocks"))
        first = await servers.start("first")
        await first.wait_healthy()
        await open_and_acknowledge(fake, first)
        await asyncio.wait_for(fake.held.wait(), timeout=10)
        await first.kill()
        killed_at = time.monotonic()
        fake.stall_when = None
        fake.release.set()

        second = await servers.start("second")
        healthy_at = await second.wait_healthy()
        # The new process sends what the dead one never finished once the dead one's lease
        # on it ran out, then the follow-up that fell due meanwhile: once, not in a burst.
        await fake.wait_for(
            lambda: thread_texts(fake, PLAYBOOK) and thread_texts(fake, FOLLOW_UP),
            timeout=max(
                0.0,
                max(healthy_at, killed_at + LEASE.total_seconds())
                + interval
                + 5
                - time.monotonic(),
            ),
            what="playbook and follow-up after the restart",
        )
        assert len(thread_texts(fake, PLAYBOOK)) == 1
        assert len(thread_texts(fake, FOLLOW_UP)) == 1, "the follow-ups arrived in a burst"


@pytest.mark.timeout(120)
async def test_two_replicas_on_one_postgresql_fire_each_escalation_once(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("two replicas need PostgreSQL: TEST_DATABASE_URL is not set")
    await reset_postgresql(PG_URL)
    crises, timeout = 30, 2.0
    async with cluster(
        PG_URL, tmp_path, ack_timeout=f"{timeout}s", reminder_interval="1h"
    ) as servers:
        fake = servers.fake
        a, b = await servers.start("replica-a"), await servers.start("replica-b")
        await asyncio.gather(a.wait_healthy(), b.wait_healthy())
        for user in ("UANNA", "UBART", "UCLEO"):
            answer = await command(fake, a, f"roster add <@{user}|{user.lower()}> senior")
            assert answer == f"<@{user}> is on the roster as senior."
        # Nobody acknowledges: every crisis climbs the ladder, one rung per ACK_TIMEOUT, on
        # both replicas at once. The crises open over ten sweep intervals, so their rungs
        # fall due over as long: a replica's sweep takes all that is due when it looks, and
        # a burst due within one interval would go to whichever replica looked first.
        spread = 10 * float(SWEEP_INTERVAL.removesuffix("s"))
        for n in range(crises):
            answer = await alert(
                (a, b)[n % 2],
                post(id=f"esc-{n}", url=f"https://www.facebook.com/b{n}/posts/{n}", brand=f"B{n}"),
            )
            assert answer["status"] == "opened", answer
            await asyncio.sleep(spread / crises)
        await asyncio.sleep(3 * timeout + 1)
        assert await a.terminate() == 0
        assert await b.terminate() == 0

    db = Database(PG_URL)
    try:
        async with db.sessions() as session:
            fired = (
                await session.execute(
                    select(Reminder.crisis_id, Reminder.fired_at)
                    .where(
                        Reminder.kind == ReminderKind.escalation.value,
                        Reminder.status == ReminderStatus.fired.value,
                    )
                    .order_by(Reminder.crisis_id, Reminder.fired_at)
                )
            ).all()
            events = (
                await session.execute(
                    select(TimelineEvent.crisis_id, TimelineEvent.kind, TimelineEvent.detail)
                    .where(
                        (TimelineEvent.kind == "escalated_to_channel")
                        | (TimelineEvent.detail["reason"].as_string() == "escalated")
                    )
                    .order_by(TimelineEvent.id)
                )
            ).all()
            messages = (
                await session.scalars(
                    select(OutboxMessage.data).where(OutboxMessage.kind == "thread")
                )
            ).all()
    finally:
        await db.dispose()
    rungs: dict[int, list[str]] = {}
    for crisis, kind, detail in events:
        rungs.setdefault(crisis, []).append(
            f"owner {detail['member']}" if kind == "owner_assigned" else kind
        )
    firings: dict[int, list[datetime]] = {}
    for crisis, fired_at in fired:
        firings.setdefault(crisis, []).append(fired_at)
    assert sorted(firings) == list(range(1, crises + 1))
    for crisis, times in firings.items():
        # Each firing climbed one rung, once: a senior who has not had it, the next one,
        # then the channel (there are no leads), whichever replica fired it.
        assert len(rungs[crisis]) == len(times), (crisis, rungs[crisis], times)
        owners = [rung for rung in rungs[crisis] if rung.startswith("owner")]
        assert len(owners) == len(set(owners)) <= 2, rungs[crisis]
        for earlier, later in itertools.pairwise(times):
            assert later - earlier >= timedelta(seconds=timeout)
    assert len(fired) >= 2 * crises
    escalation_keys = ("thread.escalated", "thread.escalation_nobody")
    assert sum(data.get("key") in escalation_keys for data in messages) == len(fired)
    # Both replicas took a share of the firing (each logs a line per escalation).
    for server in servers.servers:
        assert '"reason": "escalated"' in server.log_path.read_text(), server.name
