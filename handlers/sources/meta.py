"""Meta webhooks: Facebook Page `feed` and Instagram `comments`, at GET/POST /sources/meta.

GET answers the subscription handshake. POST carries `X-Hub-Signature-256: sha256=<hex
HMAC-SHA256(app secret, raw body)>` over the exact bytes (Meta escapes non-ASCII as \\u00e4,
so re-serialising before hashing would break it), and up to 1,000 changes across
`entry[]` x `changes[]`. Meta sends no permalinks: they are built from the ids, and each
added item notes what the Graph API may be asked for a real one (`meta_graph`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from aiohttp import web

from bot.context import CoreContext
from bot.inbox import Inbox
from bot.settings import Settings, parse_page_brands
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

FEED = "meta"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# The post id of the sample Meta's dashboard sends with "Test" on the feed field.
DASHBOARD_TEST_POST = "44444444_444444444"
# The sample the dashboard sends for Instagram's comments field.
DASHBOARD_TEST_IG_COMMENT = "17865799348089039"

_FEED_ITEMS = frozenset({"comment", "post", "status", "photo", "video", "share"})
_VERBS = {
    "add": ItemKind.added,
    "edited": ItemKind.edited,
    "edit": ItemKind.edited,
    "remove": ItemKind.removed,
    "delete": ItemKind.removed,
    "hide": ItemKind.hidden,
}


def app_secrets(settings: Settings) -> list[str]:
    """The secrets a delivery may be signed with: the app's, and an Instagram-Login app's."""
    found: list[str] = []
    for secret in (settings.meta_app_secret, settings.instagram_app_secret):
        if secret is not None and secret.get_secret_value() not in found:
            found.append(secret.get_secret_value())
    return found


def meta_signature(secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends with `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secrets: list[str], header: str | None, body: bytes) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    given = header.strip().lower()
    return any(hmac.compare_digest(given, meta_signature(s, body)) for s in secrets)


def make_routes(ctx: CoreContext, inbox: Inbox) -> tuple[Any, Any]:
    async def handshake(request: web.Request) -> web.Response:
        token = ctx.settings.meta_verify_token
        query = request.query
        if (
            token is not None
            and query.get("hub.mode") == "subscribe"
            and same_secret(query.get("hub.verify_token"), token.get_secret_value())
            and query.get("hub.challenge")
        ):
            return web.Response(text=query["hub.challenge"], content_type="text/plain")
        return answer(FEED, 403, {"error": "wrong or missing hub.verify_token"})

    async def receive(request: web.Request) -> web.Response:
        secrets = app_secrets(ctx.settings)
        if not secrets:
            return answer(
                FEED, 404, {"error": "the Meta source is off: META_APP_SECRET is not set"}
            )
        try:
            body = await read_body(request)
            if not signature_valid(secrets, request.headers.get(SIGNATURE_HEADER), body):
                raise Refused(401, f"missing or wrong {SIGNATURE_HEADER}")
            data, text = decode_json(body)
            if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
                raise Refused(400, "a Meta delivery is a JSON object with an entry list")
        except Refused as refused:
            return answer(FEED, refused.status, {"error": refused.error})
        failed = await store(inbox, FEED, text)
        return failed or answer(FEED, 200, {"ok": True})

    return handshake, receive


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    """Every change of a delivery as an item; reactions, likes and other fields are not
    posts and are skipped; a malformed change is refused with its reason."""
    brands = parse_page_brands(settings.meta_page_brands)
    results: list[SourceItem | ItemError] = []
    instagram = payload.get("object") == "instagram"
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            results.append(ItemError("an entry is not an object", entry))
            continue
        account = id_text(entry.get("id"))
        brand = brands.get(account or "", account)
        if isinstance(entry.get("changes"), list):
            changes = entry["changes"]
        elif "field" in entry and "value" in entry:
            # Instagram's flat envelope: the change is the entry itself.
            changes = [{"field": entry["field"], "value": entry["value"]}]
        else:
            results.append(ItemError("an entry without changes", entry))
            continue
        for change in changes:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                results.append(ItemError("a change without a value object", change))
                continue
            field = change.get("field")
            if field == "feed":
                results.extend(_feed(change["value"], account, brand))
            elif field == "comments" or (instagram and field == "live_comments"):
                results.append(_instagram(change["value"], account, brand))
    return results


def _feed(
    value: dict[str, Any], account: str | None, brand: str | None
) -> list[SourceItem | ItemError]:
    item = value.get("item")
    kind = _VERBS.get(str(value.get("verb")))
    if item not in _FEED_ITEMS or kind is None:
        return []
    post_id = id_text(value.get("post_id"))
    if post_id is None:
        return [ItemError("a feed change without post_id", value)]
    if post_id == DASHBOARD_TEST_POST:
        return [SourceItem(FEED, ItemKind.test, {"id": post_id, "source": "facebook"})]
    comment_id = id_text(value.get("comment_id")) if item == "comment" else None
    if item == "comment" and comment_id is None:
        return [ItemError("a comment change without comment_id", value)]
    post_url = f"https://www.facebook.com/{post_id}"
    alert: dict[str, Any] = {"id": comment_id or post_id, "source": "facebook"}
    if kind in (ItemKind.removed, ItemKind.hidden):
        return [SourceItem(FEED, kind, alert)]
    message = value.get("message")
    text = message if isinstance(message, str) and message.strip() else None
    author = object_at(value, "from")
    author_id = id_text(author.get("id")) or id_text(value.get("sender_id"))
    author_name = author.get("name") or value.get("sender_name")
    # An edit carries the whole item too: one never seen as a complaint may have become one.
    # Only its own text replaces the stored one, never a placeholder.
    alert.update(
        url=f"{post_url}?comment_id={comment_id}" if comment_id else post_url,
        text=text if kind is ItemKind.edited else text or f"[{item}]",
        brand=brand,
        created_at=rfc3339(value.get("created_time")),
        author={"name": author_name if isinstance(author_name, str) else None, "handle": author_id},
    )
    if comment_id:
        alert["parent_url"] = post_url
    return [SourceItem(FEED, kind, _without_none(alert), link=_link(account, "facebook", post_id))]


def _link(account: str | None, network: str, post: str | None) -> dict[str, str] | None:
    """Where a permalink may be read: the post (or Instagram media) and its page or account,
    whose token the Graph API wants."""
    if account is None or post is None:
        return None
    return {"account": account, "network": network, "post": post}


def _instagram(
    value: dict[str, Any], account: str | None, brand: str | None
) -> SourceItem | ItemError:
    comment_id = id_text(value.get("id")) or id_text(value.get("comment_id"))
    if comment_id is None:
        return ItemError("an Instagram comment without id", value)
    if comment_id == DASHBOARD_TEST_IG_COMMENT:
        return SourceItem(FEED, ItemKind.test, {"id": comment_id, "source": "instagram"})
    media = object_at(value, "media")
    media_id = id_text(media.get("id")) or id_text(value.get("media_id"))
    author = object_at(value, "from")
    text = value.get("text")
    # Instagram permalinks need the media's shortcode, which the webhook lacks: the link is
    # built from the ids (the team finds the comment under that media) unless the Graph API
    # gives the media's permalink (META_PAGE_TOKENS).
    media_url = f"https://www.instagram.com/media/{media_id or comment_id}"
    alert = {
        "id": comment_id,
        "source": "instagram",
        "url": f"{media_url}?comment_id={comment_id}",
        "parent_url": media_url if media_id else None,
        "text": text if isinstance(text, str) and text.strip() else "[comment]",
        "brand": brand,
        "author": {
            "name": author.get("username") if isinstance(author.get("username"), str) else None,
            "handle": id_text(author.get("id")),
        },
        "created_at": rfc3339(value.get("created_time") or value.get("timestamp")),
    }
    return SourceItem(
        FEED, ItemKind.added, _without_none(alert), link=_link(account, "instagram", media_id)
    )


def _without_none(alert: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: value for key, value in alert.items() if value is not None}
    author = cleaned.get("author")
    if isinstance(author, dict):
        author = {key: value for key, value in author.items() if value is not None}
        if author:
            cleaned["author"] = author
        else:
            del cleaned["author"]
    return cleaned
