"""The Brand24 and Mention pollers against fakes of their APIs: cursors, overlapping polls,
restarts, one replica at a time, API errors and backoff, and a crisis in the fake Slack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.context import CoreContext
from bot.inbox import Inbox
from bot.source_polls import Poller
from handlers.sources import brand24, mention
from handlers.sources.fetched import register_feeds
from models import Crisis, InboxDelivery, InboxItem, SourcePoll
from sandbox.fake_sources import BRAND24_KEY, MENTION_TOKEN, FakeSources
from tests.conftest import START, make_settings
from tests.e2e import running_bot
from tests.sources import items_finished

PROJECT = "1234567"
ALERT = "2345678"
ACCOUNT = "acc_0123456789"


def b24(n: int, **fields: Any) -> dict[str, Any]:
    """A Brand24 mention as its API returns it (no id, no author)."""
    body: dict[str, Any] = {
        "date": "2026-11-23",
        "time": f"08:{n % 60:02d}:00",
        "title": f"Post {n}",
        "content": "Dziękuję, wszystko dotarło na czas, polecam!"
        if n % 2
        else "Nie polecam, paczka nie dotarła od trzech tygodni, oszustwo!",
        "source": f"https://www.facebook.com/sklep/posts/{9000 + n}",
        "host": "facebook.com",
        "category": "facebook",
        "sentiment": 1 if n % 2 else -1,
    }
    body.update(fields)
    return body


def mn(n: int, **fields: Any) -> dict[str, Any]:
    """A Mention mention as its API returns it."""
    body: dict[str, Any] = {
        "id": str(10_000 + n),
        "title": f"Opinia {n}",
        "description": "Obsługa klienta nie odpowiada od tygodnia, nie polecam!",
        "original_url": f"https://forum.example.pl/t/{n}",
        "published_at": "2026-11-23T08:00:00.0+00:00",
        "source_type": "forums",
        "language_code": "pl",
        "tone": -1,
        "author_influence": {"name": f"Autor {n}", "followers_count": 120},
    }
    body.update(fields)
    return body


@pytest.fixture
async def fake() -> AsyncIterator[FakeSources]:
    async with FakeSources() as fake:
        yield fake


def polling_ctx(ctx: CoreContext, fake: FakeSources, **settings: Any) -> CoreContext:
    values: dict[str, Any] = {
        "database_url": ctx.db.url,
        "brand24_api_key": BRAND24_KEY,
        "brand24_projects": f"{PROJECT}=Sklep",
        "brand24_api_url": fake.url("brand24"),
        "brand24_poll_interval": "5m",
        "mention_access_token": MENTION_TOKEN,
        "mention_account_id": ACCOUNT,
        "mention_alerts": f"{ALERT}=Sklep",
        "mention_api_url": fake.url("mention"),
        "mention_poll_interval": "5m",
    }
    values.update(settings)
    return CoreContext(
        db=ctx.db, settings=make_settings(**values), clock=ctx.clock, platforms=("slack",)
    )


def replica(ctx: CoreContext) -> tuple[Poller, Inbox]:
    """One server's poller and inbox (a new one is a restart or another replica)."""
    inbox = Inbox(ctx)
    register_feeds(inbox)
    parsers = {brand24.FEED: brand24.parse, mention.FEED: mention.parse}
    return Poller(ctx, parsers, inbox.wake), inbox


async def deliveries(ctx: CoreContext, feed: str) -> list[list[Any]]:
    """The raw items of each stored page, oldest first."""
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(InboxDelivery).where(InboxDelivery.feed == feed).order_by(InboxDelivery.id)
        )
        bodies = [json.loads(row.body) for row in rows.all()]
    return [body.get("results", body.get("mentions")) for body in bodies]


async def poll_row(ctx: CoreContext, name: str) -> SourcePoll:
    async with ctx.db.sessions() as session:
        row = await session.scalar(select(SourcePoll).where(SourcePoll.name == name))
    assert row is not None
    return row


async def test_brand24_pages_through_the_cursor_and_opens_crises_for_negative_mentions(
    ctx: CoreContext, fake: FakeSources
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(n) for n in range(5)]
    fake.brand24_page_size = 2
    poller, inbox = replica(ctx)
    [project] = brand24.projects(ctx.settings)
    assert await poller.poll(project)
    calls = fake.calls_to("brand24")
    assert [call.query.get("cursor") for call in calls] == [None, "2", "4"]
    assert all(call.query["limit"] == "500" for call in calls)
    assert calls[0].query["date_from"] == calls[0].query["date_to"] == "2026-11-23"
    assert [len(page) for page in await deliveries(ctx, "brand24")] == [2, 2, 1]
    await inbox.drain()
    async with ctx.db.sessions() as session:
        items = list((await session.scalars(select(InboxItem).order_by(InboxItem.id))).all())
        crises = list((await session.scalars(select(Crisis))).all())
    assert items[0].outcome == "opened"
    assert [item.outcome in ("opened", "grouped") for item in items] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert {items[1].outcome, items[3].outcome} == {"not_negative"}
    assert items[0].external_id == "https://www.facebook.com/sklep/posts/9000"
    assert {item.source for item in items} == {"facebook"}
    assert crises and all(crisis.brand == "Sklep" for crisis in crises)


async def test_brand24_overlapping_polls_and_a_restart_count_each_mention_once(
    ctx: CoreContext, fake: FakeSources, clock: FixedClock
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(n) for n in range(3)]
    poller, inbox = replica(ctx)
    [project] = brand24.projects(ctx.settings)
    assert await poller.poll(project)
    await inbox.drain()
    # Not due yet: no call at all.
    assert not await poller.poll(project)
    assert len(fake.calls_to("brand24")) == 1
    # Brand24 found a late mention dated yesterday: the next poll reaches back to the day
    # before the last finished run.
    clock.advance(timedelta(days=1))
    fake.brand24[PROJECT].append(b24(7, date="2026-11-23", time="23:59:00"))
    fake.brand24[PROJECT].append(b24(8, date="2026-11-24"))
    restarted, inbox = replica(ctx)
    assert await restarted.poll(project)
    call = fake.calls_to("brand24")[-1]
    assert (call.query["date_from"], call.query["date_to"]) == ("2026-11-22", "2026-11-24")
    pages = await deliveries(ctx, "brand24")
    assert [len(page) for page in pages] == [3, 2]
    assert [m["title"] for m in pages[1]] == ["Post 7", "Post 8"]
    # Another poll with nothing new stores nothing.
    clock.advance(timedelta(minutes=5))
    assert await restarted.poll(project)
    assert len(await deliveries(ctx, "brand24")) == 2
    await inbox.drain()
    async with ctx.db.sessions() as session:
        outcomes = list((await session.scalars(select(InboxItem.outcome))).all())
    assert "duplicate" not in outcomes and len(outcomes) == 5


async def test_only_one_replica_polls_a_feed_at_a_time(ctx: CoreContext, fake: FakeSources) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(n) for n in range(4)]
    fake.brand24_page_size = 2
    [project] = brand24.projects(ctx.settings)
    first, _ = replica(ctx)
    second, _ = replica(ctx)
    await first.poll(project)  # creates the row, so both race for the same lease below
    ctx.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    before = len(fake.calls_to("brand24"))
    polled = await asyncio.gather(first.poll(project), second.poll(project))
    assert sorted(polled) == [False, True]
    assert len(fake.calls_to("brand24")) - before == 2
    assert [len(page) for page in await deliveries(ctx, "brand24")] == [2, 2]


async def test_a_failed_page_is_retried_from_its_cursor_after_a_backoff(
    ctx: CoreContext, fake: FakeSources, clock: FixedClock
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(n) for n in range(4)]
    fake.brand24_page_size = 2
    [project] = brand24.projects(ctx.settings)
    poller, _ = replica(ctx)
    fake.fail("brand24", 503, after=1)
    assert await poller.poll(project)
    row = await poll_row(ctx, project.name)
    assert row.failures == 1
    assert row.last_error == "Brand24 API answered 503: the service is failing"
    assert row.next_poll_at == START + timedelta(minutes=5)
    assert row.state["run"]["cursor"] == "2"
    assert [len(page) for page in await deliveries(ctx, "brand24")] == [2]
    # A restarted replica carries on from the stored cursor once the pause is over.
    clock.advance(timedelta(minutes=5))
    restarted, _ = replica(ctx)
    assert await restarted.poll(project)
    assert fake.calls_to("brand24")[-1].query["cursor"] == "2"
    assert [len(page) for page in await deliveries(ctx, "brand24")] == [2, 2]
    row = await poll_row(ctx, project.name)
    assert (row.failures, row.last_error, row.last_success_at) == (0, None, clock.now())


async def test_api_errors_are_recorded_and_back_off_longer_each_time(
    ctx: CoreContext, fake: FakeSources, clock: FixedClock
) -> None:
    ctx = polling_ctx(ctx, fake, brand24_api_key="wrong-key")
    [project] = brand24.projects(ctx.settings)
    poller, _ = replica(ctx)
    assert await poller.poll(project)
    row = await poll_row(ctx, project.name)
    assert row.last_error == (
        "Brand24 API answered 401: the credentials were refused (check BRAND24_API_KEY)"
    )
    assert "wrong-key" not in (row.last_error or "")
    assert row.next_poll_at == START + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    ctx = polling_ctx(ctx, fake)
    [project] = brand24.projects(ctx.settings)
    poller, _ = replica(ctx)
    fake.fail("brand24", 429, retry_after="1800")
    assert await poller.poll(project)
    row = await poll_row(ctx, project.name)
    assert (row.failures, row.last_error) == (2, "Brand24 API answered 429: rate limited")
    assert row.next_poll_at == clock.now() + timedelta(seconds=1800)
    fake.fail("brand24", 500)
    clock.advance(timedelta(seconds=1800))
    assert await poller.poll(project)
    # Three failures in a row: four intervals.
    assert (await poll_row(ctx, project.name)).next_poll_at == clock.now() + timedelta(minutes=20)
    clock.advance(timedelta(minutes=19))
    calls = len(fake.calls_to("brand24"))
    assert not await poller.poll(project)
    assert len(fake.calls_to("brand24")) == calls


async def test_mention_polls_since_the_newest_id_and_follows_more_pages(
    ctx: CoreContext, fake: FakeSources, clock: FixedClock
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.mention[ALERT] = [mn(n) for n in range(15)]
    fake.mention_page_size = 10
    [alert] = mention.alerts(ctx.settings)
    poller, inbox = replica(ctx)
    assert await poller.poll(alert)
    # The first poll takes the newest page only.
    [first] = fake.calls_to("mention")
    assert first.path == f"/mention/accounts/{ACCOUNT}/alerts/{ALERT}/mentions"
    assert "since_id" not in first.query
    assert [len(page) for page in await deliveries(ctx, "mention")] == [10]
    assert (await poll_row(ctx, alert.name)).state == {"since_id": "10014"}
    fake.mention[ALERT] += [mn(n) for n in range(15, 40)]
    clock.advance(timedelta(minutes=5))
    assert await poller.poll(alert)
    calls = fake.calls_to("mention")[1:]
    assert calls[0].query["since_id"] == "10014"
    assert len(calls) == 3
    pages = await deliveries(ctx, "mention")
    new_ids = sorted(int(m["id"]) for page in pages[1:] for m in page)
    assert new_ids == list(range(10_015, 10_040))
    assert (await poll_row(ctx, alert.name)).state == {"since_id": "10039"}
    await inbox.drain()
    async with ctx.db.sessions() as session:
        outcomes = list((await session.scalars(select(InboxItem.outcome))).all())
    assert len(outcomes) == 35 and "duplicate" not in outcomes


async def test_a_mention_without_text_is_judged_by_its_sentiment_alone(
    ctx: CoreContext, fake: FakeSources
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [
        b24(0, title=None, content=None, source="Tweet-ID: 1861234567890", sentiment=-1),
        b24(1, title="", content="", source="https://www.instagram.com/p/Cx1", sentiment=0),
        b24(2, source=None, host="forum.example.pl", category="forum", sentiment=-1),
    ]
    poller, inbox = replica(ctx)
    [project] = brand24.projects(ctx.settings)
    assert await poller.poll(project)
    await inbox.drain()
    async with ctx.db.sessions() as session:
        items = list((await session.scalars(select(InboxItem).order_by(InboxItem.id))).all())
    assert [(i.source, i.outcome) for i in items[:2]] == [
        ("x", "opened"),
        ("instagram", "not_negative"),
    ]
    assert (items[2].source, items[2].outcome in ("opened", "grouped")) == ("forum", True)
    assert items[0].external_id == "1861234567890"
    assert items[0].data["alert"]["url"] == "https://x.com/i/status/1861234567890"
    assert (items[2].external_id or "").startswith("text-sha256:")


async def test_the_same_post_from_brand24_and_mention_counts_once(
    ctx: CoreContext, fake: FakeSources
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(0, source="https://forum.example.pl/t/5/", category="forum")]
    fake.mention[ALERT] = [mn(5)]
    poller, inbox = replica(ctx)
    for feed in (*brand24.projects(ctx.settings), *mention.alerts(ctx.settings)):
        assert await poller.poll(feed)
    # Mention's page held nothing new: it was not stored.
    assert await deliveries(ctx, "mention") == []
    await inbox.drain()
    async with ctx.db.sessions() as session:
        assert len((await session.scalars(select(InboxItem))).all()) == 1


async def test_brand24_mentions_open_a_crisis_in_slack_from_the_scheduled_job(
    database_url: str,
) -> None:
    async with FakeSources() as fake:
        fake.brand24[PROJECT] = [b24(0, date="2026-12-01")]
        settings = {
            "brand24_api_key": BRAND24_KEY,
            "brand24_projects": f"{PROJECT}=Sklep",
            "brand24_api_url": fake.url("brand24"),
            "brand24_poll_interval": "0.2s",
        }
        async with running_bot(database_url, **settings) as slack:
            # The first poll asks for today's mentions; dates in the fake follow the clock.
            today = slack.bot.ctx.clock.now().date().isoformat()
            fake.brand24[PROJECT] = [b24(0, date=today)]
            [item] = await items_finished(slack.bot.db, 1)
            assert item.outcome == "opened"
            await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
            text = str(slack.root(1)["blocks"])
            assert "paczka nie dotarła" in text
            assert "https://www.facebook.com/sklep/posts/9000" in text


async def test_crisis_sources_shows_a_failing_poller_and_its_error(database_url: str) -> None:
    async with FakeSources() as fake:
        settings = {
            "brand24_api_key": "revoked-key",
            "brand24_projects": f"{PROJECT}=Sklep",
            "brand24_api_url": fake.url("brand24"),
            "brand24_poll_interval": "5m",
        }
        async with running_bot(database_url, **settings) as slack:
            await slack.fake.wait_for(lambda: bool(fake.calls_to("brand24")), what="a poll")
            row = await poll_row(slack.bot.ctx, f"brand24:{PROJECT}")
            for _ in range(100):
                if row.last_error:
                    break
                await asyncio.sleep(0.05)
                row = await poll_row(slack.bot.ctx, f"brand24:{PROJECT}")
            text = await slack.command("sources")
            [line] = [line for line in text.splitlines() if line.startswith("brand24:")]
            assert line.startswith("brand24: configured · last delivery never")
            assert (
                "last error: Brand24 API answered 401: the credentials were refused "
                "(check BRAND24_API_KEY)" in text
            )
            assert "revoked-key" not in text
            assert any(line.startswith("mention: not configured") for line in text.splitlines())


async def test_a_replica_stopping_mid_run_lets_another_carry_on_at_once(
    ctx: CoreContext, fake: FakeSources
) -> None:
    ctx = polling_ctx(ctx, fake)
    fake.brand24[PROJECT] = [b24(n) for n in range(4)]
    fake.brand24_page_size = 2
    [project] = brand24.projects(ctx.settings)
    stopping, _ = replica(ctx)
    pages = iter([False, True])
    assert await stopping.poll(project, lambda: next(pages))
    row = await poll_row(ctx, project.name)
    assert (row.lease_owner, row.next_poll_at, row.state["run"]["cursor"]) == (None, START, "2")
    other, _ = replica(ctx)
    assert await other.poll(project)
    assert [call.query.get("cursor") for call in fake.calls_to("brand24")] == [None, "2"]
    assert [len(page) for page in await deliveries(ctx, "brand24")] == [2, 2]
