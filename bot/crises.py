"""The crisis service: reading crises and putting an owner in charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox, reminders, roster, timeline
from bot.actors import BOT, Actor
from bot.context import CoreContext
from bot.errors import NotFound
from bot.messages import Message, code_ref, duration_ref, member_ref, members_ref, time_ref
from bot.playbook import CLOSING_TICK, STEPS
from bot.severity import Severity
from models import Alert, Crisis, CrisisStatus, PlaybookTick, ReminderKind, RosterMember


# Built once (and their cache keys with them): nearly every command and click reads a
# crisis, and building the statement costs about as much as SQLAlchemy's work to run it.
@cache
def _by_number(*, for_update: bool) -> Select[Crisis]:
    query = select(Crisis).where(Crisis.id == bindparam("number"))
    return query.with_for_update() if for_update else query


@cache
def _open(limit: int) -> Select[Crisis]:
    return (
        select(Crisis)
        .where(Crisis.status != CrisisStatus.closed.value)
        .order_by(Crisis.id.desc())
        .limit(limit)
    )


async def get(session: AsyncSession, number: int, *, for_update: bool = False) -> Crisis:
    """The crisis `#number`; `for_update` locks its row until the transaction ends, so two
    moves on one crisis (a double click, two replicas) happen one after the other."""
    crisis = await session.scalar(_by_number(for_update=for_update), {"number": number})
    if crisis is None:
        raise NotFound("error.no_such_crisis", n=number)
    return crisis


async def open_crises(session: AsyncSession, limit: int = 30) -> list[Crisis]:
    rows = await session.scalars(_open(limit))
    return list(rows.all())


@dataclass(frozen=True)
class CrisisFacts:
    """What the root message shows besides the crisis row itself."""

    next_reminder: datetime | None
    steps_done: frozenset[str]
    closing_done: frozenset[str] = frozenset()


async def steps_done(session: AsyncSession, crisis_ids: list[int]) -> dict[int, frozenset[str]]:
    """The playbook steps ticked on each of these crises (the closing checklist aside)."""
    rows = await session.execute(
        select(PlaybookTick.crisis_id, PlaybookTick.step).where(
            PlaybookTick.crisis_id.in_(crisis_ids)
        )
    )
    ticked: dict[int, set[str]] = {crisis_id: set() for crisis_id in crisis_ids}
    for crisis_id, step in rows.all():
        if not step.startswith(CLOSING_TICK):
            ticked[crisis_id].add(step)
    return {crisis_id: frozenset(steps) for crisis_id, steps in ticked.items()}


async def facts(session: AsyncSession, crisis_id: int) -> CrisisFacts:
    reminder = await reminders.pending(session, crisis_id)
    ticks = (
        await session.scalars(select(PlaybookTick.step).where(PlaybookTick.crisis_id == crisis_id))
    ).all()
    return CrisisFacts(
        reminder.due_at if reminder else None,
        frozenset(tick for tick in ticks if not tick.startswith(CLOSING_TICK)),
        frozenset(
            tick.removeprefix(CLOSING_TICK) for tick in ticks if tick.startswith(CLOSING_TICK)
        ),
    )


def status_line(crisis: Crisis, crisis_facts: CrisisFacts, *, timer: bool = True) -> list[Message]:
    """The root message's last line, in parts each platform joins: when it opened, the
    playbook's progress, then the figures once closed, or (with `timer`) when it escalates
    (not acknowledged yet) or the next reminder is due."""
    parts = [
        Message("root.opened", {"at": time_ref(crisis.opened_at)}),
        Message("root.progress", {"done": len(crisis_facts.steps_done), "total": len(STEPS)}),
    ]
    if crisis.crisis_status is CrisisStatus.closed and crisis.closed_at:
        to_ack = crisis.acknowledged_at - crisis.opened_at if crisis.acknowledged_at else None
        parts.append(
            Message(
                "root.closed_times",
                {
                    "to_ack": duration_ref(to_ack.total_seconds() if to_ack else -1),
                    "to_resolve": duration_ref(
                        (crisis.closed_at - crisis.opened_at).total_seconds()
                    ),
                },
            )
        )
    elif timer and crisis_facts.next_reminder is not None:
        key = (
            "root.escalates_at"
            if crisis.crisis_status is CrisisStatus.open
            else "root.next_reminder"
        )
        parts.append(Message(key, {"at": time_ref(crisis_facts.next_reminder)}))
    return parts


async def changed(session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime) -> None:
    """The root message must show the crisis as it is now."""
    await outbox.refresh(session, ctx.platforms, crisis.id, outbox.ROOT_UPDATE, now)


async def timer_changed(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime
) -> None:
    """Only the root message's timer moved (a reminder or an escalation call fired): a
    platform whose root message does not show it leaves that message alone."""
    await outbox.refresh(session, ctx.platforms, crisis.id, outbox.ROOT_TIMER, now)


async def summary_changed(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime
) -> None:
    """New posts joined: the root message's counts and the live summary follow, throttled."""
    await summary_changed_of(session, ctx, crisis.id, now)


async def summary_changed_of(
    session: AsyncSession, ctx: CoreContext, crisis_id: int, now: datetime
) -> bool:
    """`summary_changed`; True when a re-render became due now (see `outbox.refresh`)."""
    every = ctx.settings.summary_interval
    due = False
    await outbox.lock_waiting(
        session, ctx.platforms, crisis_id, (outbox.ROOT_UPDATE, outbox.SUMMARY)
    )
    for kind in (outbox.ROOT_UPDATE, outbox.SUMMARY):
        due |= await outbox.refresh(
            session, ctx.platforms, crisis_id, kind, now, at_most_every=every
        )
    return due


async def assign_owner(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, *, reason: str
) -> None:
    """Put the least loaded senior in charge, tell them what to do first, and start the
    escalation clock.

    With nobody on the roster who can own a crisis, it stays unassigned, the thread says how
    to fix that, and the escalation clock still runs: when it fires, the bot tries again.
    """
    now = ctx.clock.now()
    member = await roster.pick_owner(session)
    if member is None:
        timeline.record(session, crisis.id, "no_owner", BOT, now)
    else:
        set_owner(session, crisis, member, BOT, now, reason=reason)
    leads: list[int] = []
    if crisis.severity == Severity.critical.value:
        # A critical crisis does not wait for the ladder: the leads hear of it at once.
        leads = [m.id for m in await roster.leads(session) if m.id != crisis.owner_id]
        if leads:
            timeline.record(session, crisis.id, "leads_told", BOT, now)
    for message in owner_news(crisis.id, crisis.owner_id, leads):
        outbox.thread(session, ctx.platforms, crisis.id, message, now)
    await reminders.schedule(
        session, crisis.id, ReminderKind.escalation, now + ctx.settings.ack_timeout, now
    )


def owner_news(crisis_id: int, owner_id: int | None, leads: list[int]) -> list[Message]:
    """What the thread of a crisis just given an owner says: who owns it (or, with nobody who
    can, how to fix that), then the `leads` to tell of a critical one."""
    if owner_id is None:
        news = [
            Message("thread.no_owner", {"command": code_ref("/crisis roster add @person senior")})
        ]
    else:
        news = [Message("thread.owner_assigned", {"owner": member_ref(owner_id), "n": crisis_id})]
    if leads:
        news.append(Message("thread.critical_leads", {"who": members_ref(leads), "n": crisis_id}))
    return news


def set_owner(
    session: AsyncSession,
    crisis: Crisis,
    member: RosterMember,
    actor: Actor,
    now: datetime,
    *,
    reason: str,
    actor_member_id: int | None = None,
) -> None:
    crisis.owner_id = member.id
    crisis.owner_assigned_at = now
    member.last_assigned_at = now
    timeline.record(
        session,
        crisis.id,
        "owner_assigned",
        actor,
        now,
        actor_member_id=actor_member_id,
        member=member.id,
        reason=reason,
    )


async def set_owners(session: AsyncSession, owners: list[tuple[int, int]], now: datetime) -> None:
    """`set_owner` by the bot for many (crisis, member) at once, as an escalation assigns:
    the crises and the members' last assignment in two updates; the timeline is the
    caller's."""
    if not owners:
        return
    table = Crisis.__table__
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("crisis"))
        .values(owner_id=bindparam("member"), owner_assigned_at=now),
        [{"crisis": crisis_id, "member": member_id} for crisis_id, member_id in owners],
    )
    await session.execute(
        update(RosterMember)
        .where(RosterMember.id.in_({member_id for _, member_id in owners}))
        .values(last_assigned_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class StormSummary:
    """The live summary of everything reported about a crisis."""

    posts: int
    comments: int
    total_reach: int
    sources: dict[str, int]
    newest: Alert | None
    most_influential: list[Alert]
    # Alerts per 10 minutes over the last hour, oldest first.
    trend: list[int]


TREND_BUCKET = timedelta(minutes=10)
TREND_BUCKETS = 6


async def storm_summary(session: AsyncSession, crisis_id: int, now: datetime) -> StormSummary:
    mine = Alert.crisis_id == crisis_id
    comments = func.count(Alert.parent_url)
    total, with_parent, reach = (
        await session.execute(
            select(func.count(), comments, func.coalesce(func.sum(Alert.reach), 0)).where(mine)
        )
    ).one()
    sources = dict(
        (
            await session.execute(
                select(Alert.source, func.count()).where(mine).group_by(Alert.source)
            )
        ).all()
    )
    newest = await session.scalar(
        select(Alert).where(mine).order_by(Alert.received_at.desc(), Alert.id.desc()).limit(1)
    )
    influential = await session.scalars(
        select(Alert)
        .where(mine, Alert.author_followers.is_not(None))
        .order_by(Alert.author_followers.desc(), Alert.id)
        .limit(3)
    )
    starts = [now - TREND_BUCKET * (TREND_BUCKETS - k) for k in range(TREND_BUCKETS)]
    buckets = [
        func.coalesce(
            func.sum(
                case(
                    (and_(Alert.received_at >= start, Alert.received_at < start + TREND_BUCKET), 1),
                    else_=0,
                )
            ),
            0,
        )
        for start in starts
    ]
    trend = (
        await session.execute(select(*buckets).where(mine, Alert.received_at >= starts[0]))
    ).one()
    return StormSummary(
        posts=int(total) - int(with_parent),
        comments=int(with_parent),
        total_reach=int(reach or 0),
        sources={str(k): int(v) for k, v in sources.items()},
        newest=newest,
        most_influential=list(influential.all()),
        trend=[int(value) for value in trend],
    )
