"""The weekly digest: scheduled on DIGEST_SCHEDULE in TIMEZONE with the clock injected,
posted once as a top-level message on Slack and Teams with its chart of crises per day (an
upload to the fake Slack, a card on the fake Bot Connector from a signed URL), and a quiet
week said so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import digest
from bot.clock import FixedClock
from bot.context import CoreContext
from models import Crisis, OutboxMessage
from models.session import Database
from tests.conftest import START, make_settings
from tests.e2e import CHANNEL, post, running_bot
from tests.teams_e2e import BOSS, TeamsBot, card_text, running_teams_bot

# START is Monday 23.11.2026 10:00 in Warsaw: the default schedule (Mondays 09:00 there)
# is due next on 30.11 at 08:00 UTC.
NEXT_MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"
CHART_TITLE = "Crises per day, 23.11.2026 – 30.11.2026"


def digests(slack_messages: list[dict[str, object]]) -> list[str]:
    return [str(m["text"]) for m in slack_messages if "Weekly crisis digest" in str(m["text"])]


def uploads(slack_messages: list[dict[str, object]]) -> list[dict[str, Any]]:
    return [m for m in slack_messages if m.get("files")]


async def digest_rows(db: Database, kind: str = "digest") -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
        )
    return int(count or 0)


async def digest_sent(db: Database) -> None:
    """Wait until every digest row (text and chart) is done with (sent, or dropped after
    logging)."""
    for _ in range(400):
        async with db.sessions() as session:
            statuses = (
                await session.scalars(
                    select(OutboxMessage.status).where(
                        OutboxMessage.kind.in_(("digest", "digest_chart"))
                    )
                )
            ).all()
        if statuses and all(status != "pending" for status in statuses):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a digest row is still pending")


def moving(clock: FixedClock, predicate: Callable[[], object]) -> Callable[[], object]:
    """`predicate`, moving the clock two seconds each time it is asked: deliveries paced by
    the bot (Slack allows about a message a second per channel) wait on the injected clock."""

    def check() -> object:
        clock.advance(timedelta(seconds=2))
        return predicate()

    return check


async def test_slack_digest_on_schedule_once(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_bot(database_url, clock=clock) as slack:
        await slack.command("roster add <@UANNA|anna> lead", user="UANNA")
        await slack.post_alert(post(id="a", url="https://facebook.com/sklep/posts/1"))
        clock.advance(timedelta(days=2))
        await slack.post_alert(post())
        assert (await slack.command("ack 2")).startswith("You are on crisis #2")
        # A minute before the moment: nothing yet.
        clock.advance(NEXT_MONDAY - clock.now() - timedelta(minutes=1))
        await slack.bot.digest.tick()
        assert await digest_rows(slack.bot.db) == 0

        clock.advance(timedelta(minutes=1))
        posted = moving(clock, lambda: digests(slack.fake.messages(CHANNEL)))
        # The digest waits its turn in the channel behind the crises' thread messages, paced
        # at about one a second of real time: a busy machine needs more than the usual 5 s.
        await slack.fake.wait_for(posted, timeout=20, what="digest")
        [text] = digests(slack.fake.messages(CHANNEL))
        lines = text.splitlines()
        assert lines[0] == "Weekly crisis digest, 23.11.2026 – 30.11.2026"
        assert "Crises: 2 (the week before: 0)" in lines
        assert "Top problems:" in lines and "· delivery delay: 2" in lines
        chart = lines[lines.index("Crises per day:") + 1 :][:7]
        assert [line.split()[:2] for line in chart] == [
            ["Mon", "23.11"], ["Tue", "24.11"], ["Wed", "25.11"], ["Thu", "26.11"],
            ["Fri", "27.11"], ["Sat", "28.11"], ["Sun", "29.11"],
        ]  # fmt: skip
        assert [int(line.split()[-1]) for line in chart] == [1, 0, 1, 0, 0, 0, 0]
        assert "Open for more than a day: 2" in lines
        assert "· #1 Sklep · open · open 6 days 23 hours · owner <@UANNA>" in lines

        # The chart follows the text into the channel, a PNG uploaded with files_upload_v2.
        await slack.fake.wait_for(
            moving(clock, lambda: uploads(slack.fake.messages(CHANNEL))), what="digest chart"
        )
        channel = slack.fake.messages(CHANNEL)
        [chart] = uploads(channel)
        assert channel.index(chart) > [m["text"] for m in channel].index(text)
        [shared] = chart["files"]
        assert shared["name"] == "crisis-digest-2026-11-30.png"
        assert shared["mimetype"] == "image/png" and shared["title"] == CHART_TITLE
        content = slack.fake.file_content(shared["id"])
        assert content.startswith(PNG) and len(content) > 5_000

        # Later the same week: not again.
        clock.advance(timedelta(hours=1))
        await slack.bot.digest.tick()
        assert await digest_rows(slack.bot.db) == 1


async def test_the_chart_counts_this_week_against_the_week_before(database: Database) -> None:
    ctx = CoreContext(
        db=database, settings=make_settings(database_url=database.url), clock=FixedClock(START)
    )
    async with database.transaction() as session:
        for n, opened in enumerate(
            (
                datetime(2026, 11, 16, 12, 0, tzinfo=UTC),  # Monday, the week before
                datetime(2026, 11, 16, 13, 0, tzinfo=UTC),
                datetime(2026, 11, 21, 12, 0, tzinfo=UTC),  # Saturday, the week before
                datetime(2026, 11, 25, 12, 0, tzinfo=UTC),  # Wednesday, this week
                datetime(2026, 11, 30, 8, 0, tzinfo=UTC),  # the digest's own moment: next week
            )
        ):
            session.add(
                Crisis(
                    status="open",
                    post_key=f"k{n}",
                    source="facebook",
                    post_url=f"https://facebook.com/p/{n}",
                    text="x",
                    category="delivery_delay",
                    severity="high",
                    reported_by="test",
                    opened_at=opened,
                )
            )
    async with database.sessions() as session:
        data = await digest.chart_data(session, ctx, NEXT_MONDAY)
    assert [f"{day:%a %d.%m %H:%M}" for day in data.days][:2] == [
        "Mon 23.11 09:00",
        "Tue 24.11 09:00",
    ]
    assert data.this_week == [0, 0, 1, 0, 0, 0, 0]
    assert data.week_before == [2, 0, 0, 0, 0, 1, 0]
    png = digest.render_chart(data, "pl")
    assert png.startswith(PNG)


async def test_a_digest_chart_that_fails_leaves_the_text(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(digest, "render_chart", broken)
    clock = FixedClock(START)
    async with running_bot(database_url, clock=clock) as slack:
        await slack.post_alert(post())
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await slack.fake.wait_for(
            moving(clock, lambda: digests(slack.fake.messages(CHANNEL))), what="digest"
        )
        await digest_sent(slack.bot.db)
        assert "Crises: 1 (the week before: 0)" in digests(slack.fake.messages(CHANNEL))[0]
        assert not uploads(slack.fake.messages(CHANNEL))
        assert not slack.fake.calls_to("files.getUploadURLExternal")


async def test_slack_quiet_week_has_no_chart(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_bot(database_url, clock=clock) as slack:
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await slack.fake.wait_for(
            moving(clock, lambda: digests(slack.fake.messages(CHANNEL))), what="digest"
        )
        await digest_sent(slack.bot.db)
        [text] = digests(slack.fake.messages(CHANNEL))
        assert "No crises this week (the week before: 0)." in text.splitlines()
        assert not uploads(slack.fake.messages(CHANNEL))
        assert await digest_rows(slack.bot.db, "digest_chart") == 0


def digest_threads(teams: TeamsBot, words: str) -> list[str]:
    return [str(t.root) for t in teams.fake.threads_in_channel() if words in str(t.root)]


async def test_teams_digest_chart_card_from_a_signed_url(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_teams_bot(database_url, clock=clock) as teams:
        teams.bot.settings.public_base_url = teams.url
        await teams.say("here", BOSS)
        await teams.post_alert(post())
        await teams.fake.wait_for(lambda: teams.texts(1) or teams.cards(1), what="crisis #1")
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await teams.fake.wait_for(
            moving(clock, lambda: digest_threads(teams, CHART_TITLE)), what="digest chart card"
        )
        [text] = digest_threads(teams, "Weekly crisis digest")
        assert "Crises: 1 (the week before: 0)" in text
        [thread] = [t for t in teams.fake.threads_in_channel() if CHART_TITLE in str(t.root)]
        card = thread.root["attachments"][0]["content"]
        [image] = [item for item in card["body"] if item["type"] == "Image"]
        stamp = int(NEXT_MONDAY.timestamp())
        assert image["url"].startswith(f"{teams.url}/charts/digest/{stamp}.png?expires=")
        assert image["altText"] == CHART_TITLE and CHART_TITLE in card_text(card)
        async with teams.http.get(image["url"]) as answer:
            assert answer.status == 200 and answer.content_type == "image/png"
            assert (await answer.read()).startswith(PNG)
        # Another week, a crisis's chart, a changed expiry or signature: nothing to see.
        for forged in (
            image["url"].replace(f"/digest/{stamp}.png", f"/digest/{stamp - 604800}.png"),
            image["url"].replace(f"/digest/{stamp}.png", "/1.png"),
            image["url"].replace("expires=", "expires=9"),
            image["url"][:-3] + "AAA",
            f"{teams.url}/charts/digest/{stamp}.png",
        ):
            async with teams.http.get(forged) as answer:
                assert answer.status == 404, forged


async def test_two_replicas_claim_the_digest_once(database: Database) -> None:
    clock = FixedClock(NEXT_MONDAY)
    contexts = [
        CoreContext(
            db=database,
            settings=make_settings(database_url=database.url),
            clock=clock,
            platforms=("slack", "teams"),
        )
        for _ in range(2)
    ]
    assert [await digest.post(ctx, NEXT_MONDAY) for ctx in contexts] == [True, False]
    assert await digest_rows(database) == 2  # one per platform


async def test_teams_quiet_week(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_teams_bot(database_url, clock=clock, language="pl") as teams:
        await teams.say("here", BOSS)
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await teams.fake.wait_for(
            moving(
                clock,
                lambda: [
                    t
                    for t in teams.fake.threads_in_channel()
                    if "Tygodniowe podsumowanie" in str(t.root)
                ],
            ),
            what="digest thread",
        )
        [thread] = [
            t for t in teams.fake.threads_in_channel() if "Tygodniowe podsumowanie" in str(t.root)
        ]
        assert "W tym tygodniu nie było kryzysów (tydzień wcześniej: 0)." in str(thread.root)
        assert "Żaden kryzys nie jest otwarty dłużej niż dzień." in str(thread.root)
        assert await digest_rows(teams.bot.db, "digest_chart") == 0


async def test_teams_without_public_base_url_keeps_the_text(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_teams_bot(database_url, clock=clock) as teams:
        await teams.say("here", BOSS)
        await teams.post_alert(post())
        await teams.fake.wait_for(lambda: teams.texts(1) or teams.cards(1), what="crisis #1")
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await teams.fake.wait_for(
            moving(clock, lambda: digest_threads(teams, "Weekly crisis digest")), what="digest"
        )
        await digest_sent(teams.bot.db)
        assert await digest_rows(teams.bot.db, "digest_chart") == 1
        assert not digest_threads(teams, "Image")
        [text] = digest_threads(teams, "Weekly crisis digest")
        assert "Crises per day:" in text


def test_a_malformed_schedule_is_refused_at_start() -> None:
    for wrong in ("0 9 * *", "0 25 * * 1", "0 9 * * 8", "every monday"):
        try:
            make_settings(digest_schedule=wrong)
        except ValueError as refusal:
            assert "DIGEST_SCHEDULE".lower() in str(refusal).lower()
            assert "is not a cron expression" in str(refusal)
        else:
            raise AssertionError(f"{wrong!r} was accepted")
