"""Figures over many crises, computed by the database.

Everything here is an aggregate the database computes, so the cost does not grow with the
crises loaded into Python: counts by group, and percentiles picked by rank with window
functions (`row_number()` and `count()` over the ordered durations), which SQLite and
PostgreSQL both have. Percentiles are nearest-rank: the value at rank ⌈p·n⌉ of n sorted
values, so a median of an even number of values is the lower middle one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from bot.grouping import normal_brand
from models import Crisis, CrisisStatus, TimelineEvent

PERIODS: dict[str, timedelta | None] = {
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}

# Timeline kinds that are an escalation by themselves, and the owner changes that were one.
ESCALATION_KINDS = ("escalated_to_leads", "escalated_to_channel")
ESCALATED_OWNER_REASON = "escalated"


class SecondsBetween(GenericFunction[float]):
    """Seconds from the first timestamp to the second, as a float, on either database."""

    name = "seconds_between"
    type = Float()
    inherit_cache = True


@compiles(SecondsBetween, "sqlite")
def _seconds_sqlite(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(SecondsBetween, "postgresql")
def _seconds_postgresql(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


# julianday() is a double counted in days: a millisecond of slack keeps an acknowledgement
# made exactly at ACK_TIMEOUT "in time" on SQLite as on PostgreSQL.
_ROUNDING = 0.001


@dataclass(frozen=True)
class Scope:
    """Which crises: opened since `since` (None: all time), of one brand (None: every brand)."""

    since: datetime | None = None
    brand_key: str | None = None
    # Opened before this moment (None: up to now).
    until: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.since is not None:
            conditions.append(Crisis.opened_at >= self.since)
        if self.until is not None:
            conditions.append(Crisis.opened_at < self.until)
        if self.brand_key is not None:
            conditions.append(Crisis.brand_key == self.brand_key)
        return conditions


def scope_for(period: str, brand: str | None, now: datetime) -> Scope:
    """The scope of `/crisis stats <period> [brand]`; a period not in PERIODS is a KeyError."""
    length = PERIODS[period]
    return Scope(
        since=now - length if length is not None else None,
        brand_key=normal_brand(brand) if brand else None,
    )


async def brand_known(session: AsyncSession, brand: str) -> bool:
    """Whether any crisis was ever about `brand` (compared as brands are for grouping)."""
    found = await session.scalar(
        select(Crisis.id).where(Crisis.brand_key == normal_brand(brand)).limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class Spread:
    """Durations in seconds; None when there was nothing to measure."""

    median: float | None
    p90: float | None


@dataclass(frozen=True)
class OwnerFigures:
    member_id: int
    crises: int
    median_to_ack: float | None
    open_now: int


@dataclass(frozen=True)
class Stats:
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_severity: dict[str, int]
    to_ack: Spread
    to_confirm: Spread
    # Acknowledged within ACK_TIMEOUT, out of the crises whose clock has run: acknowledged
    # ones and those opened more than ACK_TIMEOUT ago.
    acked_in_time: int
    ack_measured: int
    escalations: int
    owners: list[OwnerFigures] = field(default_factory=list)

    @property
    def acked_in_time_share(self) -> float | None:
        return self.acked_in_time / self.ack_measured if self.ack_measured else None


def _to_ack() -> ColumnElement[float]:
    return SecondsBetween(Crisis.opened_at, Crisis.acknowledged_at)


def _to_confirm() -> ColumnElement[float]:
    return SecondsBetween(Crisis.opened_at, Crisis.closed_at)


async def _spreads(
    session: AsyncSession,
    seconds: ColumnElement[float],
    where: list[ColumnElement[bool]],
    partition: ColumnElement[Any] | None = None,
) -> dict[Any, Spread]:
    """Median and 90th percentile of `seconds` over the rows matching `where`, per value of
    `partition` (None: one group, under the key None)."""
    parts = [partition] if partition is not None else []
    ranked = (
        select(
            *(column.label("part") for column in parts),
            seconds.label("seconds"),
            func.row_number().over(partition_by=parts or None, order_by=seconds).label("rank"),
            func.count().over(partition_by=parts or None).label("n"),
        )
        .where(*where)
        .subquery()
    )
    # Nearest rank ⌈p·n⌉ in integer arithmetic: ⌈n/2⌉ = (n+1) div 2, ⌈9n/10⌉ = (9n+9) div 10.
    median_rank = (ranked.c.n + 1) // 2
    p90_rank = (ranked.c.n * 9 + 9) // 10
    query = select(
        *([ranked.c.part] if parts else []),
        func.max(case((ranked.c.rank == median_rank, ranked.c.seconds))),
        func.max(case((ranked.c.rank == p90_rank, ranked.c.seconds))),
    )
    if parts:
        query = query.group_by(ranked.c.part)
    rows = (await session.execute(query)).all()
    spreads: dict[Any, Spread] = {}
    for row in rows:
        key, median, p90 = (row[0], row[1], row[2]) if parts else (None, row[0], row[1])
        spreads[key] = Spread(
            float(median) if median is not None else None, float(p90) if p90 is not None else None
        )
    return spreads


async def _counts(
    session: AsyncSession, column: ColumnElement[str], where: list[ColumnElement[bool]]
) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(value): int(count) for value, count in rows.all()}


async def compute(
    session: AsyncSession, scope: Scope, ack_timeout: timedelta, now: datetime
) -> Stats:
    where = scope.where()
    by_status = await _counts(session, Crisis.status, where)
    acked = Crisis.acknowledged_at.is_not(None)
    limit = ack_timeout.total_seconds() + _ROUNDING
    in_time, measured = (
        await session.execute(
            select(
                func.count(case((and_(acked, _to_ack() <= limit), 1))),
                func.count(case((or_(acked, Crisis.opened_at <= now - ack_timeout), 1))),
            ).where(*where)
        )
    ).one()
    to_ack = (await _spreads(session, _to_ack(), [*where, acked])).get(None)
    to_confirm = (
        await _spreads(session, _to_confirm(), [*where, Crisis.closed_at.is_not(None)])
    ).get(None)
    return Stats(
        total=sum(by_status.values()),
        by_status=by_status,
        by_category=await _counts(session, Crisis.category, where),
        by_severity=await _counts(session, Crisis.severity, where),
        to_ack=to_ack or Spread(None, None),
        to_confirm=to_confirm or Spread(None, None),
        acked_in_time=int(in_time),
        ack_measured=int(measured),
        escalations=await _escalations(session, where),
        owners=await _owners(session, scope),
    )


def escalation_filter() -> ColumnElement[bool]:
    """Timeline events that were an escalation, read from their kind and detail."""
    return or_(
        TimelineEvent.kind.in_(ESCALATION_KINDS),
        and_(
            TimelineEvent.kind == "owner_assigned",
            TimelineEvent.detail["reason"].as_string() == ESCALATED_OWNER_REASON,
        ),
    )


async def _escalations(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(TimelineEvent)
        .join(Crisis, Crisis.id == TimelineEvent.crisis_id)
        .where(escalation_filter(), *where)
    )
    return int(count or 0)


async def _owners(session: AsyncSession, scope: Scope) -> list[OwnerFigures]:
    """Per owner: crises in scope, their median time to acknowledge, and how many of the
    owner's crises (of the brand, whenever opened) are open now."""
    where = scope.where()
    owned = Crisis.owner_id.is_not(None)
    counts = dict(
        (
            await session.execute(
                select(Crisis.owner_id, func.count()).where(owned, *where).group_by(Crisis.owner_id)
            )
        ).all()
    )
    open_now = dict(
        (
            await session.execute(
                select(Crisis.owner_id, func.count())
                .where(
                    owned,
                    Crisis.status != CrisisStatus.closed.value,
                    *Scope(brand_key=scope.brand_key).where(),
                )
                .group_by(Crisis.owner_id)
            )
        ).all()
    )
    spreads = await _spreads(
        session,
        _to_ack(),
        [owned, Crisis.acknowledged_at.is_not(None), *where],
        partition=Crisis.owner_id,
    )
    members = sorted(set(counts) | set(open_now), key=lambda m: (-counts.get(m, 0), m))
    return [
        OwnerFigures(
            member_id=int(member),
            crises=int(counts.get(member, 0)),
            median_to_ack=spreads[member].median if member in spreads else None,
            open_now=int(open_now.get(member, 0)),
        )
        for member in members
    ]
