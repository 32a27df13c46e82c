"""Trustpilot service-review webhooks at POST /sources/trustpilot/<token>.

Trustpilot signs nothing, so the token in the path is the secret (TRUSTPILOT_WEBHOOK_TOKEN,
compared in constant time; a wrong one gets 404 like any unknown path). The body is
`{"events": [{"eventName": "service-review-created|updated|deleted", "eventData": {…}}]}`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.context import CoreContext
from bot.inbox import Inbox
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
    same_secret,
    store,
)

FEED = "trustpilot"
_EVENTS = {
    "service-review-created": ItemKind.added,
    "service-review-updated": ItemKind.edited,
    "service-review-deleted": ItemKind.removed,
}


def make_route(ctx: CoreContext, inbox: Inbox) -> Any:
    async def receive(request: web.Request) -> web.Response:
        token = ctx.settings.trustpilot_webhook_token
        if token is None or not same_secret(
            request.match_info.get("token"), token.get_secret_value()
        ):
            return answer(FEED, 404, {"error": "not found"})
        try:
            data, text = decode_json(await read_body(request))
            if not isinstance(data, dict) or not isinstance(data.get("events"), list):
                raise Refused(400, "a Trustpilot delivery is a JSON object with an events list")
        except Refused as refused:
            return answer(FEED, refused.status, {"error": refused.error})
        failed = await store(inbox, FEED, text)
        return failed or answer(FEED, 200, {"ok": True})

    return receive


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    return [_event(event, settings.trustpilot_brand) for event in payload.get("events") or []]


def _event(event: Any, brand: str | None) -> SourceItem | ItemError:
    if not isinstance(event, dict) or not isinstance(event.get("eventData"), dict):
        return ItemError("an event without eventData", event)
    name = str(event.get("eventName") or "")
    data = event["eventData"]
    review_id = id_text(data.get("id"))
    if review_id is None:
        return ItemError("a review without id", event)
    alert: dict[str, Any] = {"id": review_id, "source": "trustpilot"}
    if _is_test(event, data):
        return SourceItem(FEED, ItemKind.test, alert)
    kind = _EVENTS.get(name)
    if kind is None:
        return ItemError(f"an unknown eventName {name[:60]!r}", event)
    if kind is ItemKind.removed:
        return SourceItem(FEED, kind, alert)
    text = "\n".join(
        part.strip() for part in (data.get("title"), data.get("text")) if isinstance(part, str)
    ).strip()
    stars = data.get("stars")
    stars = stars if isinstance(stars, int) and not isinstance(stars, bool) else None
    consumer = object_at(data, "consumer")
    # An edit carries the whole review too: one never seen as a complaint may have become
    # one. Only its own text replaces the stored one, never a placeholder.
    alert.update(
        url=_review_page(data.get("link"), review_id),
        text=(text or None) if kind is ItemKind.edited else text or f"[{stars} stars]",
        brand=brand,
        language=data.get("language") if isinstance(data.get("language"), str) else None,
        created_at=rfc3339(data.get("createdAt")),
        author={
            "name": consumer.get("name") if isinstance(consumer.get("name"), str) else None,
            "handle": id_text(consumer.get("id")),
        },
    )
    alert = {key: value for key, value in alert.items() if value is not None}
    alert["author"] = {k: v for k, v in alert["author"].items() if v is not None}
    if not alert["author"]:
        del alert["author"]
    return SourceItem(FEED, kind, alert, stars)


def _review_page(link: Any, review_id: str) -> str:
    """The review's page. The webhook's `link` is the review in Trustpilot's API
    (`https://api.trustpilot.com/v1/reviews/<id>` in Trustpilot's sample payload), which a
    person cannot open: a link elsewhere is kept, that one is not."""
    if isinstance(link, str) and link.startswith("http"):
        host = urlsplit(link).hostname or ""
        if not host.startswith("api."):
            return link
    return f"https://www.trustpilot.com/reviews/{review_id}"


# The review in the sample payload of Trustpilot's webhook guide: what its test sends is not
# documented, and a sample is no customer's review.
_SAMPLE_REVIEW_ID = "53bffd360000640002975387"


def _is_test(event: dict[str, Any], data: dict[str, Any]) -> bool:
    """The "send test" of Trustpilot's webhook settings: flagged, a test event name, or the
    guide's sample review."""
    flagged = any(value is True for value in (event.get("isTest"), data.get("isTest")))
    sample = str(data.get("id") or "") == _SAMPLE_REVIEW_ID
    return flagged or sample or "test" in str(event.get("eventName") or "").lower()
