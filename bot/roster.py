"""The roster: who may own a crisis, who may edit the roster, and who gets the next crisis."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.actors import Actor
from bot.errors import Forbidden, InvalidInput
from bot.messages import Message, member_ref
from models import Crisis, CrisisStatus, MemberIdentity, RosterLevel, RosterMember

# The length of roster_members.display_name; a longer name from a mention is cut.
DISPLAY_NAME_MAX = 200


def members() -> Select[RosterMember]:
    """Roster members with their identities read in the same statement (a mention needs
    them; the relationship's own loading would read them in a second one). Results need
    `.unique()`: a member comes back once per identity."""
    return select(RosterMember).options(joinedload(RosterMember.identities))


# The statements each command reads with are built once (and their cache keys with them):
# building one costs about as much as SQLAlchemy's own work to run it.
@cache
def _by_ids() -> Select[RosterMember]:
    return members().where(RosterMember.id.in_(bindparam("ids", expanding=True)))


@cache
def _by_identity(*, active_only: bool) -> Select[RosterMember]:
    query = (
        members()
        .join(MemberIdentity)
        .where(
            MemberIdentity.platform == bindparam("platform"),
            MemberIdentity.external_id == bindparam("user_id"),
        )
    )
    return query.where(RosterMember.active.is_(True)) if active_only else query


@cache
def _active() -> Select[RosterMember]:
    return members().where(RosterMember.active.is_(True)).order_by(RosterMember.id)


async def members_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, RosterMember]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(_by_ids(), {"ids": wanted})
    return {member.id: member for member in rows.unique().all()}


async def find_member(session: AsyncSession, who: Actor) -> RosterMember | None:
    """The active roster member this platform user is, if any."""
    found = await session.scalars(
        _by_identity(active_only=True), {"platform": who.platform, "user_id": who.user_id}
    )
    return found.unique().one_or_none()


async def _find_any(session: AsyncSession, who: Actor) -> RosterMember | None:
    found = await session.scalars(
        _by_identity(active_only=False), {"platform": who.platform, "user_id": who.user_id}
    )
    return found.unique().one_or_none()


async def active_members(session: AsyncSession) -> list[RosterMember]:
    rows = await session.scalars(_active())
    found = list(rows.unique().all())
    found.sort(key=lambda m: (-m.roster_level.rank, m.display_name.lower(), m.id))
    return found


async def leads(session: AsyncSession) -> list[RosterMember]:
    return [m for m in await active_members(session) if m.roster_level is RosterLevel.lead]


async def check_may_edit(session: AsyncSession, actor: Actor) -> None:
    """While the roster has no lead, anyone may edit it (bootstrapping); then only leads."""
    if not await leads(session):
        return
    member = await find_member(session, actor)
    if member is None or member.roster_level is not RosterLevel.lead:
        raise Forbidden("error.roster_leads_only")


def parse_level(text: str) -> RosterLevel:
    try:
        return RosterLevel(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "error.bad_level", level=text, levels=", ".join(level.value for level in RosterLevel)
        ) from None


async def add(
    session: AsyncSession, actor: Actor, person: Actor, level: RosterLevel, now: datetime
) -> Message:
    """Put a person on the roster at a level, or change their level."""
    await check_may_edit(session, actor)
    member = await _find_any(session, person)
    if member is None:
        member = RosterMember(
            display_name=(person.display_name or "")[:DISPLAY_NAME_MAX],
            level=level.value,
            active=True,
            added_at=now,
        )
        member.identities.append(
            MemberIdentity(platform=person.platform, external_id=person.user_id)
        )
        session.add(member)
        await session.flush()
        return Message("roster.added", {"member": member_ref(member.id), "level": level.value})
    was_active = member.active
    previous = member.level
    member.level = level.value
    member.active = True
    if person.display_name:
        member.display_name = person.display_name[:DISPLAY_NAME_MAX]
    if not was_active:
        member.added_at = now
        return Message("roster.added", {"member": member_ref(member.id), "level": level.value})
    if previous == level.value:
        return Message("roster.unchanged", {"member": member_ref(member.id), "level": level.value})
    return Message(
        "roster.level_changed",
        {"member": member_ref(member.id), "from": previous, "level": level.value},
    )


async def remove(session: AsyncSession, actor: Actor, person: Actor) -> Message:
    await check_may_edit(session, actor)
    member = await find_member(session, person)
    if member is None:
        raise InvalidInput("error.not_on_roster")
    # Kept, not deleted: the timeline and past crises still name this person.
    member.active = False
    return Message("roster.removed", {"member": member_ref(member.id)})


@cache
def _open_counts() -> Select[int | None, int]:
    return (
        select(Crisis.owner_id, func.count())
        .where(Crisis.status != CrisisStatus.closed.value, Crisis.owner_id.is_not(None))
        .group_by(Crisis.owner_id)
    )


async def open_crisis_counts(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(_open_counts())
    return {owner_id: count for owner_id, count in rows if owner_id is not None}


async def pick_owner(
    session: AsyncSession, exclude: Iterable[int] = (), *, seniors_only: bool = False
) -> RosterMember | None:
    """The senior with the fewest open crises (ties: longest since last assignment). Leads
    are the escalation layer: they own a crisis only when no senior can (never with
    `seniors_only`, which is how escalation climbs the ladder)."""
    return (await Picker.read(session)).pick(exclude, seniors_only=seniors_only)


class Picker:
    """The active members and their open-crisis counts, read once for many picks in one
    transaction (with the roster locked, so nobody else assigns meanwhile). Each assignment
    is told to `assigned`, which moves the counts and the last assignment as the database
    would: the next pick is the one a fresh read would give."""

    def __init__(self, members: list[RosterMember], load: dict[int, int]) -> None:
        self.members = members
        self._load = load
        # Kept apart from the rows: a batch writes its assignments in bulk, not through them.
        self._last = {member.id: member.last_assigned_at for member in members}

    @classmethod
    async def read(cls, session: AsyncSession) -> Picker:
        return cls(await active_members(session), await open_crisis_counts(session))

    def leads(self) -> list[int]:
        return [m.id for m in self.members if m.roster_level is RosterLevel.lead]

    def pick(
        self, exclude: Iterable[int] = (), *, seniors_only: bool = False
    ) -> RosterMember | None:
        excluded = set(exclude)
        candidates = [
            m
            for m in self.members
            if m.roster_level.can_own
            and m.id not in excluded
            and not (seniors_only and m.roster_level is RosterLevel.lead)
        ]
        if not candidates:
            return None
        return min(candidates, key=self._order)

    def assigned(self, member_id: int, previous: int | None, now: datetime) -> None:
        """`member_id` took an open crisis from `previous` (None: it had no owner)."""
        if previous is not None:
            self._load[previous] = self._load.get(previous, 0) - 1
        self._load[member_id] = self._load.get(member_id, 0) + 1
        self._last[member_id] = now

    def _order(self, member: RosterMember) -> tuple[bool, int, bool, float, int]:
        last = self._last[member.id]
        # Never assigned sorts before anyone who was.
        return (
            member.roster_level is RosterLevel.lead,
            self._load.get(member.id, 0),
            last is not None,
            last.timestamp() if last else 0,
            member.id,
        )
