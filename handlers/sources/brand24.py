"""Brand24: mentions polled from its API, and its CSV/XLSX exports (`crisisbot import`).

`GET <BRAND24_API_URL>/api-data/v1/project/<id>/mentions` with `X-Api-Key`, `date_from`,
`date_to`, `limit` (at most 500) and `cursor`, answering `{"status": "success", "message":
{"results": […], "has_more_mentions": …, "cursor": …}}`. A mention has `date`, `time`,
`title`, `content`, `source` (a link, or `Tweet-ID: …`), `host`, `category` and `sentiment`
(-1/0/1), and neither an id nor an author: its id comes from its link, or a hash of what it
says. Brand24 gives no text for Facebook, Instagram and X: such a mention is judged by its
sentiment alone. Exports add author, followers and reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp

from bot.settings import Settings, parse_feed_brands
from bot.source_items import ItemError, ItemKind, SourceItem
from bot.source_polls import Page, PollFailed
from handlers.sources import listening
from handlers.sources.common import rfc3339
from handlers.sources.vendor_api import ApiError, request_json

FEED = "brand24"
PAGE_SIZE = 500
_TWEET_ID = re.compile(r"^\s*tweet[-_ ]?id\s*:\s*(\d{1,40})\s*$", re.IGNORECASE)
# Brand24 finds some mentions a while after they were posted: each run reaches back to the
# day before the last finished run, and the items already held are left out.
_REACH_BACK = timedelta(days=1)


@dataclass(frozen=True)
class Brand24Project:
    """One Brand24 project, polled into the inbox (`bot.source_polls`)."""

    project: str
    brand: str
    settings: Settings
    feed: str = FEED

    @property
    def name(self) -> str:
        return f"{FEED}:{self.project}"

    @property
    def interval(self) -> timedelta:
        return self.settings.brand24_poll_interval

    async def fetch(
        self, http: aiohttp.ClientSession, state: dict[str, Any], now: datetime
    ) -> Page:
        run = state.get("run") or _new_run(state.get("done"), now.astimezone(UTC).date())
        params = {"date_from": run["from"], "date_to": run["to"], "limit": str(PAGE_SIZE)}
        if run.get("cursor"):
            params["cursor"] = run["cursor"]
        key = self.settings.brand24_api_key
        url = f"{self.settings.brand24_api_url}/api-data/v1/project/{self.project}/mentions"
        try:
            data = await request_json(
                http,
                "GET",
                url,
                vendor="Brand24",
                setting="BRAND24_API_KEY",
                headers={"X-Api-Key": key.get_secret_value() if key else ""},
                params=params,
            )
        except ApiError as failed:
            raise PollFailed(str(failed), failed.retry_after) from None
        message = data.get("message") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("status") != "success"
            or not isinstance(message, dict)
            or not isinstance(message.get("results"), list)
        ):
            status = data.get("status") if isinstance(data, dict) else None
            raise PollFailed(f"Brand24 API answered no mentions (status {str(status)[:40]!r})")
        cursor = message.get("cursor")
        more = message.get("has_more_mentions") is True
        payload = {"project": self.project, "brand": self.brand, "results": message["results"]}
        if (
            more
            and isinstance(cursor, str | int)
            and str(cursor)
            and str(cursor) != str(run.get("cursor"))
        ):
            next_state = {**state, "run": {**run, "cursor": str(cursor)}}
            return Page(payload, "results", next_state, done=False)
        return Page(payload, "results", {"done": run["to"]}, done=True)


def _new_run(done: str | None, today: date) -> dict[str, Any]:
    start = today
    if done:
        try:
            start = min(today, date.fromisoformat(done) - _REACH_BACK)
        except ValueError:
            start = today
    return {"from": start.isoformat(), "to": today.isoformat(), "cursor": None}


def projects(settings: Settings) -> list[Brand24Project]:
    if settings.brand24_api_key is None:
        return []
    return [
        Brand24Project(project, brand, settings)
        for project, brand in parse_feed_brands(settings.brand24_projects).items()
    ]


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    """A stored page (or an import): `{"brand", "results": [mention, …]}`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        return [ItemError("a Brand24 page is a JSON object with a results list", payload)]
    brand = payload.get("brand") if isinstance(payload.get("brand"), str) else None
    return [mention(item, brand) for item in payload["results"]]


def mention(item: Any, brand: str | None, feed: str = FEED) -> SourceItem | ItemError:
    """One Brand24 mention (from the API, or a row of an export) in our alert schema."""
    if not isinstance(item, dict):
        return ItemError("a mention is not an object", item)
    link = _text(item.get("source")) or _text(item.get("url"))
    host = _text(item.get("host"))
    tweet = _TWEET_ID.match(link or "")
    category = _text(item.get("category"))
    if tweet:
        url = f"https://x.com/i/status/{tweet.group(1)}"
        source, item_id = "x", tweet.group(1)
    elif listening.http_url(link):
        url = listening.http_url(link) or ""
        source, item_id = listening.network(url, category).value, listening.url_id(url)
    elif host:
        url = listening.http_url(host) or f"https://{host.strip().strip('/')}"
        if listening.http_url(url) is None:
            return ItemError("a mention whose host is not a web address", item)
        source = listening.network(url, category).value
        item_id = listening.content_id(
            host,
            _text(item.get("date")),
            _text(item.get("time")),
            _text(item.get("title")),
            _text(item.get("content")),
        )
    elif link:
        return ItemError("a mention whose link is neither a web address nor a Tweet-ID", item)
    else:
        return ItemError("a mention with neither a source link nor a host", item)
    text = _joined(_text(item.get("title")), _text(item.get("content")))
    alert: dict[str, Any] = {
        "id": item_id,
        "source": source,
        "url": url,
        "text": text or listening.NO_TEXT,
        "brand": brand,
        "sentiment": _sentiment(item.get("sentiment")),
        "created_at": _posted(item.get("date"), item.get("time")),
        "reach": _count(item.get("reach")),
        "language": _text(item.get("language")),
    }
    author = {
        "name": (_text(item.get("author")) or "")[:200] or None,
        "followers": _count(item.get("followers")),
    }
    if any(value is not None for value in author.values()):
        alert["author"] = {k: v for k, v in author.items() if v is not None}
    return SourceItem(feed, ItemKind.added, {k: v for k, v in alert.items() if v is not None})


def _text(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _joined(title: str | None, content: str | None) -> str:
    if title and content and content.startswith(title):
        return content
    return "\n".join(part for part in (title, content) if part)


_SENTIMENTS = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}


def _sentiment(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(max(-1, min(1, value)))
    if isinstance(value, str) and value.strip():
        named = _SENTIMENTS.get(value.strip().lower())
        if named is not None:
            return named
        try:
            return float(max(-1.0, min(1.0, float(value.strip()))))
        except ValueError:
            return None
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        cleaned = value.strip().replace(" ", "").replace(",", "")
        value = int(cleaned) if cleaned.isdigit() else None
    return value if isinstance(value, int) and 0 <= value <= 2**31 - 1 else None


def _posted(day: Any, time: Any) -> str | None:
    """`date` + `time` (Brand24 writes them apart, in UTC) as RFC 3339."""
    if isinstance(day, datetime):
        return rfc3339(day.isoformat())
    day_text = _text(day.isoformat() if isinstance(day, date) else day)
    if day_text is None:
        return None
    time_text = _text(str(time) if time is not None else None)
    if time_text and "T" not in day_text and " " not in day_text:
        return rfc3339(f"{day_text}T{time_text}")
    return rfc3339(day_text)
