"""Group-commit intake: a batch decides every alert exactly as one-at-a-time intake would,
two replicas still make one crisis, and a failure or a crash mid-batch loses and doubles
nothing."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot import intake, intake_core, roster
from bot.actors import WEBHOOK
from bot.alert_input import AlertIn
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.intake import IntakeResult, IntakeStatus, ingest, ingest_batch, ingest_many, ingest_one
from bot.migrations import upgrade_to_head
from models import (
    Alert,
    Crisis,
    GroupKey,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    RosterLevel,
    RosterMember,
    TimelineEvent,
)
from models.session import Database
from tests.conftest import START, make_settings
from tests.helpers import alert, count, slack_user

POSTS = [f"https://facebook.com/shop/posts/{n}" for n in range(2, 5)]


@st.composite
def alert_sequences(draw: st.DrawFn) -> list[AlertIn]:
    """Posts, comments under them, repeats of the same id, a few authors and brands, praise
    and complaints: enough overlap for grouping, duplicates, spikes and severity to interact."""
    alerts = []
    for _ in range(draw(st.integers(1, 25))):
        post = draw(st.sampled_from(POSTS))
        comment = draw(st.booleans())
        ident = draw(st.integers(0, 30))
        fields: dict[str, Any] = {
            "id": f"a-{ident}",
            "url": f"{post}?comment_id={ident}" if comment else post,
            "author": {
                "name": draw(st.sampled_from(["Anna", "Ben", "Cleo"])),
                "followers": draw(st.sampled_from([10, 5_000, 200_000])),
            },
            "brand": draw(st.sampled_from(["Sklep", "Other"])),
            "sentiment": draw(st.sampled_from([-0.9, -0.4, 0.5])),
            "reach": draw(st.integers(0, 50_000)),
        }
        if comment:
            fields["parent_url"] = post
        alerts.append(alert(**fields))
    return alerts


def context(database: Database) -> CoreContext:
    return CoreContext(
        db=database,
        settings=make_settings(database_url=database.url, spike_min_count=4),
        clock=FixedClock(START),
        platforms=("slack",),
    )


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Everything intake writes, in the order it was written."""
    async with database.sessions() as session:

        async def rows(*columns: Any) -> list[tuple[Any, ...]]:
            result = await session.execute(select(*columns).order_by(*columns[:1]))
            return [tuple(row) for row in result.all()]

        return {
            "crises": await rows(
                Crisis.id,
                Crisis.status,
                Crisis.severity,
                Crisis.alert_count,
                Crisis.total_reach,
                Crisis.owner_id,
                Crisis.trigger,
            ),
            "alerts": await rows(Alert.id, Alert.external_id, Alert.crisis_id, Alert.role),
            "outbox": await rows(
                OutboxMessage.id, OutboxMessage.crisis_id, OutboxMessage.kind, OutboxMessage.data
            ),
            "timeline": await rows(
                TimelineEvent.id,
                TimelineEvent.crisis_id,
                TimelineEvent.kind,
                TimelineEvent.actor,
                TimelineEvent.detail,
            ),
            "keys": await rows(GroupKey.key, GroupKey.crisis_id, GroupKey.expires_at),
            "reminders": await rows(
                Reminder.id, Reminder.crisis_id, Reminder.kind, Reminder.due_at, Reminder.status
            ),
            "roster": await rows(RosterMember.id, RosterMember.last_assigned_at),
        }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with two seniors and a lead on the roster, copied for each
    example."""
    path = tmp_path_factory.mktemp("batch") / "template.db"

    async def build() -> None:
        database = Database(f"sqlite:///{path}")
        await upgrade_to_head(database)
        async with database.transaction() as session:
            for user, level in (
                ("USEN1", RosterLevel.senior),
                ("USEN2", RosterLevel.senior),
                ("ULEAD", RosterLevel.lead),
            ):
                await roster.add(session, slack_user("UBOOT"), slack_user(user), level, START)
        await database.dispose()

    asyncio.run(build())
    return path


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(alerts=alert_sequences(), cuts=st.lists(st.integers(1, 25), min_size=1, max_size=25))
def test_a_batch_decides_like_one_at_a_time(
    template: Path, tmp_path: Path, alerts: list[AlertIn], cuts: list[int]
) -> None:
    async def compare() -> None:
        for name in ("alone.db", "batched.db"):
            shutil.copy(template, tmp_path / name)
        alone_db = Database(f"sqlite:///{tmp_path / 'alone.db'}")
        batched_db = Database(f"sqlite:///{tmp_path / 'batched.db'}")
        try:
            alone = context(alone_db)
            expected = [await ingest_one(alone, item, WEBHOOK) for item in alerts]
            batched = context(batched_db)
            got: list[IntakeResult | Exception] = []
            rest, sizes = list(alerts), iter(cuts * len(alerts))
            while rest:
                size = next(sizes)
                got += await ingest_batch(batched, [(item, WEBHOOK) for item in rest[:size]])
                rest = rest[size:]
            assert got == expected
            assert await snapshot(batched_db) == await snapshot(alone_db)
        finally:
            await alone_db.dispose()
            await batched_db.dispose()

    asyncio.run(compare())


async def test_concurrent_requests_share_a_batch_and_each_gets_its_own_answer(
    ctx: CoreContext,
) -> None:
    batches: list[int] = []
    real = intake.ingest_batch

    async def counting(ctx_: CoreContext, items: Any) -> Any:
        batches.append(len(items))
        return await real(ctx_, items)

    intake.ingest_batch = counting  # type: ignore[assignment]
    try:
        results = await asyncio.gather(
            ingest(ctx, alert(), WEBHOOK),
            *(
                ingest(
                    ctx,
                    alert(id=f"c-{n}", url=f"{POSTS[2]}?c={n}", parent_url=POSTS[2]),
                    WEBHOOK,
                )
                for n in range(5)
            ),
            ingest(ctx, alert(), WEBHOOK),
        )
    finally:
        intake.ingest_batch = real  # type: ignore[assignment]
    assert batches == [7]
    assert [r.status for r in results] == [
        IntakeStatus.opened,
        IntakeStatus.opened,
        *[IntakeStatus.grouped] * 4,
        IntakeStatus.duplicate,
    ]
    assert results[-1].crisis == results[0].crisis
    assert {r.crisis for r in results[1:6]} == {results[1].crisis} != {results[0].crisis}


async def test_two_replicas_racing_on_one_post_make_one_crisis(database_url: str) -> None:
    """Two processes, each with its own intake writer and connections, get the same post and
    its comments at once: one crisis, every alert stored once."""
    first, second = Database(database_url), Database(database_url)
    try:
        await upgrade_to_head(first)
        replicas = [context(first), context(second)]
        comments = [
            alert(id=f"c-{n}", url=f"{POSTS[0]}?c={n}", parent_url=POSTS[0]) for n in range(12)
        ]
        root = alert(id="root", url=POSTS[0])
        sent = [
            ingest_many(replicas[n % 2], [(root, WEBHOOK), *((c, WEBHOOK) for c in comments[n::4])])
            for n in range(4)
        ]
        results = [r for answer in await asyncio.gather(*sent) for r in answer]
        assert all(isinstance(r, IntakeResult) for r in results)
        assert len({r.crisis for r in results if isinstance(r, IntakeResult)}) == 1
        assert await count(first, Crisis) == 1
        assert await count(first, Alert) == 13
        async with first.sessions() as session:
            crisis = await session.scalar(select(Crisis))
        assert crisis is not None and crisis.alert_count == 13
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_failing_alert_fails_alone_and_the_rest_of_its_batch_is_stored(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake_core.classify

    def fussy(text: str) -> Any:
        if "poison" in text:
            raise ValueError("this alert cannot be classified")
        return real(text)

    monkeypatch.setattr(intake_core, "classify", fussy)
    items = [
        alert(id="ok-1", url=POSTS[0]),
        alert(id="bad", url=POSTS[1], text="poison"),
        alert(id="ok-2", url=f"{POSTS[0]}?c=2", parent_url=POSTS[0]),
    ]
    first, failed, last = await ingest_batch(ctx, [(item, WEBHOOK) for item in items])
    assert isinstance(failed, ValueError)
    assert isinstance(first, IntakeResult) and first.status is IntakeStatus.opened
    assert isinstance(last, IntakeResult) and last.status is IntakeStatus.grouped
    assert last.crisis == first.crisis
    assert await count(ctx.db, Alert) == 2
    assert await count(ctx.db, Crisis) == 1
    with pytest.raises(ValueError):
        await ingest(ctx, items[1], WEBHOOK)


async def test_a_crash_mid_batch_loses_nothing_and_the_retry_doubles_nothing(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies while a batch's transaction is open: nothing of it is committed, its
    senders get no success, and when they send again every alert is stored exactly once."""
    items = [alert(id=f"p-{n}", url=f"https://x.com/s/{n}") for n in range(3)] + [
        alert(id=f"c-{n}", url=f"https://x.com/s/0?c={n}", parent_url="https://x.com/s/0")
        for n in range(3)
    ]
    committed = await ingest(ctx, items[0], WEBHOOK)
    real = intake_core.Batch.decide
    reached = asyncio.Event()
    calls = 0

    async def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            reached.set()
            await asyncio.Event().wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(intake_core.Batch, "decide", dying)
    sending = asyncio.ensure_future(ingest_many(ctx, [(item, WEBHOOK) for item in items]))
    await reached.wait()
    assert ctx.intake_writer is not None and ctx.intake_writer._writer is not None
    ctx.intake_writer._writer.cancel()
    with pytest.raises(RuntimeError):
        await sending
    assert await count(ctx.db, Alert) == 1
    monkeypatch.setattr(intake_core.Batch, "decide", real)
    again = await ingest_many(ctx, [(item, WEBHOOK) for item in items])
    assert [r.status for r in again if isinstance(r, IntakeResult)] == [
        IntakeStatus.duplicate,
        IntakeStatus.opened,
        IntakeStatus.opened,
        *[IntakeStatus.grouped] * 3,
    ]
    assert isinstance(again[0], IntakeResult) and again[0].crisis == committed.crisis
    assert await count(ctx.db, Alert) == 6
    assert await count(ctx.db, Crisis) == 3


async def test_the_delivery_worker_is_woken_only_for_what_it_can_send_at_once(
    ctx: CoreContext, clock: FixedClock
) -> None:
    """A storm's comments edit the root message and the live summary at most every
    SUMMARY_INTERVAL: a comment whose re-renders must wait does not wake the worker (its
    regular look finds them when they are due); a new crisis, or a re-render due now, does."""
    wakes: list[int] = []
    ctx.on_outbox = lambda: wakes.append(1)
    post = POSTS[0]

    async def woken_by(ident: str) -> bool:
        wakes.clear()
        # Quiet comments: nothing about them raises the severity or makes a spike.
        item = alert(id=ident, url=f"{post}?c={ident}", parent_url=post, reach=0, brand=None)
        (result,) = await ingest_batch(ctx, [(item, WEBHOOK)])
        assert isinstance(result, IntakeResult) and result.status is IntakeStatus.grouped
        return bool(wakes)

    async def everything_sent() -> None:
        async with ctx.db.transaction() as session:
            await session.execute(
                update(OutboxMessage).values(status=OutboxStatus.sent.value, sent_at=clock.now())
            )

    (opened,) = await ingest_batch(ctx, [(alert(id="post", url=post), WEBHOOK)])
    assert isinstance(opened, IntakeResult) and opened.status is IntakeStatus.opened
    assert wakes
    # The first comment's re-renders go at once; the next one's join them, waiting.
    assert await woken_by("first")
    assert not await woken_by("second")
    await everything_sent()
    # Just sent: the next re-renders wait for SUMMARY_INTERVAL.
    assert not await woken_by("third")
    await everything_sent()
    clock.advance(ctx.settings.summary_interval)
    assert await woken_by("fourth")
