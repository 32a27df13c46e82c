"""Google Business Profile reviews: Pub/Sub pushes at POST /sources/google.

Pub/Sub signs each push with a Google OIDC token (`Authorization: Bearer <JWT>`) for the
push subscription's audience and service account; google-auth checks its signature against
Google's certificates (GOOGLE_CERTS_URL) and its audience and expiry, then the service account
and `email_verified` are checked (`google_push`). A verified push is stored as it came and
answered 204; its `message.data` (base64 JSON) only names the review, so `google_reviews`
reads the review from the Business Profile API and puts it in the inbox, where `parse` maps
it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any
from urllib.parse import quote

import structlog
from aiohttp import web

from bot.metrics import SOURCE_DELIVERIES
from bot.settings import Settings
from bot.source_items import ItemError, ItemKind, SourceItem
from handlers.sources.common import (
    Refused,
    answer,
    decode_json,
    id_text,
    object_at,
    read_body,
    rfc3339,
)

FEED = "google"
SOURCE = "google_reviews"
_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
# Update notifications across API versions; any other notification naming a review is a new one.
_EDITED = frozenset({"UPDATED_REVIEW", "updated_review", "REVIEW_UPDATED"})
_REVIEW_KEYS = ("review", "reviewName", "review_name", "reviewId", "review_id")
_TYPE_KEYS = ("type", "notificationType", "notification_type")

log = structlog.get_logger(__name__)


def configured(settings: Settings) -> bool:
    return bool(settings.google_pubsub_audience and settings.google_pubsub_service_account)


class NotAuthorised(Exception):
    """The push's token is missing, forged, expired or not from our subscription."""


class CertsUnreachable(Exception):
    """Google's certificates could not be read: the push can be retried."""


def _verify(authorization: str | None, settings: Settings) -> None:
    """`google_push.verify_push_token`, in the thread the check blocks anyway."""
    # google-auth and requests take about 80 ms to import: a server loads them only when
    # Google's first push comes, and here, off the event loop.
    from handlers.sources.google_push import verify_push_token

    verify_push_token(authorization, settings)


def message_id(data: Any) -> str:
    """The push envelope's messageId (Pub/Sub sends it in both spellings)."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise Refused(400, "a Pub/Sub push is a JSON object with a message object")
    found = id_text(message.get("messageId")) or id_text(message.get("message_id"))
    if found is None:
        raise Refused(400, "the Pub/Sub message has no messageId")
    if len(found) > 200:
        raise Refused(400, "the Pub/Sub messageId is over 200 characters")
    return found


def make_route(settings: Settings, receive_push: Any) -> Any:
    """`receive_push(message_id, body)` stores a verified push (a redelivery is kept once)."""

    async def receive(request: web.Request) -> web.Response:
        if not configured(settings):
            return answer(
                FEED,
                404,
                {
                    "error": "Google reviews are off: GOOGLE_PUBSUB_AUDIENCE and "
                    "GOOGLE_PUBSUB_SERVICE_ACCOUNT are not set"
                },
            )
        try:
            await asyncio.to_thread(_verify, request.headers.get("Authorization"), settings)
        except NotAuthorised as refused:
            return answer(FEED, 401, {"error": str(refused)})
        except CertsUnreachable:
            log.warning("google certificates not reachable", url=settings.google_certs_url)
            return answer(FEED, 503, {"error": "Google's certificates could not be read; retry"})
        try:
            data, text = decode_json(await read_body(request))
            found = message_id(data)
        except Refused as refused:
            return answer(FEED, refused.status, {"error": refused.error})
        failed = await receive_push(found, text)
        if failed is not None:
            return failed
        # Pub/Sub takes any 2xx as an acknowledgement; 204 carries no body.
        SOURCE_DELIVERIES.labels(source=FEED, code="204").inc()
        return web.Response(status=204)

    return receive


def notification(push: Any) -> dict[str, Any]:
    """The decoded `message.data`: which review, and what happened to it. Raises ValueError
    with a reason when the push names no review."""
    message = push.get("message") if isinstance(push, dict) else None
    raw = message.get("data") if isinstance(message, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("the Pub/Sub message has no data")
    try:
        padded = raw.strip() + "=" * (-len(raw.strip()) % 4)
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        data = json.loads(decoded.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("the Pub/Sub message data is not base64 JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the Pub/Sub message data is not a JSON object")
    kind = next((data[k] for k in _TYPE_KEYS if isinstance(data.get(k), str)), None)
    review = next((data[k] for k in _REVIEW_KEYS if isinstance(data.get(k), str)), None)
    location = next(
        (data[k] for k in ("location", "locationName", "location_name") if data.get(k)), None
    )
    if review and "/" not in review and isinstance(location, str):
        review = f"{location.rstrip('/')}/reviews/{review}"
    if not review or not review.strip():
        raise ValueError(f"the notification names no review (type {str(kind)[:40]!r})")
    return {"type": kind, "review": review.strip(), "location": location}


def review_path(name: str) -> str:
    """The API path of a review resource name, each segment escaped."""
    return "/".join(quote(part, safe="") for part in name.strip("/").split("/"))


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    """A stored review read: `{"notification", "review"}`, or `"gone"` when it was deleted
    before we read it, or `"error"` when the push named no review."""
    if not isinstance(payload, dict):
        return [ItemError("a Google review delivery is a JSON object", payload)]
    if payload.get("error"):
        return [ItemError(str(payload["error"])[:300], payload.get("push"))]
    note = payload.get("notification") or {}
    name = note.get("review")
    if not isinstance(name, str):
        return [ItemError("a Google review delivery without a review name", payload)]
    alert: dict[str, Any] = {"id": name[:200], "source": SOURCE}
    if payload.get("gone"):
        return [SourceItem(FEED, ItemKind.removed, alert)]
    review = payload.get("review")
    if not isinstance(review, dict):
        return [ItemError("a Google review delivery without the review", payload)]
    kind = ItemKind.edited if note.get("type") in _EDITED else ItemKind.added
    stars = _STARS.get(str(review.get("starRating") or ""))
    comment = review.get("comment")
    comment = comment if isinstance(comment, str) else ""
    reviewer = object_at(review, "reviewer")
    display_name = reviewer.get("displayName")
    review_id = id_text(review.get("reviewId")) or name.rsplit("/", 1)[-1]
    alert.update(
        # The API gives no public link to a review; the owner answers it in Business Profile.
        url=f"https://business.google.com/reviews#{quote(review_id, safe='')}",
        # An edit carries the whole review too: one never seen as a complaint may have
        # become one. Only its own text replaces the stored one, never a placeholder.
        text=(comment.strip() or None)
        if kind is ItemKind.edited
        else comment.strip() or (f"[{stars} stars]" if stars else "[a review without text]"),
        brand=settings.google_brand,
        created_at=rfc3339(_micro_seconds(review.get("createTime"))),
    )
    if isinstance(display_name, str) and display_name.strip():
        alert["author"] = {"name": display_name.strip()[:200]}
    return [SourceItem(FEED, kind, {k: v for k, v in alert.items() if v is not None}, stars)]


def _micro_seconds(value: Any) -> Any:
    """Google writes nanoseconds (`...08:15:00.123456789Z`); Python reads up to micro."""
    if not isinstance(value, str) or "." not in value:
        return value
    head, _, tail = value.partition(".")
    digits = "".join(ch for ch in tail if ch.isdigit())
    zone = tail[len(digits) :]
    return f"{head}.{digits[:6]}{zone}" if digits else f"{head}{zone}"
