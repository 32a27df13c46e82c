"""Group keys in the database: find an alert's open crisis, claim keys for a crisis, and
keep a closed crisis's keys for the relapse watch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.grouping import Key
from models import Crisis, CrisisStatus, GroupKey


async def find_open_crisis(session: AsyncSession, keys: list[str], now: datetime) -> Crisis | None:
    """The open crisis holding the first of `keys` (in order of preference)."""
    by_key = await open_crises(session, keys, now)
    return next((by_key[key] for key in keys if key in by_key), None)


async def open_crises(
    session: AsyncSession, keys: Iterable[str], now: datetime
) -> dict[str, Crisis]:
    """The open crisis holding each of `keys`, for those an open crisis holds."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = (
        await session.execute(
            select(GroupKey.key, Crisis)
            .join(Crisis, Crisis.id == GroupKey.crisis_id)
            .where(
                GroupKey.key.in_(wanted),
                or_(GroupKey.expires_at.is_(None), GroupKey.expires_at > now),
                Crisis.status != CrisisStatus.closed.value,
            )
        )
    ).all()
    return {key: crisis for key, crisis in rows}


class LostRace(Exception):
    """A crisis just opened for keys that a concurrent transaction, committed meanwhile,
    gave to its own new crisis: the caller retries and then joins that one."""


async def claim(
    session: AsyncSession,
    crisis_id: int,
    keys: Iterable[Key],
    now: datetime,
    *,
    new_crisis: bool = False,
) -> None:
    """Give the crisis these keys: new ones, its own (refreshing their expiry) and expired
    ones of other crises. A key another open crisis holds stays where it is, except for a
    `new_crisis`: it was opened because no open crisis held any of them, so one that does
    now won a race (LostRace).

    Inserting a key a concurrent transaction inserted first raises IntegrityError: the
    caller retries, and then finds that crisis.
    """
    for key in keys:
        current = await session.get(GroupKey, key.key)
        if current is None:
            session.add(GroupKey(key=key.key, crisis_id=crisis_id, expires_at=key.expires_at))
            await session.flush()
        elif (
            current.crisis_id == crisis_id
            or (current.expires_at is not None and current.expires_at <= now)
            or await _held_by_closed(session, current.crisis_id)
        ):
            current.crisis_id = crisis_id
            current.expires_at = key.expires_at
        elif new_crisis:
            raise LostRace(key.key)


async def _held_by_closed(session: AsyncSession, crisis_id: int) -> bool:
    status = await session.scalar(select(Crisis.status).where(Crisis.id == crisis_id))
    return status == CrisisStatus.closed.value


async def hold_after_close(session: AsyncSession, crisis_id: int, until: datetime) -> None:
    """A closed crisis collects nothing more, but keeps its post and author keys until
    `until`: a new negative post under them then reopens it (a relapse). Its brand keys
    (a spike) go at once: a new burst about the brand is a new crisis."""
    await session.execute(
        delete(GroupKey).where(GroupKey.crisis_id == crisis_id, GroupKey.key.like("brand:%"))
    )
    await session.execute(
        update(GroupKey).where(GroupKey.crisis_id == crisis_id).values(expires_at=until)
    )


async def find_relapse(
    session: AsyncSession, keys: list[str], now: datetime
) -> tuple[str, Crisis] | None:
    """The closed crisis still holding the first of `keys`, and that key."""
    rows = (
        await session.execute(
            select(GroupKey.key, Crisis)
            .join(Crisis, Crisis.id == GroupKey.crisis_id)
            .where(
                GroupKey.key.in_(keys),
                GroupKey.expires_at > now,
                Crisis.status == CrisisStatus.closed.value,
            )
        )
    ).all()
    by_key = {key: crisis for key, crisis in rows}
    return next(((key, by_key[key]) for key in keys if key in by_key), None)
