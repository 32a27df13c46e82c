"""What the pollers and Google's review reader add to `/crisis sources`: when each last
brought something in, and its newest error (a refused API call, a review not yet read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import GoogleNotification, SourcePoll

GOOGLE = "google"


@dataclass
class FetchedActivity:
    # Per feed: the last successful poll, or the last push Google sent.
    last_contact: dict[str, datetime] = field(default_factory=dict)
    # Per feed: the newest error still standing, and when it happened.
    errors: dict[str, tuple[str, datetime]] = field(default_factory=dict)


async def fetched_activity(session: AsyncSession) -> FetchedActivity:
    activity = FetchedActivity()
    polls = await session.execute(
        select(SourcePoll.feed, func.max(SourcePoll.last_success_at)).group_by(SourcePoll.feed)
    )
    for feed, last in polls.all():
        if last is not None:
            activity.last_contact[feed] = last
    failing = await session.execute(
        select(SourcePoll.feed, SourcePoll.last_error, SourcePoll.last_error_at)
        .where(SourcePoll.last_error.is_not(None))
        .order_by(SourcePoll.last_error_at)
    )
    for feed, error, at in failing.all():
        if error is not None and at is not None:
            activity.errors[feed] = (error, at)
    last_push = await session.scalar(select(func.max(GoogleNotification.received_at)))
    if last_push is not None:
        activity.last_contact[GOOGLE] = last_push
    unread = (
        await session.execute(
            select(GoogleNotification.last_error, GoogleNotification.received_at)
            .where(
                GoogleNotification.status == "pending",
                GoogleNotification.last_error.is_not(None),
            )
            .order_by(GoogleNotification.id.desc())
            .limit(1)
        )
    ).first()
    if unread is not None and unread[0] is not None:
        activity.errors[GOOGLE] = (unread[0], unread[1])
    return activity
