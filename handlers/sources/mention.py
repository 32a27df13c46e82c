"""Mention: mentions polled from `GET <MENTION_API_URL>/accounts/<account>/alerts/<alert>/mentions`
with a bearer token and `since_id`.

A run asks for what came since the newest mention of the last finished run, and follows
`_links.more` (older pages of the same answer) on the API's own host until it reaches what
was seen. The very first run takes the newest page only: the history is `crisisbot import`'s.
`tone` is -1/0/1; a mention's id is its link (the same post found by Brand24 counts once),
else Mention's own id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.settings import Settings, parse_feed_brands
from bot.source_items import ItemError, ItemKind, SourceItem
from bot.source_polls import Page, PollFailed
from handlers.sources import listening
from handlers.sources.common import id_text, object_at, rfc3339
from handlers.sources.vendor_api import ApiError, request_json

FEED = "mention"
PAGE_SIZE = 100
_NETWORKS = {
    "twitter": "x",
    "facebook": "facebook",
    "instagram": "instagram",
    "tiktok": "tiktok",
    "linkedin": "linkedin",
    "forums": "forum",
}


@dataclass(frozen=True)
class MentionAlert:
    """One Mention alert, polled into the inbox (`bot.source_polls`)."""

    alert: str
    brand: str
    settings: Settings
    feed: str = FEED

    @property
    def name(self) -> str:
        return f"{FEED}:{self.alert}"

    @property
    def interval(self) -> timedelta:
        return self.settings.mention_poll_interval

    async def fetch(
        self, http: aiohttp.ClientSession, state: dict[str, Any], now: datetime
    ) -> Page:
        settings = self.settings
        since = state.get("since_id")
        run = state.get("run") or {}
        base = (
            f"{settings.mention_api_url}/accounts/{settings.mention_account_id}"
            f"/alerts/{self.alert}/mentions"
        )
        url, params = run.get("next"), None
        if not url:
            url, params = base, {"limit": str(PAGE_SIZE)}
            if since:
                params["since_id"] = str(since)
        token = settings.mention_access_token
        try:
            data = await request_json(
                http,
                "GET",
                url,
                vendor="Mention",
                setting="MENTION_ACCESS_TOKEN",
                headers={"Authorization": f"Bearer {token.get_secret_value() if token else ''}"},
                params=params,
            )
        except ApiError as failed:
            raise PollFailed(str(failed), failed.retry_after) from None
        if not isinstance(data, dict) or not isinstance(data.get("mentions"), list):
            raise PollFailed("Mention API answered no mentions list")
        mentions = [m for m in data["mentions"] if not _seen(m, since)]
        newest = max((n for m in mentions if (n := _number(m)) is not None), default=None)
        top = max((n for n in (newest, _as_int(run.get("top")), _as_int(since)) if n), default=None)
        reached_seen = len(mentions) < len(data["mentions"])
        more = _more(data, settings.mention_api_url)
        payload = {"alert": self.alert, "brand": self.brand, "mentions": mentions}
        if since and more and mentions and not reached_seen:
            return Page(payload, "mentions", {**state, "run": {"next": more, "top": top}}, False)
        return Page(payload, "mentions", {"since_id": str(top) if top else since}, True)


def _number(item: Any) -> int | None:
    return _as_int(item.get("id")) if isinstance(item, dict) else None


def _as_int(value: Any) -> int | None:
    text = id_text(value)
    return int(text) if text and text.isdigit() else None


def _seen(item: Any, since: Any) -> bool:
    number, last = _number(item), _as_int(since)
    return number is not None and last is not None and number <= last


def _more(data: dict[str, Any], api_url: str) -> str | None:
    """The next (older) page's link, only on the API's own host: the token goes with it."""
    links = object_at(data, "_links")
    more = links.get("more")
    href = more.get("href") if isinstance(more, dict) else more
    if not isinstance(href, str) or not href.strip():
        return None
    absolute = urljoin(api_url + "/", href.strip())
    same = urlsplit(absolute)[:2] == urlsplit(api_url)[:2]
    return absolute if same else None


def alerts(settings: Settings) -> list[MentionAlert]:
    if settings.mention_access_token is None or not settings.mention_account_id:
        return []
    return [
        MentionAlert(alert, brand, settings)
        for alert, brand in parse_feed_brands(settings.mention_alerts).items()
    ]


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    if not isinstance(payload, dict) or not isinstance(payload.get("mentions"), list):
        return [ItemError("a Mention page is a JSON object with a mentions list", payload)]
    brand = payload.get("brand") if isinstance(payload.get("brand"), str) else None
    return [_mention(item, brand) for item in payload["mentions"]]


def _mention(item: Any, brand: str | None) -> SourceItem | ItemError:
    if not isinstance(item, dict):
        return ItemError("a mention is not an object", item)
    url = listening.http_url(item.get("original_url")) or listening.http_url(item.get("url"))
    if url is None:
        return ItemError("a mention without a link", item)
    source_type = str(item.get("source_type") or "").lower()
    source = _NETWORKS.get(source_type) or listening.network(url).value
    text = "\n".join(
        part.strip()
        for part in (item.get("title"), item.get("description"))
        if isinstance(part, str) and part.strip()
    )
    tone = item.get("tone")
    influence = object_at(item, "author_influence")
    followers = influence.get("followers_count") if isinstance(influence, dict) else None
    author_name = influence.get("name") if isinstance(influence, dict) else None
    alert: dict[str, Any] = {
        "id": listening.url_id(url),
        "source": source,
        "url": url,
        "text": text or listening.NO_TEXT,
        "brand": brand,
        "sentiment": float(tone) if tone in (-1, 0, 1) and not isinstance(tone, bool) else None,
        "language": item.get("language_code")
        if isinstance(item.get("language_code"), str)
        else None,
        "created_at": rfc3339(item.get("published_at")),
    }
    author: dict[str, Any] = {}
    if isinstance(author_name, str) and author_name.strip():
        author["name"] = author_name.strip()[:200]
    if isinstance(followers, int) and not isinstance(followers, bool) and 0 <= followers < 2**31:
        author["followers"] = followers
    if author:
        alert["author"] = author
    return SourceItem(FEED, ItemKind.added, {k: v for k, v in alert.items() if v is not None})
