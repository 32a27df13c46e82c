"""Brands with their own crisis channel: set at run time (`/crisis channel`) or in settings."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.grouping import normal_brand
from bot.settings import Settings, parse_brand_channels
from models import BrandChannel


def configured(settings: Settings) -> dict[str, str]:
    """BRAND_CHANNELS, keyed by the folded brand name."""
    return {normal_brand(b): c for b, c in parse_brand_channels(settings.brand_channels).items()}


async def channel_for(session: AsyncSession, brand_key: str, platform: str) -> str | None:
    return await session.scalar(
        select(BrandChannel.channel).where(
            BrandChannel.brand == brand_key, BrandChannel.platform == platform
        )
    )


async def chosen_for(session: AsyncSession, brand_keys: set[str], platform: str) -> dict[str, str]:
    """The channels set with `/crisis channel` for these brands, in one query."""
    if not brand_keys:
        return {}
    rows = await session.execute(
        select(BrandChannel.brand, BrandChannel.channel).where(
            BrandChannel.brand.in_(brand_keys), BrandChannel.platform == platform
        )
    )
    return {brand: channel for brand, channel in rows.all()}


async def set_channel(
    session: AsyncSession, brand: str, platform: str, channel: str | None
) -> None:
    key = normal_brand(brand)
    await session.execute(
        delete(BrandChannel).where(BrandChannel.brand == key, BrandChannel.platform == platform)
    )
    if channel:
        session.add(BrandChannel(brand=key, platform=platform, channel=channel))


async def mapped(session: AsyncSession, platform: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(BrandChannel.brand, BrandChannel.channel)
        .where(BrandChannel.platform == platform)
        .order_by(BrandChannel.brand)
    )
    return [(brand, channel) for brand, channel in rows.all()]
