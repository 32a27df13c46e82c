"""The weekly digest: last week against the week before, as a top-level message.

It is due at each moment of DIGEST_SCHEDULE (cron in TIMEZONE). The reminder sweep's tick
asks whether it is due, with the injected clock, so tests move time instead of waiting.
Replicas race for the same moment; the one that inserts its `report_runs` row writes the
digest to the outbox in that transaction, the others find the row taken and skip it.

A week with crises also gets a PNG chart of crises per day against the week before, as an
outbox row of its own after the text: a chart that cannot be drawn or sent never holds the
text back. The platform deliverers draw it (on the shared Agg canvas, in a worker thread)
from the database when they send it, as the close report's chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import chart_canvas, outbox, stats
from bot.context import CoreContext
from bot.i18n import translate
from bot.messages import Message, choice_ref, duration_ref, member_ref
from bot.schedule import cron_trigger, next_after
from bot.wakeable import WakeableLoop
from models import Crisis, CrisisStatus, ReportRun

log = structlog.get_logger(__name__)

DIGEST = "digest"
WEEK = timedelta(days=7)
TOP_CATEGORIES = 3
# Open crises listed by name; more are counted.
OPEN_LISTED = 10
OLD = timedelta(days=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BAR = "█"
BAR_WIDTH = 20


async def _per_day(session: AsyncSession, days: list[datetime], end: datetime) -> list[int]:
    """Crises opened on each day: day k runs from days[k] to days[k+1] (the last to `end`)."""
    bounds = [*days[1:], end]
    counts = (
        await session.execute(
            select(
                *(
                    func.coalesce(
                        func.sum(
                            case(
                                (and_(Crisis.opened_at >= start, Crisis.opened_at < stop), 1),
                                else_=0,
                            )
                        ),
                        0,
                    )
                    for start, stop in zip(days, bounds, strict=True)
                )
            ).where(Crisis.opened_at >= days[0], Crisis.opened_at < end)
        )
    ).one()
    return [int(count) for count in counts]


@dataclass(frozen=True)
class ChartData:
    """Crises opened per day in the week before `slot`, and on the same weekdays a week
    earlier; `days` are the starts of this week's days, in TIMEZONE."""

    slot: datetime
    days: list[datetime]
    this_week: list[int]
    week_before: list[int]


async def chart_data(session: AsyncSession, ctx: CoreContext, slot: datetime) -> ChartData:
    end = slot.astimezone(ctx.settings.zone)
    # Seven 24-hour bars ending at the digest, each named by the day it starts on.
    days = [end - WEEK + timedelta(days=k) for k in range(7)]
    return ChartData(
        slot=end,
        days=days,
        this_week=await _per_day(session, days, end),
        week_before=await _per_day(session, [day - WEEK for day in days], end - WEEK),
    )


def render_chart(data: ChartData, language: str) -> bytes:
    """The PNG: a pair of bars a day, this week's and the week before's. Blocking: call it in
    a worker thread."""
    from matplotlib.ticker import MaxNLocator

    figure = chart_canvas.figure()
    axes = figure.subplots()
    positions = range(len(data.days))
    width = 0.4
    axes.bar(
        [x - width / 2 for x in positions],
        data.week_before,
        width,
        color="#b8b8b8",
        label=translate(language, "digest.chart_week_before"),
    )
    axes.bar(
        [x + width / 2 for x in positions],
        data.this_week,
        width,
        color="#7a1f1f",
        label=translate(language, "digest.chart_this_week"),
    )
    axes.set_xticks(
        list(positions),
        [
            f"{translate(language, f'weekday.{WEEKDAYS[day.weekday()]}')}\n{day:%d.%m}"
            for day in data.days
        ],
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(translate(language, "digest.chart_count"))
    axes.set_title(chart_title(data.slot, language))
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    return chart_canvas.png(figure)


def chart_title(slot: datetime, language: str) -> str:
    return translate(language, "digest.chart_title", **_week(slot))


def chart_filename(slot: datetime) -> str:
    return f"crisis-digest-{slot:%Y-%m-%d}.png"


def _week(end: datetime) -> dict[str, str]:
    return {"from": (end - WEEK).strftime("%d.%m.%Y"), "to": end.strftime("%d.%m.%Y")}


def _bars(days: list[datetime], counts: list[int]) -> list[Message]:
    most = max(counts) or 1
    return [
        Message(
            "digest.day",
            {
                "day": choice_ref("weekday", WEEKDAYS[day.weekday()]),
                "date": day.strftime("%d.%m"),
                "bar": BAR * max(1 if count else 0, round(count / most * BAR_WIDTH)),
                "count": count,
            },
        )
        for day, count in zip(days, counts, strict=True)
    ]


@dataclass(frozen=True)
class WeeklyDigest:
    lines: list[Message]
    # Crises opened in the week: none, and there is no chart to draw.
    crises: int


async def build(session: AsyncSession, ctx: CoreContext, slot: datetime) -> WeeklyDigest:
    """The digest for the week before `slot`, line by line."""
    end = slot.astimezone(ctx.settings.zone)
    week = stats.Scope(since=end - WEEK, until=end)
    before = stats.Scope(since=end - 2 * WEEK, until=end - WEEK)
    timeout = ctx.settings.ack_timeout
    this = await stats.compute(session, week, timeout, end)
    last = await stats.compute(session, before, timeout, end - WEEK)
    lines = [Message("digest.header", _week(end))]
    if this.total == 0:
        lines.append(Message("digest.quiet", {"previous": last.total}))
    else:
        share = this.acked_in_time_share
        lines += [
            Message("digest.count", {"count": this.total, "previous": last.total}),
            Message(
                "digest.to_ack",
                {
                    "median": _duration(this.to_ack.median),
                    "previous": _duration(last.to_ack.median),
                },
            ),
            Message(
                "digest.in_time",
                {
                    "timeout": duration_ref(timeout.total_seconds()),
                    "share": f"{share:.0%}" if share is not None else "—",
                },
            ),
            Message(
                "digest.escalations", {"count": this.escalations, "previous": last.escalations}
            ),
            Message("digest.top_categories"),
        ]
        top = sorted(this.by_category.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]
        lines += [
            Message("stats.category", {"category": choice_ref("category", name), "count": count})
            for name, count in top
        ]
        chart = await chart_data(session, ctx, slot)
        lines.append(Message("digest.chart"))
        lines += _bars(chart.days, chart.this_week)
    lines += await _open_old(session, end)
    return WeeklyDigest(lines, this.total)


def _duration(seconds: float | None) -> dict[str, float]:
    return duration_ref(seconds if seconds is not None else -1)


async def _open_old(session: AsyncSession, end: datetime) -> list[Message]:
    """Crises still open that were opened more than a day before the digest."""
    old = and_(Crisis.status != CrisisStatus.closed.value, Crisis.opened_at <= end - OLD)
    count = int(await session.scalar(select(func.count()).select_from(Crisis).where(old)) or 0)
    if not count:
        return [Message("digest.no_open_old")]
    rows = await session.scalars(
        select(Crisis).where(old).order_by(Crisis.opened_at).limit(OPEN_LISTED)
    )
    lines = [Message("digest.open_old", {"count": count})]
    for crisis in rows.all():
        lines.append(
            Message(
                "digest.open_old_line",
                {
                    "n": crisis.id,
                    "brand": crisis.brand or "—",
                    "status": choice_ref("status", crisis.status),
                    "age": duration_ref((end - crisis.opened_at).total_seconds()),
                    "owner": member_ref(crisis.owner_id)
                    if crisis.owner_id
                    else choice_ref("owner", "none"),
                },
            )
        )
    return lines


async def post(ctx: CoreContext, slot: datetime) -> bool:
    """Write the digest for `slot` to the outbox, unless a replica already did; True if this
    call wrote it."""
    try:
        async with ctx.db.transaction() as session:
            session.add(ReportRun(kind=DIGEST, slot_at=slot, claimed_at=ctx.clock.now()))
            await session.flush()
            built = await build(session, ctx, slot)
            now = ctx.clock.now()
            data: dict[str, Any] = {"lines": [line.to_json() for line in built.lines]}
            outbox.enqueue(session, ctx.platforms, None, outbox.DIGEST, now, data)
            if built.crises:
                chart = {"slot": slot.isoformat()}
                outbox.enqueue(session, ctx.platforms, None, outbox.DIGEST_CHART, now, chart)
    except IntegrityError:
        return False
    ctx.on_outbox()
    log.info("weekly digest written", slot=slot.isoformat(), lines=len(built.lines))
    return True


class DigestSchedule(WakeableLoop):
    """Knows the next moment the digest is due, and posts it once that moment has passed."""

    name = "weekly-digest"

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.trigger = cron_trigger(ctx.settings.digest_schedule, ctx.settings.zone)
        self.next_slot = next_after(self.trigger, ctx.clock.now())

    async def tick(self) -> None:
        now = self.ctx.clock.now()
        if now < self.next_slot:
            return
        # A bot that was down over several moments posts the latest one only.
        slot = self.next_slot
        while (following := next_after(self.trigger, slot)) <= now:
            slot = following
        await post(self.ctx, slot)
        self.next_slot = next_after(self.trigger, slot)
