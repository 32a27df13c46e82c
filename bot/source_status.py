"""What `/crisis sources` shows: each native source, configured or not, its last delivery,
today's items by outcome and its last error (computed in the database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.fetched_status import fetched_activity
from bot.settings import Settings, parse_page_brands
from models import InboxDelivery, InboxItem, ItemStatus

# Each native source and whether the settings switch it on; pollers add theirs here.
SOURCES: dict[str, Callable[[Settings], bool]] = {
    "meta": lambda s: s.meta_app_secret is not None or s.instagram_app_secret is not None,
    "trustpilot": lambda s: s.trustpilot_webhook_token is not None,
    "generic": lambda s: s.generic_webhook_token is not None,
    "google": lambda s: bool(s.google_pubsub_audience and s.google_pubsub_service_account),
    "brand24": lambda s: s.brand24_api_key is not None and bool(s.brand24_projects.strip()),
    "mention": lambda s: s.mention_access_token is not None and bool(s.mention_alerts.strip()),
}
# The outcomes counted per day, in the order they are shown.
COUNTED = ("opened", "grouped", "not_negative", "duplicate", "test")
_ERROR_SHOWN = 200


@dataclass(frozen=True)
class SourceStatus:
    feed: str
    configured: bool
    last_delivery: datetime | None
    today: dict[str, int]
    last_error: str | None
    # Meta page or Instagram account ids seen today that META_PAGE_BRANDS does not map.
    unmapped: list[str] = field(default_factory=list)


async def statuses(session: AsyncSession, settings: Settings, now: datetime) -> list[SourceStatus]:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    last_delivery = dict(
        (
            await session.execute(
                select(InboxDelivery.feed, func.max(InboxDelivery.received_at)).group_by(
                    InboxDelivery.feed
                )
            )
        ).all()
    )
    fetched = await fetched_activity(session)
    for feed, contact in fetched.last_contact.items():
        last_delivery[feed] = max(contact, last_delivery.get(feed, contact))
    today: dict[str, dict[str, int]] = {}
    for feed, outcome, number in (
        await session.execute(
            select(InboxItem.feed, InboxItem.outcome, func.count())
            .where(InboxItem.processed_at >= day)
            .group_by(InboxItem.feed, InboxItem.outcome)
        )
    ).all():
        if outcome is not None:
            today.setdefault(feed, {})[outcome] = number
    found: list[SourceStatus] = []
    for feed in sorted(SOURCES.keys() | last_delivery.keys()):
        configured = SOURCES.get(feed)
        found.append(
            SourceStatus(
                feed=feed,
                configured=configured(settings) if configured else True,
                last_delivery=last_delivery.get(feed),
                today={outcome: today.get(feed, {}).get(outcome, 0) for outcome in COUNTED},
                last_error=await _last_error(session, feed, fetched.errors.get(feed)),
                unmapped=await _unmapped(session, settings, day) if feed == "meta" else [],
            )
        )
    return found


async def _last_error(
    session: AsyncSession, feed: str, fetching: tuple[str, datetime] | None
) -> str | None:
    """The newest problem: a delivery or item waiting for its next try, a refused item, or
    a poll or review read that failed."""
    item = (
        await session.execute(
            select(InboxItem.last_error, InboxItem.created_at)
            .where(InboxItem.feed == feed, InboxItem.last_error.is_not(None))
            .order_by(InboxItem.id.desc())
            .limit(1)
        )
    ).first()
    delivery = (
        await session.execute(
            select(InboxDelivery.last_error, InboxDelivery.received_at)
            .where(InboxDelivery.feed == feed, InboxDelivery.last_error.is_not(None))
            .order_by(InboxDelivery.id.desc())
            .limit(1)
        )
    ).first()
    newest = max(
        (row for row in (item, delivery, fetching) if row is not None and row[0] is not None),
        key=lambda r: r[1],
        default=None,
    )
    return newest[0][:_ERROR_SHOWN] if newest is not None and newest[0] is not None else None


async def _unmapped(session: AsyncSession, settings: Settings, day: datetime) -> list[str]:
    brands = await session.scalars(
        select(InboxItem.brand)
        .where(
            InboxItem.feed == "meta",
            InboxItem.created_at >= day,
            InboxItem.brand.is_not(None),
            InboxItem.status != ItemStatus.refused.value,
        )
        .distinct()
    )
    # An unmapped id is its own brand: numeric, and not one of the mapped brands.
    named = set(parse_page_brands(settings.meta_page_brands).values())
    return sorted(
        brand for brand in brands.all() if brand and brand.isdigit() and brand not in named
    )
