"""End to end: the report in a crisis's thread when it closes, with its chart uploaded to
the fake Slack (files_upload_v2) and shown on a Teams card from a signed, expiring URL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot import close_report
from models import OutboxMessage
from tests.e2e import SlackBot, post, running_bot
from tests.teams_e2e import BOSS, TeamsBot, card_text, running_teams_bot

PNG = b"\x89PNG\r\n\x1a\n"


async def close_crisis(slack: SlackBot) -> None:
    """Crisis #1 with a comment, acknowledged by Anna, one playbook step, proposed, closed."""
    await slack.command("roster add <@UANNA|anna> lead", user="UANNA")
    await slack.post_alert(post())
    await slack.post_alert(
        post(id="c1", url="https://facebook.com/x/c/1", parent_url=post()["url"], reach=5)
    )
    await slack.wait_thread(1, 1)
    assert (await slack.command("ack 1")).startswith("You are on crisis #1")
    assert (await slack.command("resolve 1 refund sent")).startswith("Resolution proposed")
    # Closed with the playbook unticked: the answer names the steps left out.
    assert (await slack.command("confirm 1 thanks")).startswith("Crisis #1 is closed. Not ticked")


def report_of(thread: list[dict[str, Any]]) -> str:
    return next((m["text"] for m in thread if m["text"].startswith("Report on crisis #1")), "")


async def test_slack_report_and_chart_in_the_thread(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await close_crisis(slack)
        await slack.fake.wait_for(
            lambda: any(m.get("files") for m in slack.thread(1)), timeout=20, what="chart"
        )
        thread = slack.thread(1)
        lines = report_of(thread).splitlines()
        assert lines[1].startswith("Opened <!date^")
        # The post's link names its network as people write it.
        assert lines[1].endswith("|Facebook>")
        assert lines[2].startswith("Acknowledged <!date^") and lines[2].endswith("by <@UANNA>")
        assert lines[3] == "Playbook steps ticked: 0/5"
        assert lines[4].startswith("Resolution proposed <!date^")
        assert lines[5].startswith("Confirmed <!date^") and lines[5].endswith("by <@UANNA>")
        assert "posts: 1, comments: 1 · reach: 12,005" in lines[6]
        # The chart comes after the text, in the same thread, as a PNG.
        texts = [m["text"] for m in thread]
        [chart] = [m for m in thread if m.get("files")]
        assert thread.index(chart) > texts.index(report_of(thread))
        [shared] = chart["files"]
        assert shared["name"] == "crisis-1.png" and shared["mimetype"] == "image/png"
        assert shared["title"] == "Crisis #1: posts and comments"
        content = slack.fake.file_content(shared["id"])
        assert content.startswith(PNG) and len(content) > 5_000
        # The picture is served where the message says (the sandbox shows it from there).
        async with slack.http.get(shared["url_private"]) as answer:
            assert answer.status == 200 and await answer.read() == content


async def chart_rows_settled(slack: SlackBot) -> None:
    """Wait until the chart's outbox row is done with (sent, or dropped after logging)."""
    for _ in range(200):
        async with slack.bot.db.sessions() as session:
            statuses = (
                await session.scalars(
                    select(OutboxMessage.status).where(OutboxMessage.kind == "report_chart")
                )
            ).all()
        if statuses and all(status != "pending" for status in statuses):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the chart's outbox row is still pending")


async def test_a_chart_that_fails_leaves_the_text(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(close_report, "render_chart", broken)
    async with running_bot(database_url) as slack:
        await close_crisis(slack)
        await slack.fake.wait_for(
            lambda: report_of(slack.thread(1)), timeout=20, what="report text"
        )
        await chart_rows_settled(slack)
        assert not any(m.get("files") for m in slack.thread(1))
        assert not slack.fake.calls_to("files.getUploadURLExternal")


def chart_cards(teams: TeamsBot) -> list[dict[str, Any]]:
    return [card for card in teams.cards(1) if '"type": "Image"' in card_text(card)]


async def test_teams_report_and_chart_card_from_a_signed_url(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        teams.bot.settings.public_base_url = teams.url
        await teams.say("roster add @Bob lead", BOSS, (BOSS,))
        await teams.say("here", BOSS)
        await teams.post_alert(post())
        await teams.fake.wait_for(lambda: teams.texts(1), what="crisis #1 thread")
        assert (await teams.say("ack 1", BOSS)).startswith("You are on crisis #1")
        assert (await teams.say("resolve 1 refund sent", BOSS)).startswith("Resolution proposed")
        assert (await teams.say("confirm 1", BOSS)).startswith("Crisis #1 is closed. Not ticked")
        texts = await teams.wait_texts(
            1, lambda t: any(x.startswith("Report on crisis #1") for x in t), "report"
        )
        report = next(x for x in texts if x.startswith("Report on crisis #1"))
        assert "Acknowledged" in report and "<at>Bob Boss</at>" in report
        assert "posts: 1, comments: 0 · reach: 12,000" in report
        await teams.fake.wait_for(lambda: chart_cards(teams), what="chart card")
        [card] = chart_cards(teams)
        [image] = [item for item in card["body"] if item["type"] == "Image"]
        assert image["url"].startswith(f"{teams.url}/charts/1.png?expires=")
        async with teams.http.get(image["url"]) as answer:
            assert answer.status == 200
            assert answer.content_type == "image/png"
            assert (await answer.read()).startswith(PNG)
        # Another crisis's number, a changed expiry or signature: nothing to see.
        for forged in (
            image["url"].replace("/charts/1.png", "/charts/2.png"),
            image["url"].replace("expires=", "expires=9"),
            image["url"][:-3] + "AAA",
            f"{teams.url}/charts/1.png",
        ):
            async with teams.http.get(forged) as answer:
                assert answer.status == 404, forged
