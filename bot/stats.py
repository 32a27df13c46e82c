"""Figures over many crises, computed by the database.

Everything here is an aggregate the database computes, so the cost does not grow with the
crises loaded into Python: counts by group, and percentiles picked by rank with window
functions (`row_number()` and `count()` over the ordered durations), which SQLite and
PostgreSQL both have. Percentiles are nearest-rank: the value at rank ⌈p·n⌉ of n sorted
values, so a median of an even number of values is the lower middle one.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    true,
)
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

    def params(self) -> dict[str, Any]:
        """The values of the conditions `_where` names."""
        return {"since": self.since, "until": self.until, "brand_key": self.brand_key}


def _where(since: bool, until: bool, brand: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if since:
        conditions.append(Crisis.opened_at >= bindparam("since"))
    if until:
        conditions.append(Crisis.opened_at < bindparam("until"))
    if brand:
        conditions.append(Crisis.brand_key == bindparam("brand_key"))
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


def _spread_query(
    seconds: ColumnElement[float],
    where: list[ColumnElement[bool]],
    partition: SQLColumnExpression[Any] | None = None,
) -> Select[*tuple[Any, ...]]:
    """Median and 90th percentile of `seconds` over the rows matching `where`, per value of
    `partition` (the first column then; None: one row for them all)."""
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
        func.max(case((ranked.c.rank == median_rank, ranked.c.seconds))).label("median"),
        func.max(case((ranked.c.rank == p90_rank, ranked.c.seconds))).label("p90"),
    )
    return query.group_by(ranked.c.part) if parts else query


def _spread(median: float | None, p90: float | None) -> Spread:
    return Spread(
        float(median) if median is not None else None, float(p90) if p90 is not None else None
    )


@dataclass(frozen=True)
class _Statements:
    """The statements of `compute` for one shape of scope, their values left as parameters:
    each is a large tree (window functions over subqueries), and building it and its cache
    key cost more than running it on a small database."""

    groups: Select[*tuple[Any, ...]]
    spreads: Select[*tuple[Any, ...]]
    owner_counts: Select[*tuple[Any, ...]]
    owner_spreads: Select[*tuple[Any, ...]]


@functools.cache
def _statements(since: bool, until: bool, brand: bool) -> _Statements:
    where = _where(since, until, brand)
    acked = Crisis.acknowledged_at.is_not(None)
    groups = (
        select(
            Crisis.status,
            Crisis.category,
            Crisis.severity,
            func.count(),
            func.count(case((and_(acked, _to_ack() <= bindparam("limit")), 1))),
            func.count(case((or_(acked, Crisis.opened_at <= bindparam("clocked_since")), 1))),
        )
        .where(*where)
        .group_by(Crisis.status, Crisis.category, Crisis.severity)
    )
    to_ack = _spread_query(_to_ack(), [*where, acked]).subquery()
    to_confirm = _spread_query(_to_confirm(), [*where, Crisis.closed_at.is_not(None)]).subquery()
    spreads = select(
        to_ack.c.median,
        to_ack.c.p90,
        to_confirm.c.median,
        to_confirm.c.p90,
        _escalations(where).scalar_subquery(),
    ).select_from(to_ack.join(to_confirm, true()))
    # Per owner: crises in scope, and their crises of the brand (whenever opened) open now.
    owned = Crisis.owner_id.is_not(None)
    in_scope = and_(true(), *where)
    open_now = and_(Crisis.status != CrisisStatus.closed.value, *_where(False, False, brand))
    owner_counts = (
        select(Crisis.owner_id, func.count(case((in_scope, 1))), func.count(case((open_now, 1))))
        .where(owned, or_(in_scope, open_now))
        .group_by(Crisis.owner_id)
    )
    owner_spreads = _spread_query(_to_ack(), [owned, acked, *where], partition=Crisis.owner_id)
    return _Statements(groups, spreads, owner_counts, owner_spreads)


async def compute(
    session: AsyncSession, scope: Scope, ack_timeout: timedelta, now: datetime
) -> Stats:
    # Few statements, each reading the crises once: every one is a round trip, and the
    # answer to `/crisis stats` waits for all of them.
    statements = _statements(
        scope.since is not None, scope.until is not None, scope.brand_key is not None
    )
    params = {
        **scope.params(),
        "limit": ack_timeout.total_seconds() + _ROUNDING,
        "clocked_since": now - ack_timeout,
    }
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    in_time = measured = 0
    groups = await session.execute(statements.groups, params)
    for status, category, severity, count, timely, clocked in groups.all():
        by_status[str(status)] += int(count)
        by_category[str(category)] += int(count)
        by_severity[str(severity)] += int(count)
        in_time += int(timely)
        measured += int(clocked)
    spreads = (await session.execute(statements.spreads, params)).one()
    return Stats(
        total=sum(by_status.values()),
        by_status=dict(by_status),
        by_category=dict(by_category),
        by_severity=dict(by_severity),
        to_ack=_spread(spreads[0], spreads[1]),
        to_confirm=_spread(spreads[2], spreads[3]),
        acked_in_time=in_time,
        ack_measured=measured,
        escalations=int(spreads[4] or 0),
        owners=await _owners(session, statements, params),
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


def _escalations(where: list[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    return (
        select(func.count())
        .select_from(TimelineEvent)
        .join(Crisis, Crisis.id == TimelineEvent.crisis_id)
        .where(escalation_filter(), *where)
    )


async def _owners(
    session: AsyncSession, statements: _Statements, params: dict[str, Any]
) -> list[OwnerFigures]:
    counts = {
        member: (int(crises), int(still_open))
        for member, crises, still_open in (
            await session.execute(statements.owner_counts, params)
        ).all()
    }
    spreads = {
        member: _spread(median, p90)
        for member, median, p90 in (await session.execute(statements.owner_spreads, params)).all()
    }
    members = sorted(counts, key=lambda m: (-counts[m][0], m))
    return [
        OwnerFigures(
            member_id=int(member),
            crises=counts[member][0],
            median_to_ack=spreads[member].median if member in spreads else None,
            open_now=counts[member][1],
        )
        for member in members
    ]
