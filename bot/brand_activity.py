"""Counting brand mentions per hour, and acting on a spike once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.spikes import Spike, SpikeRule, baseline_hours, detect, hour_of
from models import BrandHour, BrandSpike


async def count_mention(session: AsyncSession, brand: str, at: datetime) -> None:
    """One more mention of `brand` in the hour of `at` (an upsert: concurrent alerts add up)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(BrandHour).values(brand=brand, hour=hour_of(at), mentions=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[BrandHour.brand, BrandHour.hour],
            set_={"mentions": BrandHour.mentions + 1},
        )
    )


async def new_spike(
    session: AsyncSession, brand: str, now: datetime, period: timedelta, rule: SpikeRule
) -> Spike | None:
    """The spike of this brand in the current hour, if there is one nobody acted on yet."""
    hours = baseline_hours(now, period)
    rows = await session.execute(
        select(BrandHour.hour, BrandHour.mentions).where(
            BrandHour.brand == brand,
            BrandHour.hour >= (hours[0] if hours else hour_of(now)),
            BrandHour.hour <= hour_of(now),
        )
    )
    counts = {hour: mentions for hour, mentions in rows.all()}
    spike = detect([counts.get(hour, 0) for hour in hours], counts.get(hour_of(now), 0), rule)
    if spike is None:
        return None
    if await session.get(BrandSpike, (brand, hour_of(now))) is not None:
        return None
    return spike


async def mark_spike(session: AsyncSession, brand: str, now: datetime, crisis_id: int) -> None:
    """Record that this hour's spike was acted on; a racing replica's insert fails and it
    retries, finding the mark."""
    session.add(BrandSpike(brand=brand, hour=hour_of(now), crisis_id=crisis_id))
    await session.flush()
