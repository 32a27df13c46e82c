"""Triage in the core: grouping by author and brand, no flood, severity, spikes."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import crisis_flow, roster
from bot.actors import WEBHOOK
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.grouping import author_group_key, keys_for
from bot.intake import IntakeStatus, ingest
from bot.spikes import SpikeRule, baseline_hours, detect, hour_of
from models import BrandHour, Crisis, OutboxMessage, RosterLevel
from tests.helpers import alert, count, slack_user


def by(who: str, n: int, **fields: object) -> dict[str, object]:
    """A separate post by `who` about the brand Sklep."""
    return {
        "id": f"{who}-{n}",
        "url": f"https://x.com/{who}/status/{n}",
        "source": "x",
        "author": {"name": who.title(), "handle": "@" + who, "followers": 100},
        "brand": "Sklep",
        "reach": 50,
        "sentiment": -0.3,
        **fields,
    }


async def test_same_author_same_brand_joins_within_the_window(
    ctx: CoreContext, clock: FixedClock
) -> None:
    first = await ingest(ctx, alert(**by("kasia", 1)), WEBHOOK)
    clock.advance(timedelta(hours=23))
    again = await ingest(ctx, alert(**by("kasia", 2, brand="  SKLEP ")), WEBHOOK)
    other_brand = await ingest(ctx, alert(**by("kasia", 3, brand="Inny")), WEBHOOK)
    other_author = await ingest(ctx, alert(**by("tomek", 1)), WEBHOOK)
    assert (again.status, again.crisis) == (IntakeStatus.grouped, first.crisis)
    assert other_brand.status is IntakeStatus.opened
    assert other_author.status is IntakeStatus.opened
    # The window runs from the author's last post: 23 h after the second one still joins...
    clock.advance(timedelta(hours=23))
    assert (await ingest(ctx, alert(**by("kasia", 4)), WEBHOOK)).crisis == first.crisis
    # ...25 h of silence opens a new crisis.
    clock.advance(timedelta(hours=25))
    late = await ingest(ctx, alert(**by("kasia", 5)), WEBHOOK)
    assert late.status is IntakeStatus.opened and late.crisis != first.crisis


def test_group_keys_are_pure_and_fold_spelling() -> None:
    one = alert(**by("kasia", 1, brand="Sklep Łódź"))
    two = alert(**by("kasia", 2, brand="sklep  lodz", author={"handle": "@KASIA"}))
    assert author_group_key(one) == author_group_key(two) == "author:x:kasia|sklep lodz"
    assert author_group_key(alert(**by("kasia", 3, brand=None))) is None
    comment = alert(id="c", url="https://fb.com/c/1", parent_url="https://www.fb.com/p/1/")
    keys = keys_for(comment, clock_start(), timedelta(hours=24))
    assert [k.key for k in keys][:2] == ["post:https://fb.com/p/1", "post:https://fb.com/c/1"]
    assert keys[0].expires_at is None and keys[-1].expires_at is not None


def clock_start() -> object:
    from tests.conftest import START

    return START


async def test_racing_posts_of_one_author_make_one_crisis(ctx: CoreContext) -> None:
    results = await asyncio.gather(
        *(ingest(ctx, alert(**by("kasia", n)), WEBHOOK) for n in range(8))
    )
    assert len({r.crisis for r in results}) == 1
    assert sorted(r.status.value for r in results) == ["grouped"] * 7 + ["opened"]


async def test_a_storm_queues_one_refresh_not_one_message_per_alert(ctx: CoreContext) -> None:
    opened = await ingest(ctx, alert(), WEBHOOK)
    for n in range(150):
        comment = alert(
            id=f"c{n}", url=f"https://fb.com/c/{n}", parent_url="https://facebook.com/shop/posts/1"
        )
        assert (await ingest(ctx, comment, WEBHOOK)).status is IntakeStatus.grouped
    async with ctx.db.sessions() as session:
        kinds = (
            await session.scalars(
                select(OutboxMessage.kind).where(OutboxMessage.crisis_id == opened.crisis)
            )
        ).all()
    # One pending re-render of the root and of the summary; the thread got the owner hint and
    # the three severity rises (low → … → critical), not 150 messages.
    assert sorted(k for k in kinds if k != "thread") == ["root_post", "root_update", "summary"]
    assert kinds.count("thread") <= 4
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, opened.crisis)
    assert crisis is not None and crisis.alert_count == 151
    # 151 posts and comments is critical by volume.
    assert crisis.severity == "critical"


async def test_severity_rise_tells_the_owner_and_at_critical_the_leads(ctx: CoreContext) -> None:
    async with ctx.db.transaction() as session:
        await roster.add(
            session, slack_user("U0"), slack_user("ULEA"), RosterLevel.lead, ctx.clock.now()
        )
        await roster.add(
            session, slack_user("ULEA"), slack_user("UANNA"), RosterLevel.senior, ctx.clock.now()
        )
    quiet = {"name": "Ola", "followers": 10}
    opened = await ingest(ctx, alert(reach=10, sentiment=0.1, author=quiet), WEBHOOK)  # low
    parent = "https://facebook.com/shop/posts/1"
    raised: list[tuple[str, dict]] = []
    for n in range(100):
        await ingest(
            ctx,
            alert(
                id=f"c{n}", url=f"https://fb.com/c/{n}", parent_url=parent, reach=1, sentiment=0.1
            ),
            WEBHOOK,
        )
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.crisis_id == opened.crisis, OutboxMessage.kind == "thread"
            )
        )
        raised = [
            (r.data["params"]["to"]["choice"], r.data["params"]["who"])
            for r in rows
            if r.data["key"] == "thread.severity_raised"
        ]
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, opened.crisis)
        lead = await roster.find_member(session, slack_user("ULEA"))
    assert crisis is not None and lead is not None
    owner = crisis.owner_id
    assert [level for level, _ in raised] == [
        "severity.medium",
        "severity.high",
        "severity.critical",
    ]
    assert raised[0][1] == {"members": [owner]}
    assert set(raised[2][1]["members"]) == {owner, lead.id}


def test_spike_detection_on_a_week_of_history() -> None:
    rng = random.Random(7)
    week = [max(0, round(rng.gauss(4, 1.5))) for _ in range(7 * 24)]
    assert detect(week, 40, SpikeRule()) is not None
    assert detect(week, 8, SpikeRule()) is None
    spike = detect(week, 40, SpikeRule())
    assert spike is not None and 3 < spike.baseline_mean < 5 and spike.mentions == 40
    # A quiet brand going from nothing to a few mentions is not an avalanche...
    assert detect([0] * 168, 9, SpikeRule(min_count=10)) is None
    # ...ten is.
    assert detect([0] * 168, 10, SpikeRule(min_count=10)) is not None
    # A busy brand needs far more than usual.
    busy = [100 + (n % 5) for n in range(168)]
    assert detect(busy, 106, SpikeRule()) is None
    assert detect(busy, 120, SpikeRule()) is not None


async def seed_history(ctx: CoreContext, brand: str, per_hour: int) -> None:
    async with ctx.db.transaction() as session:
        for hour in baseline_hours(ctx.clock.now(), timedelta(days=7)):
            session.add(BrandHour(brand=brand, hour=hour, mentions=per_hour + hour.hour % 3))


async def test_a_spike_raises_the_brands_open_crisis_and_gathers_the_mentions(
    ctx: CoreContext, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=5))
    await seed_history(ctx, "sklep", 2)
    first = await ingest(ctx, alert(**by("ala", 1)), WEBHOOK)
    results = [await ingest(ctx, alert(**by(f"user{n}", 1)), WEBHOOK) for n in range(12)]
    # Separate posts open their own crises until the brand's hour is far above its usual.
    spiked_at = next(i for i, r in enumerate(results) if r.status is IntakeStatus.grouped)
    assert all(r.status is IntakeStatus.opened for r in results[: spiked_at - 1])
    async with ctx.db.sessions() as session:
        spiked = await session.get(Crisis, results[spiked_at].crisis)
    assert spiked is not None and spiked.severity in ("high", "critical")
    # After the spike, further mentions of the brand join that crisis.
    assert {r.crisis for r in results[spiked_at:]} == {spiked.id}
    assert first.crisis <= spiked.id


async def test_a_spike_with_no_open_crisis_opens_one_for_the_spike(
    ctx: CoreContext, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=5))
    await seed_history(ctx, "sklep", 1)
    async with ctx.db.transaction() as session:
        session.add(BrandHour(brand="sklep", hour=hour_of(clock.now()), mentions=20))
    result = await ingest(ctx, alert(**by("ola", 1)), WEBHOOK)
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, result.crisis)
    assert crisis is not None
    assert (result.status, crisis.trigger, crisis.severity) == (
        IntakeStatus.opened,
        "spike",
        "high",
    )
    # Acted on once per brand and hour.
    again = await ingest(ctx, alert(**by("ela", 1)), WEBHOOK)
    assert (again.status, again.crisis) == (IntakeStatus.grouped, crisis.id)


async def test_category_correction_is_recorded_and_the_playbook_follows(ctx: CoreContext) -> None:
    async with ctx.db.transaction() as session:
        await roster.add(
            session, slack_user("U0"), slack_user("UANNA"), RosterLevel.senior, ctx.clock.now()
        )
    await ingest(ctx, alert(), WEBHOOK)
    reply = await crisis_flow.set_category(ctx, 1, slack_user("UANNA"), "price_change")
    assert reply.key == "reply.category"
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, 1)
    playbook_updates = await count(ctx.db, OutboxMessage, OutboxMessage.kind == "playbook_update")
    assert crisis is not None and crisis.category == "price_change"
    assert playbook_updates == 1
    with pytest.raises(Exception, match="bad_category"):
        await crisis_flow.set_category(ctx, 1, slack_user("UANNA"), "aliens")
