"""Reads the reviews Google's pushes name, from the Business Profile API, into the inbox.

A stored push (`google_notifications`) is claimed with a lease like the inbox's rows; its
review is read with an access token from the account owner's OAuth refresh token, and the
review goes into the inbox in the same transaction that marks the push read. A failed call
is retried with growing pauses, and its error stays on the push for `/crisis sources`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import structlog
from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot import inbox as inbox_store
from bot.context import CoreContext
from bot.inbox import Inbox, backoff
from bot.wakeable import WakeableLoop
from handlers.sources import google
from handlers.sources.common import answer
from handlers.sources.vendor_api import ApiError, request_json
from models import GoogleNotification

log = structlog.get_logger(__name__)

PENDING = "pending"
FETCHED = "fetched"
_BATCH = 50
_ERROR_MAX = 2000
# An access token is renewed this long before Google says it expires.
_TOKEN_MARGIN = timedelta(minutes=1)


class GoogleReviews(WakeableLoop):
    name = "google-reviews"

    def __init__(self, ctx: CoreContext, inbox: Inbox) -> None:
        super().__init__()
        self.ctx = ctx
        self.inbox = inbox
        self.worker_id = uuid.uuid4().hex[:16]
        self._token: tuple[str, datetime] | None = None

    async def receive_push(self, message_id: str, body: str) -> web.Response | None:
        """Store a verified push once (Pub/Sub redelivers); None when it is kept."""
        now = self.ctx.clock.now()
        try:
            async with self.ctx.db.transaction() as session:
                session.add(
                    GoogleNotification(
                        message_id=message_id,
                        body=body,
                        received_at=now,
                        status=PENDING,
                        attempts=0,
                        available_at=now,
                    )
                )
        except IntegrityError:
            log.info("google push redelivered", message_id=message_id)
            return None
        except (SQLAlchemyError, OSError, TimeoutError):
            log.exception("google push not stored")
            return answer(google.FEED, 503, {"error": "the delivery could not be stored; retry"})
        self.wake()
        return None

    async def tick(self) -> None:
        while not self.stopping:
            ids = await self._claim()
            if not ids:
                return
            async with aiohttp.ClientSession() as http:
                for row_id in ids:
                    if self.stopping:
                        return
                    await self._read(http, row_id)

    async def _claim(self) -> list[int]:
        return await inbox_store.claim_due(
            self.ctx, GoogleNotification, PENDING, self.worker_id, _BATCH
        )

    async def _read(self, http: aiohttp.ClientSession, row_id: int) -> None:
        async with self.ctx.db.sessions() as session:
            row = await session.get(GoogleNotification, row_id)
        if row is None or row.claimed_by != self.worker_id:
            return
        push = json.loads(row.body)
        try:
            note = google.notification(push)
        except ValueError as refused:
            await self._finish(row_id, {"push": push, "error": str(refused)})
            return
        try:
            review = await self._review(http, note["review"])
        except ApiError as failed:
            await self._postpone(row_id, str(failed))
            return
        if review is None:
            await self._finish(row_id, {"notification": note, "gone": True})
            return
        await self._finish(row_id, {"notification": note, "review": review})

    async def _review(self, http: aiohttp.ClientSession, name: str) -> dict[str, Any] | None:
        """The review, or None when Google no longer has it (deleted before we read it)."""
        url = f"{self.ctx.settings.google_business_api_url}/{google.review_path(name)}"
        token = await self._access_token(http)
        try:
            review = await request_json(
                http,
                "GET",
                url,
                vendor="Google Business Profile",
                setting="GOOGLE_OAUTH_REFRESH_TOKEN",
                headers={"Authorization": f"Bearer {token}"},
            )
        except ApiError as failed:
            if failed.status == 401:
                self._token = None
            if failed.status == 404:
                return None
            raise
        if not isinstance(review, dict):
            raise ApiError("Google Business Profile API answered a review that is not an object")
        return review

    async def _access_token(self, http: aiohttp.ClientSession) -> str:
        now = self.ctx.clock.now()
        if self._token is not None and self._token[1] > now:
            return self._token[0]
        settings = self.ctx.settings
        refresh = settings.google_oauth_refresh_token
        if refresh is None or not settings.google_oauth_client_id:
            raise ApiError(
                "Google OAuth is not set up: GOOGLE_OAUTH_CLIENT_ID, "
                "GOOGLE_OAUTH_CLIENT_SECRET and GOOGLE_OAUTH_REFRESH_TOKEN are needed"
            )
        secret = settings.google_oauth_client_secret
        granted = await request_json(
            http,
            "POST",
            settings.google_token_url,
            vendor="Google OAuth",
            setting="GOOGLE_OAUTH_REFRESH_TOKEN",
            data={
                "grant_type": "refresh_token",
                "client_id": settings.google_oauth_client_id,
                "client_secret": secret.get_secret_value() if secret else "",
                "refresh_token": refresh.get_secret_value(),
            },
        )
        token = granted.get("access_token") if isinstance(granted, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError("Google OAuth answered without an access_token")
        expires = granted.get("expires_in")
        lifetime = timedelta(seconds=expires if isinstance(expires, int) else 3600)
        self._token = (token, now + max(timedelta(), lifetime - _TOKEN_MARGIN))
        return token

    async def _finish(self, row_id: int, delivery: dict[str, Any]) -> None:
        """Put what was read in the inbox and mark the push read, in one transaction."""
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            row = await session.get(GoogleNotification, row_id)
            if row is None or row.claimed_by != self.worker_id:
                return
            inbox_store.store(session, google.FEED, json.dumps(delivery), now)
            row.status = FETCHED
            row.fetched_at = now
            row.claimed_by = None
            row.last_error = None
        self.inbox.wake()

    async def _postpone(self, row_id: int, error: str) -> None:
        log.warning("google review not read", notification=row_id, error=error)
        async with self.ctx.db.transaction() as session:
            row = await session.get(GoogleNotification, row_id)
            if row is None or row.claimed_by != self.worker_id:
                return
            row.attempts += 1
            row.last_error = error[:_ERROR_MAX]
            row.available_at = self.ctx.clock.now() + backoff(row.attempts)
            row.claimed_by = None
