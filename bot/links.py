"""One person, several platforms: a one-time code asked for on one platform and given to
the bot on another joins both identities into one roster member, so ownership, mentions and
permissions follow the person wherever they answer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actors import Actor
from bot.errors import InvalidInput
from bot.messages import Message, code_ref, member_ref
from models import LinkCode, MemberIdentity, RosterMember

CODE_LIFETIME = timedelta(minutes=15)
# No 0/O or 1/I: people type the code by hand.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


async def _member_of(session: AsyncSession, platform: str, user_id: str) -> RosterMember | None:
    return await session.scalar(
        select(RosterMember)
        .join(MemberIdentity)
        .where(MemberIdentity.platform == platform, MemberIdentity.external_id == user_id)
    )


async def new_code(session: AsyncSession, actor: Actor, now: datetime) -> Message:
    await session.execute(delete(LinkCode).where(LinkCode.expires_at <= now))
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    session.add(
        LinkCode(
            code=code,
            platform=actor.platform,
            external_id=actor.user_id,
            display_name=actor.display_name or "",
            expires_at=now + CODE_LIFETIME,
        )
    )
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return Message("link.code", {"command": code_ref(f"/crisis link {code}"), "minutes": minutes})


async def use_code(session: AsyncSession, actor: Actor, code: str, now: datetime) -> Message:
    found = await session.get(LinkCode, code.strip().upper())
    if found is None or found.expires_at <= now:
        raise InvalidInput("error.link_code")
    if found.platform == actor.platform:
        raise InvalidInput("error.link_same_platform")
    theirs = await _member_of(session, found.platform, found.external_id)
    mine = await _member_of(session, actor.platform, actor.user_id)
    if theirs is None and mine is None:
        raise InvalidInput("error.link_not_on_roster")
    if theirs is not None and mine is not None and theirs.id != mine.id:
        raise InvalidInput("error.link_both_on_roster")
    await session.delete(found)
    if theirs is not None and mine is not None:
        return Message("link.done", {"member": member_ref(theirs.id)})
    member, platform, user_id = (
        (theirs, actor.platform, actor.user_id)
        if theirs is not None
        else (mine, found.platform, found.external_id)
    )
    assert member is not None
    # A person has one identity per platform: linking again moves it to the new account.
    for identity in list(member.identities):
        if identity.platform == platform:
            member.identities.remove(identity)
    await session.flush()
    member.identities.append(MemberIdentity(platform=platform, external_id=user_id))
    return Message("link.done", {"member": member_ref(member.id)})
