"""The stats queries against the same figures computed in Python, on random crises."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot import stats
from bot.grouping import normal_brand
from models import Crisis, RosterMember, TimelineEvent
from models.session import Database
from tests.conftest import START

ACK_TIMEOUT = timedelta(minutes=15)
NOW = START + timedelta(days=120)
STATUSES = ["open", "acknowledged", "awaiting_confirmation", "closed"]
CATEGORIES = ["delivery_delay", "price_change", "other", "customer_service"]
SEVERITIES = ["low", "medium", "high", "critical"]
BRANDS = ["Żabka Shop", "MegaStore", None]


@dataclass
class Row:
    status: str
    category: str
    severity: str
    brand: str | None
    owner: int | None
    opened: datetime
    acked: datetime | None
    closed: datetime | None
    escalations: int


def nearest_rank(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered)) - 1]


def random_rows(rng: random.Random, count: int, owners: list[int]) -> list[Row]:
    rows = []
    for _ in range(count):
        opened = NOW - timedelta(seconds=rng.randrange(0, 120 * 86400))
        status = rng.choice(STATUSES)
        acked = None
        if status != "open" or rng.random() < 0.2:
            # Whole seconds, and some exactly at the timeout: the boundary counts as in time.
            wait = rng.choice([ACK_TIMEOUT.total_seconds(), rng.randrange(1, 3 * 3600)])
            acked = opened + timedelta(seconds=wait)
        closed = acked + timedelta(seconds=rng.randrange(60, 5 * 86400)) if acked else None
        rows.append(
            Row(
                status=status,
                category=rng.choice(CATEGORIES),
                severity=rng.choice(SEVERITIES),
                brand=rng.choice(BRANDS),
                owner=rng.choice([*owners, None]),
                opened=opened,
                acked=acked,
                closed=closed if status == "closed" else None,
                escalations=rng.choice([0, 0, 1, 2]),
            )
        )
    return rows


async def store(database: Database, rows: list[Row]) -> list[int]:
    async with database.transaction() as session:
        members = [RosterMember(level="senior", added_at=START) for _ in range(3)]
        session.add_all(members)
        await session.flush()
        owners = [m.id for m in members]
        for n, row in enumerate(rows):
            owner = owners[row.owner] if row.owner is not None else None
            crisis = Crisis(
                status=row.status,
                post_key=f"k{n}",
                source="facebook",
                post_url=f"https://facebook.com/p/{n}",
                text="x",
                brand=row.brand,
                brand_key=normal_brand(row.brand) if row.brand else None,
                category=row.category,
                severity=row.severity,
                owner_id=owner,
                reported_by="test",
                opened_at=row.opened,
                acknowledged_at=row.acked,
                closed_at=row.closed,
            )
            session.add(crisis)
            await session.flush()
            events = [
                ("owner_assigned", {"member": owner, "reason": "escalated"}),
                ("escalated_to_leads", {}),
                ("escalated_to_channel", {}),
            ][: row.escalations]
            # Events that are not escalations must not be counted.
            events.append(("owner_assigned", {"member": owner, "reason": "new"}))
            for kind, detail in events:
                session.add(
                    TimelineEvent(
                        crisis_id=crisis.id, at=row.opened, actor="bot", kind=kind, detail=detail
                    )
                )
    return owners


def expected(rows: list[Row], owners: list[int], since: datetime | None, brand: str | None):
    chosen = [
        r
        for r in rows
        if (since is None or r.opened >= since)
        and (brand is None or (r.brand and normal_brand(r.brand) == normal_brand(brand)))
    ]
    to_ack = [(r.acked - r.opened).total_seconds() for r in chosen if r.acked]
    to_confirm = [(r.closed - r.opened).total_seconds() for r in chosen if r.closed]
    measured = [r for r in chosen if r.acked or r.opened <= NOW - ACK_TIMEOUT]
    in_time = [r for r in chosen if r.acked and r.acked - r.opened <= ACK_TIMEOUT]
    per_owner = {}
    for index, member in enumerate(owners):
        mine = [r for r in chosen if r.owner == index]
        open_now = [
            r
            for r in rows
            if r.owner == index
            and r.status != "closed"
            and (brand is None or (r.brand and normal_brand(r.brand) == normal_brand(brand)))
        ]
        if mine or open_now:
            per_owner[member] = (
                len(mine),
                nearest_rank([(r.acked - r.opened).total_seconds() for r in mine if r.acked], 0.5),
                len(open_now),
            )
    return {
        "total": len(chosen),
        "by_status": dict(Counter(r.status for r in chosen)),
        "by_category": dict(Counter(r.category for r in chosen)),
        "by_severity": dict(Counter(r.severity for r in chosen)),
        "to_ack": (nearest_rank(to_ack, 0.5), nearest_rank(to_ack, 0.9)),
        "to_confirm": (nearest_rank(to_confirm, 0.5), nearest_rank(to_confirm, 0.9)),
        "in_time": (len(in_time), len(measured)),
        "escalations": sum(r.escalations for r in chosen),
        "owners": per_owner,
    }


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.01)


@pytest.mark.parametrize("seed", [1, 2])
async def test_stats_match_a_computation_in_python(database: Database, seed: int) -> None:
    rng = random.Random(seed)
    rows = random_rows(rng, 300, owners=[0, 1, 2])
    owners = await store(database, rows)
    for period in stats.PERIODS:
        for brand in [None, "żabka  shop", "MegaStore"]:
            scope = stats.scope_for(period, brand, NOW)
            async with database.sessions() as session:
                got = await stats.compute(session, scope, ACK_TIMEOUT, NOW)
            want = expected(rows, owners, scope.since, brand)
            label = f"{period} {brand}"
            assert got.total == want["total"], label
            assert got.by_status == want["by_status"], label
            assert got.by_category == want["by_category"], label
            assert got.by_severity == want["by_severity"], label
            assert close(got.to_ack.median, want["to_ack"][0]), label
            assert close(got.to_ack.p90, want["to_ack"][1]), label
            assert close(got.to_confirm.median, want["to_confirm"][0]), label
            assert close(got.to_confirm.p90, want["to_confirm"][1]), label
            assert (got.acked_in_time, got.ack_measured) == want["in_time"], label
            assert got.escalations == want["escalations"], label
            assert {o.member_id for o in got.owners} == set(want["owners"]), label
            for owner in got.owners:
                count, median, open_now = want["owners"][owner.member_id]
                assert (owner.crises, owner.open_now) == (count, open_now), label
                assert close(owner.median_to_ack, median), label


async def test_stats_of_nothing_measure_nothing(database: Database) -> None:
    async with database.sessions() as session:
        got = await stats.compute(session, stats.Scope(), ACK_TIMEOUT, NOW)
        assert not await stats.brand_known(session, "MegaStore")
    assert got.total == 0
    assert got.to_ack == stats.Spread(None, None)
    assert got.acked_in_time_share is None
    assert got.owners == []
