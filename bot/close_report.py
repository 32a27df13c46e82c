"""The report posted in a crisis's thread when it closes: what happened, in a few lines, the
figures, and a chart of the posts and comments over time.

The timeline is read by event kind and detail, never by its wording. The chart is drawn
on the shared Agg canvas (bot/chart_canvas.py) by the platform deliverers, in a worker
thread so the event loop keeps serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import chart_canvas, outbox
from bot.context import CoreContext
from bot.i18n import translate
from bot.messages import (
    Message,
    actor_ref,
    choice_ref,
    count_ref,
    duration_ref,
    link_ref,
    member_ref,
    number_ref,
    time_ref,
)
from bot.playbook import STEPS
from bot.stats import ESCALATED_OWNER_REASON, ESCALATION_KINDS
from models import Alert, Crisis, PlaybookTick, TimelineEvent

# The timeline events the report tells.
_TOLD = (
    "acknowledged",
    "owner_assigned",
    "resolution_proposed",
    "customer_confirmed",
    "closed",
    *ESCALATION_KINDS,
)


def enqueue(session: AsyncSession, ctx: CoreContext, crisis_id: int, now: datetime) -> None:
    """The crisis just closed: its report, then its chart, follow in the thread. Two rows, so
    a chart that cannot be sent never holds the text back."""
    outbox.enqueue(session, ctx.platforms, crisis_id, outbox.REPORT, now)
    outbox.enqueue(session, ctx.platforms, crisis_id, outbox.REPORT_CHART, now)


async def lines(session: AsyncSession, crisis: Crisis) -> list[Message]:
    events = (
        await session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.crisis_id == crisis.id, TimelineEvent.kind.in_(_TOLD))
            .order_by(TimelineEvent.id)
        )
    ).all()
    told = [
        Message("report.title", {"n": crisis.id}),
        Message(
            "report.opened",
            {
                "at": time_ref(crisis.opened_at),
                "post": link_ref(crisis.post_url, crisis.source, f"source.{crisis.source}"),
            },
        ),
    ]
    escalations = sum(
        1
        for e in events
        if e.kind in ESCALATION_KINDS
        or (e.kind == "owner_assigned" and e.detail.get("reason") == ESCALATED_OWNER_REASON)
    )
    if escalations:
        told.append(Message("report.escalations", {"count": count_ref("count.time", escalations)}))
    acknowledged = next((e for e in events if e.kind == "acknowledged"), None)
    if acknowledged is not None:
        told.append(
            Message(
                "report.acknowledged",
                {"at": time_ref(acknowledged.at), "by": _who(acknowledged)},
            )
        )
    steps = await session.scalar(
        select(func.count()).select_from(PlaybookTick).where(PlaybookTick.crisis_id == crisis.id)
    )
    told.append(Message("report.steps", {"done": int(steps or 0), "total": len(STEPS)}))
    proposed = [e for e in events if e.kind == "resolution_proposed"]
    if proposed:
        remedy = proposed[-1].detail.get("remedy") or ""
        told.append(
            Message(
                "report.proposed",
                {
                    "at": time_ref(proposed[-1].at),
                    "remedy": choice_ref("remedy", remedy) if remedy else "—",
                },
            )
        )
    confirmation = next(
        (e for e in reversed(events) if e.kind in ("customer_confirmed", "closed")), None
    )
    if confirmation is not None and confirmation.kind == "customer_confirmed":
        told.append(Message("report.confirmed_by_customer", {"at": time_ref(confirmation.at)}))
    elif confirmation is not None:
        told.append(
            Message(
                "report.confirmed_by_owner",
                {"at": time_ref(confirmation.at), "by": _who(confirmation)},
            )
        )
    posts, comments = await _counts(session, crisis.id)
    told.append(
        Message(
            "report.figures",
            {
                "to_ack": duration_ref(_seconds(crisis.opened_at, crisis.acknowledged_at)),
                "to_resolve": duration_ref(_seconds(crisis.opened_at, crisis.closed_at)),
                "posts": posts,
                "comments": comments,
                "reach": number_ref(crisis.total_reach),
            },
        )
    )
    return told


def _who(event: TimelineEvent) -> object:
    return member_ref(event.actor_member_id) if event.actor_member_id else actor_ref(event.actor)


def _seconds(start: datetime, end: datetime | None) -> float:
    return (end - start).total_seconds() if end else -1


async def _counts(session: AsyncSession, crisis_id: int) -> tuple[int, int]:
    total, comments = (
        await session.execute(
            select(func.count(), func.count(Alert.parent_url)).where(Alert.crisis_id == crisis_id)
        )
    ).one()
    return int(total) - int(comments), int(comments)


@dataclass(frozen=True)
class ChartData:
    crisis_id: int
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    posts: list[datetime]
    comments: list[datetime]


async def chart_data(session: AsyncSession, crisis: Crisis) -> ChartData:
    rows = (
        await session.execute(
            select(Alert.received_at, Alert.parent_url.is_not(None))
            .where(Alert.crisis_id == crisis.id)
            .order_by(Alert.received_at, Alert.id)
        )
    ).all()
    return ChartData(
        crisis_id=crisis.id,
        opened_at=crisis.opened_at,
        acknowledged_at=crisis.acknowledged_at,
        closed_at=crisis.closed_at,
        posts=[at for at, is_comment in rows if not is_comment],
        comments=[at for at, is_comment in rows if is_comment],
    )


def render_chart(data: ChartData, language: str, zone: tzinfo = UTC) -> bytes:
    """The PNG: posts and comments so far (cumulative) against time in `zone`, with the
    moments of acknowledgement and resolution marked. Blocking: call it in a worker thread."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    def t(key: str) -> str:
        return translate(language, key)

    figure = chart_canvas.figure()
    axes = figure.subplots()
    end = data.closed_at or max([data.opened_at, *data.posts, *data.comments])
    for times, key, colour in (
        (data.posts, "chart.posts", "#7a1f1f"),
        (data.comments, "chart.comments", "#d08a2e"),
    ):
        xs = [data.opened_at, *times, end]
        ys = [0, *range(1, len(times) + 1), len(times)]
        # Matplotlib's date units take datetimes; its annotations name only numbers.
        axes.step(xs, ys, where="post", color=colour, linewidth=2, label=t(key))  # type: ignore[arg-type]
    for moment, key, style in (
        (data.acknowledged_at, "chart.acknowledged", "--"),
        (data.closed_at, "chart.resolved", ":"),
    ):
        if moment is not None:
            axes.axvline(
                moment,  # type: ignore[arg-type]  # a datetime, as on the step lines
                color="#333333",
                linestyle=style,
                linewidth=1.5,
                label=t(key),
            )
    locator = AutoDateLocator(tz=zone)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(t("chart.count"))
    axes.set_title(translate(language, "chart.title", n=data.crisis_id))
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    return chart_canvas.png(figure)
