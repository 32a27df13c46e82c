"""A person's overview of the crises: the ones they own, and every open one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import crises, roster
from bot.actors import Actor
from bot.messages import choice_ref
from bot.playbook import next_step
from models import Crisis, CrisisStatus

# The most crises each list shows, newest first.
LISTED = 30


@dataclass(frozen=True)
class HomeCrisis:
    crisis: Crisis
    # What the owner should do next, as a catalogue reference.
    next_step: dict[str, str]
    # When the next reminder or escalation comes, if one is scheduled.
    due: datetime | None
    # Still not acknowledged ACK_TIMEOUT after the owner got it (or after it opened).
    overdue_ack: bool


@dataclass(frozen=True)
class Home:
    mine: list[HomeCrisis]
    open: list[HomeCrisis]
    on_roster: bool


async def _entry(
    session: AsyncSession, crisis: Crisis, now: datetime, ack_timeout: timedelta
) -> HomeCrisis:
    facts = await crises.facts(session, crisis.id)
    status = crisis.crisis_status
    if status is CrisisStatus.open:
        step = choice_ref("home.next", "acknowledge")
    elif status is CrisisStatus.awaiting_confirmation:
        step = choice_ref("home.next", "confirmation")
    else:
        upcoming = next_step(facts.steps_done)
        step = (
            choice_ref("playbook.step", upcoming.value)
            if upcoming
            else choice_ref("home.next", "resolve")
        )
    started = crisis.owner_assigned_at or crisis.opened_at
    return HomeCrisis(
        crisis=crisis,
        next_step=step,
        due=facts.next_reminder,
        overdue_ack=status is CrisisStatus.open and started + ack_timeout <= now,
    )


async def home(session: AsyncSession, who: Actor, now: datetime, ack_timeout: timedelta) -> Home:
    member = await roster.find_member(session, who)
    still_open = Crisis.status != CrisisStatus.closed.value
    mine: list[Crisis] = []
    if member is not None:
        rows = await session.scalars(
            select(Crisis)
            .where(still_open, Crisis.owner_id == member.id)
            .order_by(Crisis.id.desc())
            .limit(LISTED)
        )
        mine = list(rows.all())
    every = await crises.open_crises(session, limit=LISTED)
    return Home(
        mine=[await _entry(session, c, now, ack_timeout) for c in mine],
        open=[await _entry(session, c, now, ack_timeout) for c in every],
        on_roster=member is not None,
    )
