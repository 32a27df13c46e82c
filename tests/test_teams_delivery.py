"""Delivery to Teams through the outbox: nothing lost while the Bot Connector is down or
refusing (429, 412, 5xx), nothing sent twice, a permanent refusal dropped, and each thread
paced under Teams' limits."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import select

from bot import outbox
from bot.app import CrisisBot
from bot.messages import Message
from handlers.teams.delivery import NO_CHANNEL
from models import OutboxMessage, OutboxStatus
from sandbox.fake_teams import FakeTeams
from tests.conftest import make_settings
from tests.e2e import post
from tests.teams_e2e import ALERT_SECRET, BOSS, TeamsBot, running_teams_bot
from tests.test_slack_triage import comment


async def open_crisis(teams: TeamsBot, *, connector_down: bool = False) -> None:
    await teams.say("here", BOSS)
    teams.fake.down = connector_down
    status, _ = await teams.post_alert(post())
    assert status == 202


async def test_nothing_is_lost_while_the_connector_is_down(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await open_crisis(teams, connector_down=True)
        await teams.fake.wait_for(
            lambda: any(c.status == 503 for c in teams.fake.calls_to("conversations"))
        )
        assert teams.fake.threads_in_channel() == []
        teams.fake.down = False
        await teams.fake.wait_for(lambda: teams.texts(1), timeout=10, what="delivered after")
        assert len(teams.fake.threads_in_channel()) == 1
        assert len(teams.texts(1)) == 1


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_refusals_worth_a_retry_are_retried_once_more(database_url: str, status: int) -> None:
    async with running_teams_bot(database_url) as teams:
        teams.fake.fail_next("conversations", status=status, retry_after=1)
        await open_crisis(teams)
        await teams.fake.wait_for(lambda: teams.texts(1), timeout=10)
        statuses = [c.status for c in teams.fake.calls_to("conversations")]
        assert statuses == [status, 201]
        assert len(teams.fake.threads_in_channel()) == 1


async def test_a_permanent_refusal_is_dropped_and_the_thread_goes_on(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        teams.fake.fail_next("send", status=400)
        await open_crisis(teams)
        await teams.fake.wait_for(lambda: teams.fake.calls_to("send"))
        async with teams.bot.db.sessions() as session:
            crisis = 1
            outbox.thread(
                session, ("teams",), crisis, Message("list.empty"), teams.bot.ctx.clock.now()
            )
            await session.commit()
        teams.bot.ctx.on_outbox()
        await teams.fake.wait_for(lambda: teams.texts(1) == ["No open crises. Calm waters."])
        async with teams.bot.db.sessions() as session:
            failed = (
                await session.scalars(
                    select(OutboxMessage.kind).where(
                        OutboxMessage.platform == "teams",
                        OutboxMessage.status == OutboxStatus.failed.value,
                    )
                )
            ).all()
        assert failed == ["thread"]


async def test_a_busy_thread_stays_under_teams_limits(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await open_crisis(teams)
        await teams.fake.wait_for(lambda: teams.texts(1))
        async with teams.bot.db.sessions() as session:
            for i in range(14):
                outbox.thread(
                    session,
                    ("teams",),
                    1,
                    Message("intake.opened", {"n": i}),
                    teams.bot.ctx.clock.now(),
                )
            await session.commit()
        teams.bot.ctx.on_outbox()
        await teams.fake.wait_for(lambda: len(teams.texts(1)) == 15, timeout=15)
        # In order, once each.
        assert teams.texts(1)[1:] == [f"Crisis #{i} opened." for i in range(14)]
        thread = teams.thread(1).conversation_id
        times = [c.at for c in teams.fake.calls if c.conversation_id == thread]
        for i, start in enumerate(times):
            assert len([t for t in times[i:] if t - start < 1.0]) <= 7
            assert len([t for t in times[i:] if t - start < 2.0]) <= 8


async def test_a_crisis_opened_before_here_goes_out_when_a_channel_is_set(
    database_url: str,
) -> None:
    async with running_teams_bot(database_url) as teams:
        assert (await teams.post_alert(post()))[0] == 202

        async def waiting() -> bool:
            async with teams.bot.db.sessions() as session:
                error = await session.scalar(
                    select(OutboxMessage.last_error).where(
                        OutboxMessage.platform == "teams", OutboxMessage.kind == "root_post"
                    )
                )
            return error == NO_CHANNEL

        for _ in range(50):
            if await waiting():
                break
            await asyncio.sleep(0.1)
        assert await waiting()
        await teams.say("here", BOSS)
        # Within seconds, not at the next retry a minute later.
        await teams.fake.wait_for(lambda: teams.texts(1))


async def test_messages_survive_a_restart_and_go_out_once(database_url: str) -> None:
    async with FakeTeams() as fake, aiohttp.ClientSession() as http:
        settings = make_settings(
            database_url=database_url,
            alert_webhook_secret=ALERT_SECRET,
            host="127.0.0.1",
            port=0,
            sweep_interval="0.2s",
            teams_enabled=True,
        )
        first = CrisisBot(settings)
        await first.start()
        teams = TeamsBot(first, fake, http)
        await open_crisis(teams, connector_down=True)
        await fake.wait_for(lambda: fake.calls_to("conversations"))
        await first.stop()

        fake.down = False
        second = CrisisBot(settings)
        await second.start()
        try:
            await fake.wait_for(lambda: teams.texts(1), timeout=10, what="sent after restart")
            await asyncio.sleep(1)
            assert len(fake.threads_in_channel()) == 1
            assert len(teams.texts(1)) == 1
        finally:
            await second.stop()


async def test_a_storm_is_one_card_and_one_live_summary_in_the_thread(database_url: str) -> None:
    async with running_teams_bot(database_url, summary_interval="1s") as teams:
        await open_crisis(teams)
        await teams.fake.wait_for(lambda: teams.texts(1))
        started = time.monotonic()
        for start in (0, 100):
            status, body = await teams.post_alert([comment(n) for n in range(start, start + 100)])
            assert status == 202 and body["accepted"] == 100
        await teams.fake.wait_for(
            lambda: "200 comments" in str(teams.cards(1)), timeout=10, what="summary counts all"
        )
        summary = str(teams.cards(1))
        assert "1 post, 200 comments" in summary
        assert "Klient 199 (199 followers)" in summary  # the most influential
        await teams.fake.wait_for(lambda: '"201"' in str(teams.root_card(1)).replace("'", '"'))
        assert len(teams.fake.threads_in_channel()) == 1
        # The summary is one reply, edited; not a message per alert.
        assert len(teams.cards(1)) == 1
        new_messages = [call for call in teams.fake.calls if call.route != "update"]
        assert len(new_messages) < 15, teams.fake.summary()
        # Edits follow the pace of the card and the summary (a few a second at most),
        # however long the storm takes to absorb on this machine.
        edits = teams.fake.calls_to("update")
        assert len(edits) <= 3 * (time.monotonic() - started) + 8, teams.fake.summary()
