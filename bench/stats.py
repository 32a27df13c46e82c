"""`/crisis stats` over many crises: the figures come from the database, so the time it takes
is what the database needs for its aggregates, with nothing loaded row by row into Python."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert

from bot import stats
from models import Crisis, RosterMember, TimelineEvent
from models.session import Database

_CHUNK = 5_000
BRANDS = ("Sklep", "Mega Store", "Kurtki")
CATEGORIES = ("delivery_delay", "price_change", "customer_service", "other")
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "acknowledged", "awaiting_confirmation", "closed")
ACK_TIMEOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class StatsResult:
    crises: int
    # Seconds for one `/crisis stats` of each scope, e.g. "all", "30d", "30d Sklep".
    seconds: dict[str, float]


async def seed(db: Database, count: int, now: datetime) -> None:
    """`count` crises over the last 180 days, owned by 20 people, half of them with an
    escalation in their timeline."""
    rng = random.Random(8)
    async with db.transaction() as session:
        members = [
            RosterMember(display_name=f"Senior {k}", level="senior", added_at=now)
            for k in range(20)
        ]
        session.add_all(members)
        await session.flush()
        owners = [m.id for m in members]
    for start in range(1, count + 1, _CHUNK):
        crises, events = [], []
        for crisis_id in range(start, min(start + _CHUNK, count + 1)):
            opened = now - timedelta(seconds=rng.randrange(180 * 86400))
            status = rng.choice(STATUSES)
            acked = (
                opened + timedelta(seconds=rng.randrange(30, 7200)) if status != "open" else None
            )
            brand = rng.choice(BRANDS)
            crises.append(
                {
                    "id": crisis_id,
                    "status": status,
                    "post_key": f"facebook:stats-{crisis_id}",
                    "source": "facebook",
                    "post_url": f"https://www.facebook.com/bench/posts/stats-{crisis_id}",
                    "text": "Seeded for the stats benchmark.",
                    "brand": brand,
                    "brand_key": brand.lower(),
                    "category": rng.choice(CATEGORIES),
                    "severity": rng.choice(SEVERITIES),
                    "owner_id": rng.choice(owners),
                    "reported_by": "bench",
                    "opened_at": opened,
                    "acknowledged_at": acked,
                    "closed_at": acked + timedelta(hours=rng.randrange(1, 96))
                    if acked and status == "closed"
                    else None,
                }
            )
            kinds = ["opened", "owner_assigned"] + (["escalated_to_leads"] if crisis_id % 2 else [])
            events += [
                {
                    "crisis_id": crisis_id,
                    "at": opened,
                    "actor": "bot:crisisbot",
                    "kind": kind,
                    "detail": {"reason": "new"} if kind == "owner_assigned" else {},
                }
                for kind in kinds
            ]
        async with db.transaction() as session:
            await session.execute(insert(Crisis), crises)
            await session.execute(insert(TimelineEvent), events)


async def run(url: str, count: int) -> StatsResult:
    db = Database(url)
    now = datetime.now().astimezone()
    try:
        await seed(db, count, now)
        seconds: dict[str, float] = {}
        for period, brand in (("all", None), ("30d", None), ("30d", "Sklep")):
            scope = stats.scope_for(period, brand, now)
            started = time.perf_counter()
            async with db.sessions() as session:
                figures = await stats.compute(session, scope, ACK_TIMEOUT, now)
            seconds[f"{period} {brand or ''}".strip()] = time.perf_counter() - started
            assert figures.total > 0
    finally:
        await db.dispose()
    return StatsResult(count, seconds)
