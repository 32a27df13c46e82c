"""Signed, expiring links to a closed crisis's chart, for platforms that show an image from a
URL (a Teams card) rather than taking an upload.

A link names the crisis and its expiry and is signed with the server's key under a purpose
of its own, so it cannot be turned into another crisis's chart or into a confirmation link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.confirmation_links import signing_key
from bot.context import CoreContext

_PURPOSE = b"crisisbot/chart/v1"
# Long enough for a card to be read back weeks later; a forwarded link stops working after.
TTL = timedelta(days=30)


def _signature(key: bytes, crisis_id: int, expires: int) -> str:
    payload = _PURPOSE + f"|{crisis_id}|{expires}".encode()
    digest = hmac.new(key, payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def url(session: AsyncSession, ctx: CoreContext, crisis_id: int) -> str | None:
    """The chart's address under PUBLIC_BASE_URL (None without one)."""
    base = ctx.settings.public_base_url
    if base is None:
        return None
    expires = int((ctx.clock.now() + TTL).timestamp())
    signature = _signature(await signing_key(session, ctx), crisis_id, expires)
    return f"{base}/charts/{crisis_id}.png?expires={expires}&sig={signature}"


async def valid(
    session: AsyncSession, ctx: CoreContext, crisis_id: int, expires: str, signature: str
) -> bool:
    if not expires.isdigit() or len(expires) > 12:
        return False
    expected = _signature(await signing_key(session, ctx), crisis_id, int(expires))
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return False
    return ctx.clock.now() < datetime.fromtimestamp(int(expires), ctx.clock.now().tzinfo)
