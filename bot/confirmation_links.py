"""Signed links that let the customer confirm a resolution themselves.

A token names one `ConfirmationLink` row, its crisis and its expiry, signed with HMAC-SHA256
under a key used for nothing else. The signature makes it impossible to guess a link or to
turn it into another crisis's; the row makes an answer count once.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import crises
from bot.context import CoreContext
from bot.errors import NotFound
from models import AppSecret, ConfirmationLink, Crisis, CrisisStatus

# What the signature is for: a key shared with other signed things could not be confused
# with this one, because the purpose is part of what is signed.
_PURPOSE = b"crisisbot/customer-confirmation/v1"
_SECRET_NAME = "confirmation_links"
_TOKEN = re.compile(r"^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$")
_POLISH_LETTERS = re.compile(r"[ąćęłńóśźż]", re.IGNORECASE)


class Refused(enum.StrEnum):
    """Why a link does nothing. Only a correctly signed link learns more than `invalid`."""

    invalid = "invalid"
    expired = "expired"
    used = "used"
    # The question is no longer open: the owner closed or reopened the crisis meanwhile.
    stale = "stale"


class LinkRefused(Exception):
    """`language` is the page's, when the link is genuine (signed and stored): its refusal
    speaks the customer's language as its question did."""

    def __init__(self, reason: Refused, language: str | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.language = language


@dataclass(frozen=True)
class NewLink:
    url: str
    expires_at: datetime
    language: str


def customer_language(crisis: Crisis) -> str:
    """The page's language: the post's, as the alert said, else guessed from its text."""
    declared = (crisis.language or "").lower()
    if declared.startswith(("pl", "en")):
        return declared[:2]
    return "pl" if _POLISH_LETTERS.search(crisis.text or "") else "en"


async def _secret(session: AsyncSession, ctx: CoreContext) -> bytes:
    configured = ctx.settings.confirmation_secret
    if configured is not None:
        return configured.get_secret_value().encode()
    row = await session.get(AppSecret, _SECRET_NAME)
    if row is None:
        try:
            async with session.begin_nested():
                row = AppSecret(
                    name=_SECRET_NAME, value=secrets.token_urlsafe(48), created_at=ctx.clock.now()
                )
                session.add(row)
        except IntegrityError:
            # Another replica generated it first: everyone uses that one.
            row = await session.get(AppSecret, _SECRET_NAME, populate_existing=True)
            if row is None:
                raise
    return row.value.encode()


def _signature(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, _PURPOSE + b"|" + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def create(
    session: AsyncSession, ctx: CoreContext, crisis: Crisis, now: datetime
) -> NewLink | None:
    """A link for the resolution just proposed (None without PUBLIC_BASE_URL). Links made
    for earlier proposals stop working: they asked about something else."""
    base_url = ctx.settings.public_base_url
    if base_url is None:
        return None
    await session.execute(
        update(ConfirmationLink)
        .where(ConfirmationLink.crisis_id == crisis.id, ConfirmationLink.outcome.is_(None))
        .values(outcome="superseded", answered_at=now)
    )
    # Whole seconds: the token carries the expiry as a Unix time and must match the row.
    expires_at = (now + ctx.settings.confirmation_link_ttl).replace(microsecond=0)
    link = ConfirmationLink(
        crisis_id=crisis.id,
        language=customer_language(crisis),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    await session.flush()
    payload = f"{link.id}.{crisis.id}.{int(expires_at.timestamp())}"
    token = f"{payload}.{_signature(await _secret(session, ctx), payload)}"
    return NewLink(f"{base_url}/confirm/{token}", expires_at, link.language)


async def verify(
    session: AsyncSession, ctx: CoreContext, token: str, *, lock: bool
) -> tuple[ConfirmationLink, Crisis]:
    """The link and crisis a token stands for, if it may still be answered; raises
    LinkRefused otherwise. With `lock`, both rows stay locked until the transaction ends
    (the crisis first, as every move on a crisis locks it)."""
    match = _TOKEN.match(token)
    if match is None:
        raise LinkRefused(Refused.invalid)
    link_id, crisis_id, expires = (int(match.group(i)) for i in (1, 2, 3))
    payload = f"{link_id}.{crisis_id}.{expires}"
    expected = _signature(await _secret(session, ctx), payload)
    if not hmac.compare_digest(expected, match.group(4)):
        raise LinkRefused(Refused.invalid)
    try:
        crisis = await crises.get(session, crisis_id, for_update=lock)
    except NotFound:
        raise LinkRefused(Refused.invalid) from None
    query = select(ConfirmationLink).where(
        ConfirmationLink.id == link_id, ConfirmationLink.crisis_id == crisis_id
    )
    link = await session.scalar(query.with_for_update() if lock else query)
    if link is None or int(link.expires_at.timestamp()) != expires:
        raise LinkRefused(Refused.invalid)
    if ctx.clock.now() >= datetime.fromtimestamp(expires, UTC):
        raise LinkRefused(Refused.expired, link.language)
    if link.outcome == "superseded":
        raise LinkRefused(Refused.stale, link.language)
    if link.outcome is not None:
        raise LinkRefused(Refused.used, link.language)
    if crisis.crisis_status is not CrisisStatus.awaiting_confirmation:
        raise LinkRefused(Refused.stale, link.language)
    return link, crisis


async def signing_key(session: AsyncSession, ctx: CoreContext) -> bytes:
    """The key this server signs its links with (CONFIRMATION_SECRET, or the one generated
    and kept in the database); each kind of link signs its own purpose with it."""
    return await _secret(session, ctx)
