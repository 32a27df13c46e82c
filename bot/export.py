"""One row per crisis with its figures, as CSV or JSON, for a range of days.

The days are calendar days in TIMEZONE: `--since 2026-11-01 --until 2026-11-30` is every
crisis opened in November there, both ends included.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.stats import escalation_filter
from models import Crisis, RosterMember, TimelineEvent

COLUMNS = (
    "number",
    "brand",
    "source",
    "category",
    "severity",
    "status",
    "owner",
    "opened_at",
    "acknowledged_at",
    "confirmed_at",
    "seconds_to_ack",
    "seconds_to_confirm",
    "posts",
    "reach",
    "escalations",
)
FORMATS = ("csv", "json")


class BadRange(ValueError):
    """A date range a person gave that cannot be exported; the message says why."""


@dataclass(frozen=True)
class DayRange:
    """Crises opened from `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime


def parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRange(f"{name} must be a date written YYYY-MM-DD, e.g. 2026-11-01") from None


def day_range(since: str, until: str | None, zone: ZoneInfo, now: datetime) -> DayRange:
    """The crises to export from `since` to `until` (today when omitted), both included."""
    today = now.astimezone(zone).date()
    first = parse_day(since, "since")
    last = parse_day(until, "until") if until else today
    if first > today:
        raise BadRange(f"since ({first}) is in the future: today is {today}")
    if last > today:
        raise BadRange(f"until ({last}) is in the future: today is {today}")
    if first > last:
        raise BadRange(f"since ({first}) is after until ({last})")
    return DayRange(
        start=datetime.combine(first, time(), zone),
        end=datetime.combine(last + timedelta(days=1), time(), zone),
    )


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds(), 3) if start and end else None


async def rows(session: AsyncSession, days: DayRange) -> list[dict[str, Any]]:
    escalations = (
        select(TimelineEvent.crisis_id, func.count().label("count"))
        .where(escalation_filter())
        .group_by(TimelineEvent.crisis_id)
        .subquery()
    )
    result = await session.execute(
        select(Crisis, RosterMember.display_name, func.coalesce(escalations.c.count, 0))
        .outerjoin(RosterMember, RosterMember.id == Crisis.owner_id)
        .outerjoin(escalations, escalations.c.crisis_id == Crisis.id)
        .where(Crisis.opened_at >= days.start, Crisis.opened_at < days.end)
        .order_by(Crisis.id)
    )
    return [
        {
            "number": crisis.id,
            "brand": crisis.brand or "",
            "source": crisis.source,
            "category": crisis.category,
            "severity": crisis.severity,
            "status": crisis.status,
            "owner": owner or "",
            "opened_at": crisis.opened_at.isoformat(),
            "acknowledged_at": crisis.acknowledged_at.isoformat() if crisis.acknowledged_at else "",
            "confirmed_at": crisis.closed_at.isoformat() if crisis.closed_at else "",
            "seconds_to_ack": _seconds(crisis.opened_at, crisis.acknowledged_at),
            "seconds_to_confirm": _seconds(crisis.opened_at, crisis.closed_at),
            "posts": crisis.alert_count,
            "reach": crisis.total_reach,
            "escalations": int(count),
        }
        for crisis, owner, count in result.all()
    ]


TIMELINE_COLUMNS = ("at", "kind", "actor", "member", "detail")


async def timeline_csv(session: AsyncSession, crisis_id: int) -> str:
    """Every event of one crisis, oldest first: when, what (the event kind), who, and the
    event's details as JSON."""
    events = await session.scalars(
        select(TimelineEvent).where(TimelineEvent.crisis_id == crisis_id).order_by(TimelineEvent.id)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIMELINE_COLUMNS)
    for event in events.all():
        writer.writerow(
            (
                event.at.isoformat(),
                event.kind,
                event.actor,
                event.actor_member_id or "",
                json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
            )
        )
    return out.getvalue()


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {key: "" if value is None else value for key, value in record.items()} for record in records
    )
    return out.getvalue()
