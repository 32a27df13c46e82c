"""The relapse watch: new negative posts about a recently closed crisis reopen it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot import crisis_flow, roster
from bot.actors import WEBHOOK
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.intake import IntakeStatus, ingest
from models import Crisis, OutboxMessage, Reminder, RosterLevel
from tests.helpers import alert, slack_user

ANNA = slack_user("UANNA")
POST = "https://facebook.com/sklep/posts/1"


async def closed_crisis(ctx: CoreContext, **fields: Any) -> int:
    async with ctx.db.transaction() as session:
        await roster.add(session, ANNA, ANNA, RosterLevel.senior, ctx.clock.now())
    result = await ingest(ctx, alert(id="p1", url=POST, **fields), WEBHOOK)
    await crisis_flow.acknowledge(ctx, result.crisis, ANNA)
    await crisis_flow.propose_resolution(ctx, result.crisis, ANNA, "refund", None)
    await crisis_flow.confirm(ctx, result.crisis, ANNA, None)
    return result.crisis


async def row(ctx: CoreContext, n: int) -> Crisis:
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, n)
        assert crisis is not None
        return crisis


async def thread(ctx: CoreContext, n: int) -> dict[str, dict[str, Any]]:
    """The crisis's thread messages by catalogue key (the last of each)."""
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.data)
            .where(OutboxMessage.crisis_id == n, OutboxMessage.kind == "thread")
            .order_by(OutboxMessage.id)
        )
        return {data["key"]: data["params"] for data in rows.all()}


async def crisis_count(ctx: CoreContext) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Crisis)) or 0)


async def test_a_negative_comment_on_the_same_post_reopens_the_crisis(
    ctx: CoreContext, clock: FixedClock
) -> None:
    n = await closed_crisis(ctx)
    clock.advance(timedelta(days=6, hours=23))
    comment = alert(
        id="c1", url=POST + "?comment_id=5", parent_url=POST, text="Znowu to samo!", sentiment=-0.9
    )
    result = await ingest(ctx, comment, WEBHOOK)
    assert (result.crisis, result.status) == (n, IntakeStatus.reopened)
    crisis = await row(ctx, n)
    assert crisis.status == "acknowledged" and crisis.closed_at is None
    assert crisis.alert_count == 2 and await crisis_count(ctx) == 1
    params = (await thread(ctx, n))["thread.relapsed"]
    assert params["reason"] == {"choice": "relapse.post"}
    assert params["after"] == {"duration": timedelta(days=6, hours=23).total_seconds()}
    assert params["owner"] == {"member": crisis.owner_id}
    async with ctx.db.sessions() as session:
        reminder = await session.scalar(select(Reminder).where(Reminder.pending_for == n))
    assert reminder is not None and reminder.kind == "follow_up"
    # Reopened, it collects comments on its post again.
    more = alert(id="c2", url=POST + "?comment_id=6", parent_url=POST)
    assert (await ingest(ctx, more, WEBHOOK)).status is IntakeStatus.grouped


async def test_a_new_post_by_the_same_author_reopens_it(
    ctx: CoreContext, clock: FixedClock
) -> None:
    n = await closed_crisis(ctx, author={"name": "Ola", "handle": "@ola"})
    clock.advance(timedelta(days=2))
    again = alert(
        id="p2",
        url="https://facebook.com/sklep/posts/2",
        author={"name": "Ola", "handle": "@ola"},
        sentiment=None,
    )
    result = await ingest(ctx, again, WEBHOOK)
    assert (result.crisis, result.status) == (n, IntakeStatus.reopened)
    assert (await thread(ctx, n))["thread.relapsed"]["reason"] == {"choice": "relapse.author"}


async def test_after_the_window_a_new_crisis_opens(ctx: CoreContext, clock: FixedClock) -> None:
    ctx.settings.relapse_window = timedelta(days=1)
    n = await closed_crisis(ctx)
    clock.advance(timedelta(days=1, seconds=1))
    result = await ingest(ctx, alert(id="c1", url=POST + "?c=1", parent_url=POST), WEBHOOK)
    assert result.status is IntakeStatus.opened and result.crisis != n
    assert (await row(ctx, n)).status == "closed"


async def test_praise_after_the_fix_is_kept_but_does_not_reopen(
    ctx: CoreContext, clock: FixedClock
) -> None:
    n = await closed_crisis(ctx)
    clock.advance(timedelta(hours=5))
    thanks = alert(id="c1", url=POST + "?c=1", parent_url=POST, text="Dziękuję!", sentiment=0.8)
    result = await ingest(ctx, thanks, WEBHOOK)
    assert (result.crisis, result.status) == (n, IntakeStatus.grouped)
    crisis = await row(ctx, n)
    assert crisis.status == "closed" and crisis.alert_count == 2
    assert "thread.relapsed" not in await thread(ctx, n)
    assert await crisis_count(ctx) == 1


async def test_a_newer_crisis_about_the_post_takes_its_keys_from_the_closed_one(
    ctx: CoreContext, clock: FixedClock
) -> None:
    ctx.settings.relapse_window = timedelta(days=1)
    n = await closed_crisis(ctx)
    clock.advance(timedelta(days=2))
    newer = await ingest(ctx, alert(id="c1", url=POST + "?c=1", parent_url=POST), WEBHOOK)
    assert newer.status is IntakeStatus.opened
    # Within the first one's window again (if it had one), comments go to the open crisis.
    later = await ingest(ctx, alert(id="c2", url=POST + "?c=2", parent_url=POST), WEBHOOK)
    assert (later.crisis, later.status) == (newer.crisis, IntakeStatus.grouped)
    assert (await row(ctx, n)).status == "closed"
