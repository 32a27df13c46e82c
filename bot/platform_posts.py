"""Where a platform shows a crisis: the messages each platform's delivery posted for it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import CoreContext
from models import PlatformPost


async def of_crisis(
    session: AsyncSession, crisis_id: int, platform: str
) -> dict[str, PlatformPost]:
    """What a platform has posted for a crisis, by kind (root, playbook, summary)."""
    rows = await session.scalars(
        select(PlatformPost).where(
            PlatformPost.crisis_id == crisis_id, PlatformPost.platform == platform
        )
    )
    return {post.kind: post for post in rows.all()}


async def remember(
    ctx: CoreContext, platform: str, crisis_id: int, kind: str, channel: str, ref: str
) -> None:
    """Record a posted message (its channel or thread, and the platform's id for it) in its
    own commit, before anything that depends on it is sent: a retry then finds it and never
    posts it twice."""
    async with ctx.db.transaction() as session:
        session.add(
            PlatformPost(
                crisis_id=crisis_id,
                platform=platform,
                kind=kind,
                channel=channel,
                message_ref=ref,
                posted_at=ctx.clock.now(),
            )
        )
