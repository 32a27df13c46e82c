"""The intake's decision for items from native sources (pages, review sites, listening tools).

`POST /alerts` reports posts a person or tool already found negative: each opens or joins a
crisis (bot.intake). Native sources send everything, so here:
- a new item judged negative goes through that same intake (grouping, spikes, severity,
  category, relapse, the outbox);
- a new item that is not negative never opens a crisis: it is counted as the brand's
  activity (not for spikes) and joins an open crisis only as a comment under its post;
- an edit updates the stored text and never opens a second crisis; an edit that makes an
  item never stored (its add was not negative, or never came) negative is a new complaint,
  and goes through the intake like a new negative item;
- a removal or a hide is recorded on the crisis the item belongs to.

Items taken together in one transaction share a `Batch`: the alerts already stored and the
open crises under their posts are looked up once for all of them, and the brand's hourly
counts are written once per brand and hour (`settle`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import crises, group_store, timeline
from bot.actors import Actor
from bot.alert_input import AlertIn
from bot.context import CoreContext
from bot.grouping import normal_brand, post_group_key
from bot.intake import IntakeStatus, alert_row, ingest_many
from bot.negativity import Verdict
from bot.spikes import hour_of
from models import Alert, BrandHour, Crisis, ItemOutcome
from models.session import among_pairs

_INTAKE_OUTCOMES = {
    IntakeStatus.opened: ItemOutcome.opened,
    IntakeStatus.grouped: ItemOutcome.grouped,
    IntakeStatus.reopened: ItemOutcome.grouped,
    IntakeStatus.duplicate: ItemOutcome.duplicate,
}


@dataclass(frozen=True)
class NativeResult:
    outcome: ItemOutcome
    crisis: int | None = None


def reporter(feed: str) -> Actor:
    """Who reported an item: the native source it came from."""
    return Actor("webhook", feed)


def with_verdict(alert: AlertIn, verdict: Verdict) -> AlertIn:
    """The alert with our sentiment estimate when its source gave none (severity and the
    relapse watch read it), as long as the estimate agrees with the verdict."""
    if alert.sentiment is not None:
        return alert
    agrees = verdict.score < 0 if verdict.negative else verdict.score >= 0
    return alert.model_copy(update={"sentiment": verdict.score}) if agrees else alert


async def take_negatives(
    ctx: CoreContext, items: Sequence[tuple[AlertIn, str]]
) -> list[NativeResult | Exception]:
    """New negative items (alert, feed), together through that intake: one result or error
    each, in order."""
    results = await ingest_many(ctx, [(alert, reporter(feed)) for alert, feed in items])
    return [
        result
        if isinstance(result, Exception)
        else NativeResult(_INTAKE_OUTCOMES[result.status], result.crisis)
        for result in results
    ]


@dataclass
class Batch:
    """What the items of one transaction share. Kept up to date as they are taken: an
    alert stored by one is found by the next."""

    # Stored alerts by (source, id), for every item the batch was prepared for.
    stored: dict[tuple[str, str], Alert]
    # The open crisis under each post (by its group key) the batch's comments are under.
    open_crises: dict[str, Crisis]
    # Items not negative per (brand, hour), written by `settle`.
    not_negative: Counter[tuple[str, datetime]] = field(default_factory=Counter)


async def prepare(
    session: AsyncSession,
    ctx: CoreContext,
    idents: Iterable[tuple[str, str]],
    parent_urls: Iterable[str],
) -> Batch:
    """One lookup of the stored alerts for these (source, id) pairs, and one of the open
    crises under these posts."""
    pairs = set(idents)
    stored: dict[tuple[str, str], Alert] = {}
    if pairs:
        rows = await session.scalars(
            select(Alert).where(among_pairs(session, Alert.source, Alert.external_id, pairs))
        )
        stored = {
            (row.source, row.external_id): row
            for row in rows.all()
            if (row.source, row.external_id) in pairs
        }
    keys = {post_group_key(url) for url in parent_urls}
    return Batch(stored, await group_store.open_crises(session, keys, ctx.clock.now()))


async def settle(session: AsyncSession, batch: Batch) -> None:
    """The batch's counts of items not negative: one upsert for all brands and hours."""
    if not batch.not_negative:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(BrandHour).values(
        [
            {"brand": brand, "hour": hour, "mentions": 0, "not_negative": count}
            for (brand, hour), count in sorted(batch.not_negative.items())
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[BrandHour.brand, BrandHour.hour],
            set_={"not_negative": BrandHour.not_negative + statement.excluded.not_negative},
        )
    )
    batch.not_negative.clear()


async def keep_not_negative(
    session: AsyncSession, ctx: CoreContext, batch: Batch, alert: AlertIn, feed: str
) -> NativeResult:
    """A new item that is not negative: counted as the brand's activity; a comment under an
    open crisis's post joins it (the team sees the whole conversation), nothing else does."""
    ident = (alert.source.value, alert.id)
    if ident in batch.stored:
        return NativeResult(ItemOutcome.duplicate)
    now = ctx.clock.now()
    if alert.brand:
        batch.not_negative[(normal_brand(alert.brand), hour_of(now))] += 1
    if not alert.parent_url:
        return NativeResult(ItemOutcome.not_negative)
    crisis = batch.open_crises.get(post_group_key(alert.parent_url))
    if crisis is None:
        return NativeResult(ItemOutcome.not_negative)
    await session.execute(
        update(Crisis)
        .where(Crisis.id == crisis.id)
        .values(
            alert_count=Crisis.alert_count + 1,
            total_reach=Crisis.total_reach + (alert.reach or 0),
        )
    )
    row = alert_row(alert, crisis.id, "comment", reporter(feed), now)
    session.add(row)
    await session.flush()
    batch.stored[ident] = row
    timeline.record(
        session,
        crisis.id,
        "alert_grouped",
        reporter(feed),
        now,
        alert=row.id,
        url=alert.url,
        not_negative=True,
    )
    await crises.summary_changed(session, ctx, crisis, now)
    return NativeResult(ItemOutcome.not_negative, crisis.id)


async def apply_edit(
    session: AsyncSession,
    ctx: CoreContext,
    batch: Batch,
    source: str,
    external_id: str,
    text: str | None,
    feed: str,
) -> NativeResult:
    """New text of an item seen before: the stored alert (and the crisis, when the item
    opened it) shows it. This never opens a crisis (the inbox takes an edit that makes an
    item never stored negative through the intake instead)."""
    row = batch.stored.get((source, external_id))
    if row is None:
        return NativeResult(ItemOutcome.edited)
    now = ctx.clock.now()
    if text and text != row.text:
        row.text = text
        row.payload = {**row.payload, "text": text}
        crisis = await crises.get(session, row.crisis_id)
        if row.role == "post":
            crisis.text = text
            await crises.changed(session, ctx, crisis, now)
        await crises.summary_changed(session, ctx, crisis, now)
    timeline.record(
        session, row.crisis_id, "alert_edited", reporter(feed), now, alert=row.id, url=row.url
    )
    return NativeResult(ItemOutcome.edited, row.crisis_id)


async def record_gone(
    session: AsyncSession,
    ctx: CoreContext,
    batch: Batch,
    outcome: ItemOutcome,
    source: str,
    external_id: str,
    feed: str,
) -> NativeResult:
    """A removal or a hide at the source: on the timeline of the crisis the item belongs to."""
    row = batch.stored.get((source, external_id))
    if row is None:
        return NativeResult(outcome)
    timeline.record(
        session,
        row.crisis_id,
        f"alert_{outcome.value}",
        reporter(feed),
        ctx.clock.now(),
        alert=row.id,
        url=row.url,
    )
    return NativeResult(outcome, row.crisis_id)
