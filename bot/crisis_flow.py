"""Moves on a crisis: acknowledge, reassign, propose a resolution, confirm, reopen, snooze,
tick playbook steps; and what a reminder does when it falls due.

Each move runs in one transaction with the crisis row locked: it checks who asks and
whether the state allows it (refusing changes nothing), changes the crisis, records the
timeline, reschedules reminders and queues what the platforms must say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import (
    close_report,
    confirmation_links,
    crises,
    group_store,
    outbox,
    reminders,
    roster,
    states,
    timeline,
)
from bot.actors import BOT, CUSTOMER, Actor
from bot.categories import Category
from bot.context import CoreContext
from bot.errors import Forbidden, InvalidInput
from bot.grouping import Key, post_group_key
from bot.messages import (
    Message,
    bullets_ref,
    choice_ref,
    duration_ref,
    everyone_ref,
    link_ref,
    member_ref,
    members_ref,
    sentences_ref,
    time_ref,
)
from bot.playbook import (
    CLOSING_ITEMS,
    CLOSING_TICK,
    STEPS,
    Remedy,
    closing_checklist,
    next_step,
    step_title_key,
)
from bot.states import Move
from models import (
    Alert,
    Crisis,
    CrisisStatus,
    PlaybookTick,
    Reminder,
    ReminderKind,
    RosterLevel,
    RosterMember,
    TimelineEvent,
)
from models.confirmation import ConfirmationLink

MAX_NOTE = 3000
FOLLOW_UP_KEYS = ("thread.reminder_next_step", "thread.follow_up_confirmation")
MAX_SNOOZE = timedelta(days=30)


async def authorize(session: AsyncSession, crisis: Crisis, actor: Actor) -> RosterMember:
    """The owner or a lead may move a crisis. While the roster has no lead, a senior may
    take an unowned crisis, so a team without leads is never stuck."""
    member = await roster.find_member(session, actor)
    if member is not None and (
        member.id == crisis.owner_id or member.roster_level is RosterLevel.lead
    ):
        return member
    # The leads are read only when the answer depends on them: the owner or a lead (nearly
    # every click) is let through without reading the whole roster.
    leads = await roster.leads(session)
    if member is not None and not leads and crisis.owner_id is None and member.roster_level.can_own:
        return member
    raise Forbidden(
        "error.owner_or_lead",
        n=crisis.id,
        owner=member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"),
        leads=members_ref([m.id for m in leads]) if leads else choice_ref("owner", "none"),
    )


Change = Callable[[AsyncSession, Crisis, RosterMember, datetime], Awaitable[Message]]


async def _move(
    ctx: CoreContext,
    number: int,
    actor: Actor,
    move: Move,
    change: Change,
    *,
    timer_only: bool = False,
) -> Message:
    """`timer_only`: the move changes nothing on the root message but its timer."""
    async with ctx.db.transaction() as session:
        crisis = await crises.get(session, number, for_update=True)
        member = await authorize(session, crisis, actor)
        states.check(move, crisis.crisis_status, crisis.id)
        now = ctx.clock.now()
        reply = await change(session, crisis, member, now)
        if timer_only:
            await crises.timer_changed(session, ctx, crisis, now)
        else:
            await crises.changed(session, ctx, crisis, now)
    ctx.on_outbox()
    return reply


def _thread(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    key: str,
    now: datetime,
    **params: object,
) -> None:
    outbox.thread(session, ctx.platforms, crisis.id, Message(key, {"n": crisis.id, **params}), now)


def _record(
    session: AsyncSession,
    crisis: Crisis,
    kind: str,
    actor: Actor,
    member: RosterMember | None,
    now: datetime,
    **detail: object,
) -> None:
    timeline.record(
        session,
        crisis.id,
        kind,
        actor,
        now,
        actor_member_id=member.id if member else None,
        **detail,
    )


async def acknowledge(ctx: CoreContext, number: int, actor: Actor) -> Message:
    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        crisis.status = states.after(Move.acknowledge, crisis.crisis_status).value
        if crisis.acknowledged_at is None:
            crisis.acknowledged_at = now
        previous = crisis.owner_id
        if previous != member.id:
            # Acknowledging takes the crisis: a lead answering an escalation becomes its
            # owner, so the reminders follow the person who is actually on it.
            crises.set_owner(
                session,
                crisis,
                member,
                actor,
                now,
                reason="took" if previous is None else "took_over",
                actor_member_id=member.id,
            )
        _record(session, crisis, "acknowledged", actor, member, now)
        if previous is None or previous == member.id:
            _thread(session, ctx, crisis, "thread.acknowledged", now, member=member_ref(member.id))
        else:
            _thread(
                session,
                ctx,
                crisis,
                "thread.took_over",
                now,
                member=member_ref(member.id),
                previous=member_ref(previous),
            )
        outbox.enqueue(session, ctx.platforms, crisis.id, outbox.PLAYBOOK_POST, now)
        await reminders.schedule(
            session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
        )
        return Message("reply.acknowledged", {"n": crisis.id})

    return await _move(ctx, number, actor, Move.acknowledge, change)


async def reassign(ctx: CoreContext, number: int, actor: Actor, person: Actor) -> Message:
    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        target = await roster.find_member(session, person)
        if target is None or not target.roster_level.can_own:
            raise InvalidInput("error.cannot_own")
        if target.id == crisis.owner_id:
            raise InvalidInput("error.already_owner", n=crisis.id, owner=member_ref(target.id))
        previous = crisis.owner_id
        crisis.status = states.after(Move.reassign, crisis.crisis_status).value
        crises.set_owner(
            session, crisis, target, actor, now, reason="reassigned", actor_member_id=member.id
        )
        _thread(
            session,
            ctx,
            crisis,
            "thread.reassigned",
            now,
            actor=member_ref(member.id),
            owner=member_ref(target.id),
            previous=member_ref(previous) if previous else choice_ref("owner", "none"),
        )
        if crisis.crisis_status is CrisisStatus.open:
            await reminders.schedule(
                session, crisis.id, ReminderKind.escalation, now + ctx.settings.ack_timeout, now
            )
        return Message("reply.reassigned", {"n": crisis.id, "owner": member_ref(target.id)})

    return await _move(ctx, number, actor, Move.reassign, change)


def resolution_details(remedy: str | None, note: str | None) -> dict[str, Any]:
    """The remedy and the note as sentences of their own; either may be missing."""
    parts = []
    if remedy:
        parts.append(Message("resolution.remedy", {"remedy": choice_ref("remedy", remedy)}))
    if note:
        parts.append(Message("resolution.note", {"note": note}))
    return sentences_ref(parts)


def _note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput("error.note_too_long", limit=MAX_NOTE)
    return note


async def propose_resolution(
    ctx: CoreContext, number: int, actor: Actor, remedy: str | None, note: str | None
) -> Message:
    if remedy is not None and remedy not in Remedy.__members__:
        raise InvalidInput("error.bad_remedy")
    clean_note = _note(note)

    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        crisis.status = states.after(Move.propose_resolution, crisis.crisis_status).value
        crisis.resolution_proposed_at = now
        crisis.resolution_remedy = remedy
        crisis.resolution_note = clean_note
        _record(
            session,
            crisis,
            "resolution_proposed",
            actor,
            member,
            now,
            remedy=remedy or "",
            note=clean_note or "",
        )
        _thread(
            session,
            ctx,
            crisis,
            "thread.resolution_proposed",
            now,
            actor=member_ref(member.id),
            details=resolution_details(remedy, clean_note),
            checklist=bullets_ref(list(closing_checklist(crisis.source))),
        )
        await _offer_link(session, ctx, crisis, now)
        await reminders.schedule(
            session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
        )
        return Message("reply.resolution_proposed", {"n": crisis.id})

    return await _move(ctx, number, actor, Move.propose_resolution, change)


async def _offer_link(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime
) -> None:
    """Give the owner a link the customer can confirm with (or say what it needs)."""
    link = await confirmation_links.create(session, ctx, crisis, now)
    if link is None:
        _thread(session, ctx, crisis, "thread.confirmation_link_off", now)
        return
    _record(session, crisis, "confirmation_link", BOT, None, now, language=link.language)
    _thread(
        session,
        ctx,
        crisis,
        "thread.confirmation_link",
        now,
        owner=member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"),
        link=link_ref(link.url, link.url),
        language=choice_ref("language", link.language),
        until=time_ref(link.expires_at),
    )


async def confirm(ctx: CoreContext, number: int, actor: Actor, note: str | None) -> Message:
    clean_note = _note(note)

    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        done = (await crises.facts(session, crisis.id)).steps_done
        unticked = [step_title_key(step) for step in STEPS if step.value not in done]
        await _close(session, ctx, crisis, now)
        _record(session, crisis, "closed", actor, member, now, note=clean_note or "")
        _thread(
            session,
            ctx,
            crisis,
            "thread.closed",
            now,
            actor=member_ref(member.id),
            to_ack=duration_ref(_seconds(crisis.opened_at, crisis.acknowledged_at)),
            to_resolve=duration_ref(_seconds(crisis.opened_at, now)),
            details=resolution_details(None, clean_note),
        )
        close_report.enqueue(session, ctx, crisis.id, now)
        if unticked:
            # Closing is the person's call; the steps left out are said, not enforced.
            return Message(
                "reply.closed_unticked", {"n": crisis.id, "steps": bullets_ref(unticked)}
            )
        return Message("reply.closed", {"n": crisis.id})

    return await _move(ctx, number, actor, Move.confirm, change)


async def _close(session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime) -> None:
    crisis.status = states.after(Move.confirm, crisis.crisis_status).value
    crisis.closed_at = now
    await group_store.hold_after_close(session, crisis.id, now + ctx.settings.relapse_window)
    await reminders.cancel(session, crisis.id)


async def customer_confirmed(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, link: ConfirmationLink
) -> None:
    """The customer said "yes" on the confirmation page: the crisis closes. The caller
    verified the link and holds the crisis locked."""
    now = ctx.clock.now()
    states.check(Move.confirm, crisis.crisis_status, crisis.id)
    await _close(session, ctx, crisis, now)
    link.outcome, link.answered_at = "solved", now
    timeline.record(session, crisis.id, "customer_confirmed", CUSTOMER, now, link=link.id)
    _thread(
        session,
        ctx,
        crisis,
        "thread.customer_confirmed",
        now,
        at=time_ref(now),
        to_ack=duration_ref(_seconds(crisis.opened_at, crisis.acknowledged_at)),
        to_resolve=duration_ref(_seconds(crisis.opened_at, now)),
    )
    close_report.enqueue(session, ctx, crisis.id, now)
    await crises.changed(session, ctx, crisis, now)


async def customer_not_yet(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    link: ConfirmationLink,
    comment: str | None,
) -> None:
    """The customer said "not yet": back to acknowledged, the owner is told, and the
    reminders go on. The caller verified the link and holds the crisis locked."""
    now = ctx.clock.now()
    states.check(Move.reopen, crisis.crisis_status, crisis.id)
    crisis.status = states.after(Move.reopen, crisis.crisis_status).value
    link.outcome, link.answered_at = "not_yet", now
    timeline.record(
        session, crisis.id, "customer_not_yet", CUSTOMER, now, link=link.id, comment=comment or ""
    )
    _thread(
        session,
        ctx,
        crisis,
        "thread.customer_not_yet",
        now,
        owner=member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"),
        at=time_ref(now),
        comment=comment or "—",
    )
    await reminders.schedule(
        session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
    )
    await crises.changed(session, ctx, crisis, now)


async def relapse(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, key: str, url: str
) -> None:
    """A new negative post under a crisis closed within the relapse window, or by its
    author, reopens it; the thread says why. The caller holds the crisis locked."""
    now = ctx.clock.now()
    states.check(Move.reopen, crisis.crisis_status, crisis.id)
    reason = "post" if key.startswith("post:") else "author"
    closed_at = crisis.closed_at
    crisis.status = states.after(Move.reopen, crisis.crisis_status).value
    crisis.closed_at = None
    await _reclaim_post(session, crisis, now)
    timeline.record(session, crisis.id, "relapsed", BOT, now, reason=reason, url=url)
    _thread(
        session,
        ctx,
        crisis,
        "thread.relapsed",
        now,
        owner=member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"),
        reason=choice_ref("relapse", reason),
        after=duration_ref(_seconds(closed_at, now) if closed_at else -1.0),
        post=link_ref(url, url),
    )
    await reminders.schedule(
        session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
    )
    await crises.changed(session, ctx, crisis, now)


def _seconds(start: datetime, end: datetime | None) -> float:
    return (end - start).total_seconds() if end else -1.0


async def reopen(ctx: CoreContext, number: int, actor: Actor) -> Message:
    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        was_closed = crisis.crisis_status is CrisisStatus.closed
        crisis.status = states.after(Move.reopen, crisis.crisis_status).value
        crisis.closed_at = None
        if was_closed:
            await _reclaim_post(session, crisis, now)
        _record(session, crisis, "reopened", actor, member, now)
        _thread(session, ctx, crisis, "thread.reopened", now, actor=member_ref(member.id))
        await reminders.schedule(
            session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
        )
        return Message("reply.reopened", {"n": crisis.id})

    return await _move(ctx, number, actor, Move.reopen, change)


async def _reclaim_post(session: AsyncSession, crisis: Crisis, now: datetime) -> None:
    """New comments on the post join the reopened crisis again, unless a newer crisis about
    the same post is open (then they keep going there)."""
    parents = await session.scalars(
        select(Alert.parent_url).where(Alert.crisis_id == crisis.id, Alert.parent_url.is_not(None))
    )
    urls = {crisis.post_url, *(url for url in parents.all() if url)}
    await group_store.claim(
        session, crisis.id, [Key(post_group_key(url), None) for url in urls], now
    )


async def snooze(ctx: CoreContext, number: int, actor: Actor, until: datetime) -> Message:
    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        if until <= now or until - now > MAX_SNOOZE:
            raise InvalidInput("error.bad_snooze")
        reminder = await reminders.pending(session, crisis.id)
        kind = ReminderKind(reminder.kind) if reminder else ReminderKind.follow_up
        await reminders.schedule(session, crisis.id, kind, until, now)
        _record(session, crisis, "snoozed", actor, member, now, until=until.isoformat())
        _thread(
            session,
            ctx,
            crisis,
            "thread.snoozed",
            now,
            actor=member_ref(member.id),
            until=time_ref(until),
        )
        return Message("reply.snoozed", {"n": crisis.id, "until": time_ref(until)})

    return await _move(ctx, number, actor, Move.snooze, change, timer_only=True)


async def show_playbook(ctx: CoreContext, number: int) -> Message:
    """Anyone may look at the playbook: the crisis keeps one checklist in its thread, posted
    now if it is not there yet and refreshed if it is, never a second copy."""
    async with ctx.db.transaction() as session:
        crisis = await crises.get(session, number, for_update=True)
        outbox.enqueue(session, ctx.platforms, crisis.id, outbox.PLAYBOOK_UPDATE, ctx.clock.now())
    ctx.on_outbox()
    return Message("reply.playbook_in_thread", {"n": number})


async def set_category(ctx: CoreContext, number: int, actor: Actor, category: str) -> Message:
    """A person corrects the guessed category; the playbook's remedies follow it."""
    if category not in Category.__members__:
        raise InvalidInput("error.bad_category")

    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        if crisis.category != category:
            previous = crisis.category
            crisis.category = category
            _record(
                session, crisis, "category_changed", actor, member, now, to=category, was=previous
            )
            outbox.enqueue(session, ctx.platforms, crisis.id, outbox.PLAYBOOK_UPDATE, now)
        return Message(
            "reply.category", {"n": crisis.id, "category": choice_ref("category", category)}
        )

    return await _move(ctx, number, actor, Move.categorise, change)


async def set_steps(ctx: CoreContext, number: int, actor: Actor, done: set[str]) -> Message:
    """Make the ticked playbook steps exactly `done` (a checklist sends its whole state)."""
    if done - {step.value for step in STEPS}:
        raise InvalidInput("error.bad_step")

    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        await _set_ticks(session, ctx, crisis, actor, member, now, done, "", "step")
        return Message(
            "reply.steps",
            {"n": crisis.id, "done": len(done), "total": len(STEPS), "next": _next_step_ref(done)},
        )

    return await _move(ctx, number, actor, Move.tick, change)


async def set_closing(ctx: CoreContext, number: int, actor: Actor, done: set[str]) -> Message:
    """Make the ticked closing checklist items exactly `done`."""
    if done - {item.value for item in CLOSING_ITEMS}:
        raise InvalidInput("error.bad_step")

    async def change(
        session: AsyncSession, crisis: Crisis, member: RosterMember, now: datetime
    ) -> Message:
        await _set_ticks(session, ctx, crisis, actor, member, now, done, CLOSING_TICK, "closing")
        return Message(
            "reply.closing_ticked", {"n": crisis.id, "done": len(done), "total": len(CLOSING_ITEMS)}
        )

    return await _move(ctx, number, actor, Move.tick_closing, change)


async def _set_ticks(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    actor: Actor,
    member: RosterMember,
    now: datetime,
    done: set[str],
    prefix: str,
    event: str,
) -> None:
    """One checklist's ticks (those under `prefix`) become exactly `done`; each change is in
    the timeline (`<event>_done`, `<event>_undone`) and the checklist is re-rendered."""
    rows = await session.scalars(
        select(PlaybookTick.step).where(PlaybookTick.crisis_id == crisis.id)
    )
    ticked = {
        tick.removeprefix(prefix)
        for tick in rows.all()
        if tick.startswith(prefix) and (prefix or not tick.startswith(CLOSING_TICK))
    }
    for name in sorted(done - ticked):
        session.add(
            PlaybookTick(crisis_id=crisis.id, step=prefix + name, member_id=member.id, at=now)
        )
        _record(session, crisis, f"{event}_done", actor, member, now, step=name)
    for name in sorted(ticked - done):
        await session.execute(
            delete(PlaybookTick).where(
                PlaybookTick.crisis_id == crisis.id, PlaybookTick.step == prefix + name
            )
        )
        _record(session, crisis, f"{event}_undone", actor, member, now, step=name)
    if done != ticked:
        outbox.enqueue(session, ctx.platforms, crisis.id, outbox.PLAYBOOK_UPDATE, now)


def _next_step_ref(done: set[str] | frozenset[str]) -> dict[str, str]:
    upcoming = next_step(done)
    return (
        choice_ref("playbook.step", upcoming.value)
        if upcoming
        else choice_ref("playbook", "all_done")
    )


async def fire(session: AsyncSession, ctx: CoreContext, reminder: Reminder, now: datetime) -> None:
    """Do what a due reminder is for, and schedule the next one. Runs in the sweep's
    transaction, with the crisis and the reminder locked: it happens once, whichever replica
    runs it."""
    crisis = await crises.get(session, reminder.crisis_id, for_update=True)
    status = crisis.crisis_status
    if reminder.kind == ReminderKind.escalation and status is CrisisStatus.open:
        await _escalate(session, ctx, crisis, now)
    elif reminder.kind == ReminderKind.follow_up and status in (
        CrisisStatus.acknowledged,
        CrisisStatus.awaiting_confirmation,
    ):
        await _follow_up(session, ctx, crisis, now)
    # Anything else is stale (the crisis moved on): it just ends.


def escalates(kind: str, status: CrisisStatus) -> bool:
    """Whether a due reminder of this kind, on a crisis in this state, climbs the escalation
    ladder (it picks an owner, so the roster must be locked first)."""
    return kind == ReminderKind.escalation and status is CrisisStatus.open


async def follow_up_many(
    session: AsyncSession,
    ctx: CoreContext,
    due: list[tuple[int, CrisisStatus, int | None]],
    now: datetime,
) -> None:
    """What `fire` does for many due follow-ups at once, with each crisis locked and its
    reminder marked fired: (crisis, its state, its owner) for each. The reads are one query
    each for all of them, the writes are bulk."""
    chased = [
        (crisis_id, status, owner_id)
        for crisis_id, status, owner_id in due
        if status in (CrisisStatus.acknowledged, CrisisStatus.awaiting_confirmation)
    ]
    if not chased:
        return
    ids = [crisis_id for crisis_id, _, _ in chased]
    unread = await outbox.threads_pending(session, ids, FOLLOW_UP_KEYS)
    steps = await crises.steps_done(
        session,
        [
            crisis_id
            for crisis_id, status, _ in chased
            if crisis_id not in unread and status is CrisisStatus.acknowledged
        ],
    )
    messages: list[tuple[int, Message]] = []
    events: list[tuple[int, str]] = []
    for crisis_id, status, owner_id in chased:
        if crisis_id in unread:
            # As in _follow_up: one unread reminder is enough.
            events.append((crisis_id, "reminder_skipped"))
            continue
        owner = member_ref(owner_id) if owner_id else choice_ref("owner", "none")
        if status is CrisisStatus.awaiting_confirmation:
            message = Message("thread.follow_up_confirmation", {"n": crisis_id, "owner": owner})
        else:
            message = Message(
                "thread.reminder_next_step",
                {"n": crisis_id, "owner": owner, "next": _next_step_ref(steps[crisis_id])},
            )
        messages.append((crisis_id, message))
        events.append((crisis_id, "reminded"))
    await outbox.threads_many(session, ctx.platforms, messages, now)
    await timeline.record_many(session, events, BOT, now)
    await reminders.schedule_many(
        session, ids, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
    )
    await outbox.refresh_now_many(session, ctx.platforms, ids, outbox.ROOT_TIMER, now)


async def escalate_many(
    session: AsyncSession,
    ctx: CoreContext,
    due: list[tuple[int, CrisisStatus, int | None]],
    now: datetime,
) -> None:
    """What `fire` does for many due escalations, in this order, with each crisis locked,
    the roster locked and each reminder marked fired: (crisis, its state, its owner) for
    each. The ladders, the roster and its load are read once; each pick is applied to the
    load before the next one, so the owners are those of firing them one by one. The
    writes are bulk."""
    climbing = [
        (crisis_id, owner_id) for crisis_id, status, owner_id in due if status is CrisisStatus.open
    ]
    if not climbing:
        return
    ids = [crisis_id for crisis_id, _ in climbing]
    ladders = await _ladders(session, ids)
    picker = await roster.Picker.read(session)
    leads = picker.leads()
    seconds = ctx.settings.ack_timeout.total_seconds()
    owners: list[tuple[int, int]] = []
    messages: list[tuple[int, Message]] = []
    events: list[dict[str, Any]] = []
    changed: list[int] = []
    timers: list[int] = []
    for crisis_id, previous in climbing:
        had, leads_called = ladders[crisis_id]
        candidate = picker.pick(had, seniors_only=previous is not None)
        if candidate is not None:
            picker.assigned(candidate.id, previous, now)
            owners.append((crisis_id, candidate.id))
        event, message = _rung(crisis_id, previous, candidate, leads, leads_called, seconds)
        if candidate is not None:
            events.append(
                timeline.row(crisis_id, event, BOT, now, member=candidate.id, reason="escalated")
            )
            changed.append(crisis_id)
        else:
            events.append(timeline.row(crisis_id, event, BOT, now))
            timers.append(crisis_id)
        messages.append((crisis_id, message))
    await crises.set_owners(session, owners, now)
    await timeline.add_rows(session, events)
    await outbox.threads_many(session, ctx.platforms, messages, now)
    if changed:
        await outbox.refresh_now_many(session, ctx.platforms, changed, outbox.ROOT_UPDATE, now)
    if timers:
        await outbox.refresh_now_many(session, ctx.platforms, timers, outbox.ROOT_TIMER, now)
    await reminders.schedule_many(
        session, ids, ReminderKind.escalation, now + ctx.settings.ack_timeout, now
    )


async def _escalate(session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime) -> None:
    """One rung up the ladder, louder each time: the next senior who has not had the crisis
    yet, then all the leads, then the whole channel (repeated every ACK_TIMEOUT until someone
    acknowledges). Nobody who let it lapse gets it back."""
    timeout = ctx.settings.ack_timeout
    previous = crisis.owner_id
    had, leads_called = await _ladder_so_far(session, crisis.id)
    candidate = await roster.pick_owner(session, exclude=had, seniors_only=previous is not None)
    leads = [m.id for m in await roster.leads(session)]
    event, message = _rung(
        crisis.id, previous, candidate, leads, leads_called, timeout.total_seconds()
    )
    if candidate is not None:
        crises.set_owner(session, crisis, candidate, BOT, now, reason="escalated")
    else:
        timeline.record(session, crisis.id, event, BOT, now)
    outbox.thread(session, ctx.platforms, crisis.id, message, now)
    if candidate is not None:
        await crises.changed(session, ctx, crisis, now)
    else:
        await crises.timer_changed(session, ctx, crisis, now)
    await reminders.schedule(session, crisis.id, ReminderKind.escalation, now + timeout, now)


def _rung(
    crisis_id: int,
    previous: int | None,
    candidate: RosterMember | None,
    leads: list[int],
    leads_called: bool,
    seconds: float,
) -> tuple[str, Message]:
    """Where an escalation climbs, as its timeline event and thread message: `candidate`
    (the next senior, if there is one), then all the leads, then the whole channel."""
    timeout = duration_ref(seconds)
    if candidate is not None:
        owner = member_ref(candidate.id)
        if previous is None:
            return "owner_assigned", Message(
                "thread.owner_assigned", {"n": crisis_id, "owner": owner}
            )
        return "owner_assigned", Message(
            "thread.escalated",
            {"n": crisis_id, "previous": member_ref(previous), "owner": owner, "timeout": timeout},
        )
    if leads and not leads_called:
        return "escalated_to_leads", Message(
            "thread.escalation_leads",
            {"n": crisis_id, "who": members_ref(leads), "timeout": timeout},
        )
    return "escalated_to_channel", Message(
        "thread.escalation_nobody", {"n": crisis_id, "who": everyone_ref(), "timeout": timeout}
    )


async def _ladder_so_far(session: AsyncSession, crisis_id: int) -> tuple[set[int], bool]:
    return (await _ladders(session, [crisis_id]))[crisis_id]


async def _ladders(
    session: AsyncSession, crisis_ids: list[int]
) -> dict[int, tuple[set[int], bool]]:
    """For each crisis: everyone who has owned it, and whether the leads were called since a
    person last handed it to someone (a hand-over starts the upper rungs again)."""
    rows = await session.execute(
        select(TimelineEvent.crisis_id, TimelineEvent.kind, TimelineEvent.detail)
        .where(
            TimelineEvent.crisis_id.in_(crisis_ids),
            TimelineEvent.kind.in_(("owner_assigned", "escalated_to_leads")),
        )
        .order_by(TimelineEvent.id)
    )
    had: dict[int, set[int]] = {crisis_id: set() for crisis_id in crisis_ids}
    leads_called = dict.fromkeys(crisis_ids, False)
    for crisis_id, kind, detail in rows.all():
        if kind == "escalated_to_leads":
            leads_called[crisis_id] = True
            continue
        had[crisis_id].add(int(detail["member"]))
        if detail.get("reason") == "reassigned":
            leads_called[crisis_id] = False
    return {crisis_id: (had[crisis_id], leads_called[crisis_id]) for crisis_id in crisis_ids}


async def _follow_up(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime
) -> None:
    owner = member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none")
    if await outbox.thread_pending(session, crisis.id, FOLLOW_UP_KEYS):
        # The last reminder has not reached the thread yet (the platform is down or slow):
        # one unread reminder is enough; a pile of them arriving at once would be spam.
        timeline.record(session, crisis.id, "reminder_skipped", BOT, now)
    else:
        if crisis.crisis_status is CrisisStatus.awaiting_confirmation:
            _thread(session, ctx, crisis, "thread.follow_up_confirmation", now, owner=owner)
        else:
            done = (await crises.facts(session, crisis.id)).steps_done
            _thread(
                session,
                ctx,
                crisis,
                "thread.reminder_next_step",
                now,
                owner=owner,
                next=_next_step_ref(done),
            )
        timeline.record(session, crisis.id, "reminded", BOT, now)
    await reminders.schedule(
        session, crisis.id, ReminderKind.follow_up, now + ctx.settings.reminder_interval, now
    )
    await crises.timer_changed(session, ctx, crisis, now)
