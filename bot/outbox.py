"""Writing what the platforms must be told, in the same transaction as the change itself.

A platform's delivery worker reads these rows and sends them; if the platform is down or
the process dies, the rows are still there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Message
from models import OutboxMessage, OutboxStatus

# Post the crisis's root message (rendered from the crisis as it is when sent).
ROOT_POST = "root_post"
# A message in the crisis's thread.
THREAD = "thread"
# Post the playbook checklist into the crisis's thread (once), or re-render it in place.
PLAYBOOK_POST = "playbook_post"
PLAYBOOK_UPDATE = "playbook_update"
# Re-render the root message in place.
ROOT_UPDATE = "root_update"
# Only the root message's timer (next reminder, escalation) moved.
ROOT_TIMER = "root_timer"
# Post or re-render the live summary of the posts and comments (one thread reply).
SUMMARY = "summary"
# A top-level message in the crisis channel, about no crisis in particular: `data["lines"]`.
DIGEST = "digest"
# The digest's chart of crises per day, after it: `data["slot"]`, the moment it was due.
DIGEST_CHART = "digest_chart"
# The report on a closed crisis in its thread, and its chart (an image) after it.
REPORT = "report"
REPORT_CHART = "report_chart"
# A crisis's timeline as a CSV file in its thread (`/crisis export <n>`).
TIMELINE_CSV = "timeline_csv"

ORDERED, REFRESH = "ordered", "refresh"
# session.info key: the re-render rows a transaction has seen waiting, by platform, crisis, kind.
_WAITING = "outbox_waiting_refresh"
REFRESH_KINDS = frozenset({ROOT_UPDATE, ROOT_TIMER, SUMMARY})


def enqueue(
    session: AsyncSession,
    platforms: tuple[str, ...],
    crisis_id: int | None,
    kind: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    for platform in platforms:
        session.add(
            OutboxMessage(
                platform=platform,
                crisis_id=crisis_id,
                kind=kind,
                lane=REFRESH if kind in REFRESH_KINDS else ORDERED,
                data=data or {},
                created_at=now,
                available_at=now,
            )
        )


def thread(
    session: AsyncSession,
    platforms: tuple[str, ...],
    crisis_id: int,
    message: Message,
    now: datetime,
) -> None:
    enqueue(session, platforms, crisis_id, THREAD, now, message.to_json())


async def lock_waiting(
    session: AsyncSession, platforms: tuple[str, ...], crisis_id: int, kinds: tuple[str, ...]
) -> None:
    """Find and lock, in one look, this crisis's re-renders of these kinds that wait, for the
    `refresh` calls that follow in this transaction: a storm's batch asks the database once
    for the root message and the live summary, not once for each."""
    known: dict[tuple[str, int, str], tuple[OutboxMessage, bool]] = session.info.setdefault(
        _WAITING, {}
    )
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.platform.in_(platforms),
            OutboxMessage.crisis_id == crisis_id,
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.status == OutboxStatus.pending.value,
            OutboxMessage.claimed_by.is_(None),
        )
        .order_by(OutboxMessage.id)
        .with_for_update()
    )
    for row in rows.all():
        # Locked until this transaction ends, as a row it wrote: no worker sends it before.
        known.setdefault((row.platform, crisis_id, row.kind), (row, True))


async def refresh(
    session: AsyncSession,
    platforms: tuple[str, ...],
    crisis_id: int,
    kind: str,
    now: datetime,
    *,
    at_most_every: timedelta | None = None,
) -> bool:
    """Ask for a re-render of a message. One pending re-render per message is enough (it
    renders the crisis as it is when sent). With `at_most_every`, it waits until that long
    after the previous one was sent: a storm of alerts edits the message a few times, not
    once per alert. Without it, it goes now (a person's move must show at once).

    A re-render a worker holds right now may already have read the crisis as it was before
    this change, so it does not count as waiting: this change gets a row of its own.

    True when a row became due now (the delivery worker has something to send at once);
    a row due later is found by the worker's regular look."""
    due = False
    known: dict[tuple[str, int, str], tuple[OutboxMessage, bool]] = session.info.setdefault(
        _WAITING, {}
    )
    for platform in platforms:
        seen = known.get((platform, crisis_id, kind))
        if seen is not None and at_most_every is not None:
            message, ours = seen
            # Written or locked by this transaction (no worker sends it before the commit),
            # or seen waiting and not due yet (no worker claims it before then): a storm's
            # batch asks the database once, not once per alert.
            # (A row a rolled-back savepoint wrote has left the session.)
            if message in session and (
                ours or (message.claimed_by is None and message.available_at > now)
            ):
                continue
        # Locked until this transaction ends: a worker claiming it meanwhile would render
        # the crisis without this change (its claim waits, then renders after the commit).
        waiting = await session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.crisis_id == crisis_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status == OutboxStatus.pending.value,
                OutboxMessage.claimed_by.is_(None),
            )
            .with_for_update()
        )
        if waiting is not None:
            known[(platform, crisis_id, kind)] = (waiting, False)
            if at_most_every is None and waiting.available_at > now:
                waiting.available_at = now
                due = True
            continue
        available_at = now
        if at_most_every is not None:
            last_sent = await session.scalar(
                select(func.max(OutboxMessage.sent_at)).where(
                    OutboxMessage.platform == platform,
                    OutboxMessage.crisis_id == crisis_id,
                    OutboxMessage.kind == kind,
                    OutboxMessage.status == OutboxStatus.sent.value,
                )
            )
            if last_sent is not None:
                available_at = max(now, last_sent + at_most_every)
        message = OutboxMessage(
            platform=platform,
            crisis_id=crisis_id,
            kind=kind,
            lane=REFRESH,
            data={},
            created_at=now,
            available_at=available_at,
        )
        session.add(message)
        known[(platform, crisis_id, kind)] = (message, True)
        due = due or available_at <= now
    return due


async def thread_pending(session: AsyncSession, crisis_id: int, keys: tuple[str, ...]) -> bool:
    """Whether a thread message with one of these catalogue keys is still waiting to be sent
    to some platform."""
    rows = await session.scalars(
        select(OutboxMessage.data).where(
            OutboxMessage.crisis_id == crisis_id,
            OutboxMessage.kind == THREAD,
            OutboxMessage.status == OutboxStatus.pending.value,
        )
    )
    return any(data.get("key") in keys for data in rows.all())


async def refresh_now_many(
    session: AsyncSession,
    platforms: tuple[str, ...],
    crisis_ids: list[int],
    kind: str,
    now: datetime,
) -> None:
    """`refresh` without `at_most_every` for many crises: one look for their waiting
    re-renders per platform, and one insert of the missing ones."""
    missing: list[dict[str, Any]] = []
    for platform in platforms:
        # Locked, as in `refresh`.
        rows = await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.crisis_id.in_(crisis_ids),
                OutboxMessage.kind == kind,
                OutboxMessage.status == OutboxStatus.pending.value,
                OutboxMessage.claimed_by.is_(None),
            )
            .order_by(OutboxMessage.id)
            .with_for_update()
        )
        waiting: dict[int, OutboxMessage] = {}
        for found in rows.all():
            if found.crisis_id is not None:
                waiting.setdefault(found.crisis_id, found)
        for crisis_id in crisis_ids:
            message = waiting.get(crisis_id)
            if message is None:
                missing.append(row(platform, crisis_id, kind, now, {}))
            elif message.available_at > now:
                message.available_at = now
    if missing:
        await session.execute(insert(OutboxMessage.__table__), missing)


async def threads_many(
    session: AsyncSession,
    platforms: tuple[str, ...],
    messages: list[tuple[int, Message]],
    now: datetime,
) -> None:
    """`thread` for many crises, in one insert."""
    if messages:
        await session.execute(
            insert(OutboxMessage.__table__),
            [
                row(platform, crisis_id, THREAD, now, message.to_json())
                for crisis_id, message in messages
                for platform in platforms
            ],
        )


def row(
    platform: str, crisis_id: int, kind: str, now: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    """A message as an insert into the outbox takes it (`enqueue` of one platform)."""
    return {
        "platform": platform,
        "crisis_id": crisis_id,
        "kind": kind,
        "lane": REFRESH if kind in REFRESH_KINDS else ORDERED,
        "data": data,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "created_at": now,
        "available_at": now,
    }


async def threads_pending(
    session: AsyncSession, crisis_ids: list[int], keys: tuple[str, ...]
) -> set[int]:
    """`thread_pending` for many crises: those with such a message still waiting."""
    rows = await session.execute(
        select(OutboxMessage.crisis_id, OutboxMessage.data).where(
            OutboxMessage.crisis_id.in_(crisis_ids),
            OutboxMessage.kind == THREAD,
            OutboxMessage.status == OutboxStatus.pending.value,
        )
    )
    return {crisis_id for crisis_id, data in rows.all() if data.get("key") in keys}
