"""End to end: the Slack App Home tab, published on `app_home_opened`, against the fake Slack."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FixedClock
from models import PlatformPost
from sandbox import slack_requests
from tests.conftest import START
from tests.e2e import CHANNEL, SIGNING_SECRET, SlackBot, post, running_bot


def home_texts(view: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in view["blocks"] if "text" in block]


async def open_home(slack: SlackBot, user: str, event_id: str) -> list[str]:
    event = {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0HOME"}
    before = slack.fake.home_view(user)
    request = slack_requests.event_callback(SIGNING_SECRET, event=event, event_id=event_id)
    assert await slack.slack(request) == 200
    await slack.fake.wait_for(
        lambda: slack.fake.home_view(user) not in (None, before), what=f"home of {user}"
    )
    view = slack.fake.home_view(user)
    assert view is not None and view["type"] == "home"
    return home_texts(view)


async def roots_remembered(slack: SlackBot, count: int) -> None:
    """Wait until the bot has recorded where its root messages are (what the links use)."""
    for _ in range(100):
        async with slack.bot.db.sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(PlatformPost).where(PlatformPost.kind == "root")
            )
        if found == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} root messages not recorded")


async def test_home_tab_lists_my_crises_and_all_open_ones(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_bot(database_url, clock=clock) as slack:
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
        await slack.post_alert(post(id="warmup", url="https://facebook.com/sklep/posts/1"))
        await slack.post_alert(post(brand="Kurtki"))
        await roots_remembered(slack, 2)
        roots = {n: m["ts"] for n, m in enumerate(slack.fake.messages(CHANNEL), 1)}
        assert (await slack.command("ack 1", user="UBOSS")).startswith("You are on crisis #1")

        texts = await open_home(slack, "UANNA", "Ev1")
        link = f"<https://slack.com/archives/{CHANNEL}/p{roots[2].replace('.', '')}|#2>"
        assert texts[0] == "My crises"
        assert texts[1].startswith(f"{link} · open · next: acknowledge it · due ")
        assert texts[2] == "All open crises"
        assert texts[3] == f"{link} · Kurtki · open · open 0 seconds · owner <@UANNA>"
        assert texts[4].startswith("<https://slack.com/archives/")
        assert texts[4].endswith("|#1> · Sklep · acknowledged · open 0 seconds · owner <@UBOSS>")

        # Past ACK_TIMEOUT (the sweep stopped, so nobody escalates it): flagged as overdue.
        await slack.bot.sweeper.stop()
        clock.advance(timedelta(minutes=16))
        texts = await open_home(slack, "UBOSS", "Ev2")
        assert texts[1].startswith("<https://slack.com/archives/")
        assert "|#1> · acknowledged · next: Apologise" in texts[1]
        assert texts[3].endswith("· open 16 minutes · owner <@UANNA> · ⚠️ acknowledgement overdue")
        assert "overdue" not in texts[4]

        # Someone not on the roster sees every open crisis, and why they own none.
        texts = await open_home(slack, "UCARL", "Ev3")
        assert texts[1].startswith("You are not on the roster")
        assert len(texts) == 5
