"""Intake in the core: opened, duplicate, grouped, the owner rule and the timeline."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import group_store, roster
from bot.actors import WEBHOOK
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.intake import IntakeStatus, ingest
from models import Alert, Crisis, OutboxMessage, RosterLevel, TimelineEvent
from tests.helpers import alert, count, slack_user


async def add_member(ctx: CoreContext, user_id: str, level: RosterLevel) -> int:
    async with ctx.db.transaction() as session:
        await roster.add(session, slack_user("UBOOT"), slack_user(user_id), level, ctx.clock.now())
        member = await roster.find_member(session, slack_user(user_id))
        assert member is not None
        return member.id


async def outbox(ctx: CoreContext, crisis_id: int) -> list[tuple[str, str | None]]:
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.crisis_id == crisis_id)
            .order_by(OutboxMessage.id)
        )
        return [(row.kind, row.data.get("key")) for row in rows]


async def test_new_post_opens_a_crisis_with_root_message_first(ctx: CoreContext) -> None:
    result = await ingest(ctx, alert(), WEBHOOK)
    assert result.status is IntakeStatus.opened
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, result.crisis)
    assert crisis is not None
    assert crisis.status == "open"
    assert crisis.category == "delivery_delay"
    assert crisis.severity == "medium"  # reach 4,000, tone not very negative
    assert crisis.total_reach == 4000
    assert await outbox(ctx, crisis.id) == [("root_post", None), ("thread", "thread.no_owner")]


async def test_same_post_again_is_a_duplicate_and_changes_nothing(ctx: CoreContext) -> None:
    first = await ingest(ctx, alert(), WEBHOOK)
    rows_before = await count(ctx.db, OutboxMessage)
    again = await ingest(ctx, alert(text="edited text, same post id"), WEBHOOK)
    assert again.status is IntakeStatus.duplicate
    assert again.crisis == first.crisis
    assert await count(ctx.db, Alert) == 1
    assert await count(ctx.db, OutboxMessage) == rows_before


async def test_same_id_from_another_source_is_not_a_duplicate(ctx: CoreContext) -> None:
    await ingest(ctx, alert(), WEBHOOK)
    other = await ingest(ctx, alert(source="instagram", url="https://instagram.com/p/abc"), WEBHOOK)
    assert other.status is IntakeStatus.opened


async def test_comments_under_the_post_join_the_open_crisis(ctx: CoreContext) -> None:
    opened = await ingest(ctx, alert(), WEBHOOK)
    comment = await ingest(
        ctx,
        alert(
            id="fb-2",
            url="https://facebook.com/shop/posts/1?comment_id=9",
            # The same post, spelled differently by the tool (tracking, case, slash, www).
            parent_url="HTTPS://facebook.com/shop/posts/1/?utm_source=x",
            text="Mnie też to spotkało!",
            reach=500,
        ),
        WEBHOOK,
    )
    same_url = await ingest(ctx, alert(id="fb-3", text="reshared"), WEBHOOK)
    assert comment.status is IntakeStatus.grouped and comment.crisis == opened.crisis
    assert same_url.status is IntakeStatus.grouped and same_url.crisis == opened.crisis
    assert await count(ctx.db, Crisis) == 1
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, opened.crisis)
    assert crisis is not None and crisis.alert_count == 3 and crisis.total_reach == 8500
    kinds = await outbox(ctx, opened.crisis)
    # Grouped posts refresh the root and the live summary in the thread (one pending
    # re-render each, however many posts came); never a new root message.
    assert kinds.count(("root_post", None)) == 1
    assert kinds.count(("root_update", None)) == 1
    assert kinds.count(("summary", None)) == 1


async def test_a_first_comment_opens_a_crisis_its_siblings_join(ctx: CoreContext) -> None:
    parent = "https://facebook.com/shop/posts/7"
    first = await ingest(
        ctx, alert(id="c1", url=parent + "?comment_id=1", parent_url=parent), WEBHOOK
    )
    second = await ingest(
        ctx, alert(id="c2", url=parent + "?comment_id=2", parent_url=parent), WEBHOOK
    )
    post = await ingest(ctx, alert(id="p7", url=parent), WEBHOOK)
    assert first.status is IntakeStatus.opened
    assert (second.status, second.crisis) == (IntakeStatus.grouped, first.crisis)
    assert (post.status, post.crisis) == (IntakeStatus.grouped, first.crisis)


async def test_a_crisis_closed_longer_than_the_relapse_window_collects_nothing(
    ctx: CoreContext, clock: FixedClock
) -> None:
    opened = await ingest(ctx, alert(), WEBHOOK)
    async with ctx.db.transaction() as session:
        crisis = await session.get(Crisis, opened.crisis)
        assert crisis is not None
        crisis.status = "closed"
        await group_store.hold_after_close(session, crisis.id, clock.now() + timedelta(days=7))
    clock.advance(timedelta(days=7, seconds=1))
    later = await ingest(ctx, alert(id="fb-9", text="again!"), WEBHOOK)
    assert later.status is IntakeStatus.opened and later.crisis != opened.crisis


async def test_owner_is_the_least_loaded_senior_then_longest_idle(
    ctx: CoreContext, clock: FixedClock
) -> None:
    await add_member(ctx, "UJUNIOR", RosterLevel.junior)
    anna = await add_member(ctx, "UANNA", RosterLevel.senior)
    bart = await add_member(ctx, "UBART", RosterLevel.senior)
    await add_member(ctx, "ULEA", RosterLevel.lead)

    owners = []
    for n in range(4):
        clock.advance(timedelta(minutes=1))
        result = await ingest(ctx, alert(id=f"p{n}", url=f"https://facebook.com/p/{n}"), WEBHOOK)
        async with ctx.db.sessions() as session:
            crisis = await session.get(Crisis, result.crisis)
            assert crisis is not None
            owners.append(crisis.owner_id)
    # Seniors only (leads are the escalation layer, nobody junior); equal load alternates,
    # the one idle longest first.
    assert owners == [anna, bart, anna, bart]


async def test_owner_rule_prefers_fewer_open_crises(ctx: CoreContext) -> None:
    anna = await add_member(ctx, "UANNA", RosterLevel.senior)
    await ingest(ctx, alert(id="p1", url="https://facebook.com/p/1"), WEBHOOK)
    bart = await add_member(ctx, "UBART", RosterLevel.senior)
    result = await ingest(ctx, alert(id="p2", url="https://facebook.com/p/2"), WEBHOOK)
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, result.crisis)
    assert crisis is not None and crisis.owner_id == bart != anna


async def test_timeline_records_who_did_what(ctx: CoreContext) -> None:
    await add_member(ctx, "UANNA", RosterLevel.senior)
    result = await ingest(ctx, alert(), WEBHOOK)
    await ingest(
        ctx,
        alert(
            id="fb-2",
            parent_url="https://facebook.com/shop/posts/1",
            url="https://facebook.com/c/2",
        ),
        WEBHOOK,
    )
    async with ctx.db.sessions() as session:
        events = (
            await session.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.crisis_id == result.crisis)
                .order_by(TimelineEvent.id)
            )
        ).all()
    assert [(e.kind, e.actor) for e in events] == [
        ("opened", "webhook:alerts"),
        ("owner_assigned", "bot:crisisbot"),
        ("alert_grouped", "webhook:alerts"),
    ]
    assert all(e.at == ctx.clock.now() for e in events)


async def test_racing_alerts_about_one_post_make_one_crisis(ctx: CoreContext) -> None:
    results = await asyncio.gather(
        *(
            ingest(
                ctx,
                alert(
                    id=f"race-{n}",
                    url=f"https://facebook.com/c/{n}",
                    parent_url="https://facebook.com/shop/posts/1",
                ),
                WEBHOOK,
            )
            for n in range(8)
        )
    )
    assert len({r.crisis for r in results}) == 1
    assert sorted(r.status.value for r in results) == ["grouped"] * 7 + ["opened"]
    assert await count(ctx.db, Crisis) == 1


async def test_an_alert_that_read_before_a_rival_crisis_committed_joins_it(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL two alerts can both find no open crisis, and the second reach its keys
    only after the first committed its crisis: it must join that one, not open a second."""
    first = await ingest(ctx, alert(), WEBHOOK)
    real_find = group_store.find_open_crisis
    stale_reads = [None]

    async def find_as_before_the_rival_committed(*args: Any, **kwargs: Any) -> Any:
        if stale_reads:
            return stale_reads.pop()
        return await real_find(*args, **kwargs)

    monkeypatch.setattr(group_store, "find_open_crisis", find_as_before_the_rival_committed)
    comment = alert(
        id="c-1", url="https://facebook.com/c/1", parent_url="https://facebook.com/shop/posts/1"
    )
    result = await ingest(ctx, comment, WEBHOOK)
    assert (result.crisis, result.status) == (first.crisis, IntakeStatus.grouped)
    assert await count(ctx.db, Crisis) == 1
    assert await count(ctx.db, Alert) == 2


async def test_racing_copies_of_one_alert_store_it_once(ctx: CoreContext) -> None:
    results = await asyncio.gather(*(ingest(ctx, alert(), WEBHOOK) for _ in range(6)))
    assert sorted(r.status.value for r in results) == ["duplicate"] * 5 + ["opened"]
    assert await count(ctx.db, Alert) == 1
