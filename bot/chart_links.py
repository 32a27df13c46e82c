"""Signed, expiring links to a chart (a closed crisis's, a weekly digest's), for platforms
that show an image from a URL (a Teams card) rather than taking an upload.

A link names what it shows (the crisis's number, or `digest/<slot>`) and its expiry, and is
signed with the server's key under a purpose of its own, so it cannot be turned into another
chart or into a confirmation link.
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


def _signature(key: bytes, subject: str, expires: int) -> str:
    payload = _PURPOSE + f"|{subject}|{expires}".encode()
    digest = hmac.new(key, payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def digest_subject(slot: datetime) -> str:
    """A weekly digest's chart, named by the moment it was due (seconds since the epoch)."""
    return f"digest/{int(slot.timestamp())}"


async def url(session: AsyncSession, ctx: CoreContext, subject: int | str) -> str | None:
    """The address of the chart of `subject` (a crisis's number, or a `digest_subject`)
    under PUBLIC_BASE_URL (None without one)."""
    base = ctx.settings.public_base_url
    if base is None:
        return None
    expires = int((ctx.clock.now() + TTL).timestamp())
    signature = _signature(await signing_key(session, ctx), str(subject), expires)
    return f"{base}/charts/{subject}.png?expires={expires}&sig={signature}"


async def valid(
    session: AsyncSession, ctx: CoreContext, subject: int | str, expires: str, signature: str
) -> bool:
    if not expires.isdigit() or len(expires) > 12:
        return False
    expected = _signature(await signing_key(session, ctx), str(subject), int(expires))
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return False
    return ctx.clock.now() < datetime.fromtimestamp(int(expires), ctx.clock.now().tzinfo)
