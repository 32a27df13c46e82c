"""Permalinks from Meta's Graph API for pages and Instagram accounts with a token in
META_PAGE_TOKENS (asked at META_GRAPH_API_URL) or, for an Instagram-Login app, in
INSTAGRAM_TOKENS (asked at INSTAGRAM_GRAPH_API_URL, where alone those tokens are valid): a
Facebook post's `permalink_url` and an Instagram media's `permalink`, read once per post with
a short timeout (and kept for the process). A comment links to its post's permalink with
`?comment_id=`. On any failure the link built from the ids stands.

The tokens go to Meta only: no log line carries a URL, an error's text or a token.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
import structlog

from bot.settings import Settings, parse_page_tokens

log = structlog.get_logger(__name__)

# Per request: the inbox waits for these before it takes the batch.
TIMEOUT = aiohttp.ClientTimeout(total=3)
_PARALLEL = 8
_KEPT = 4096
_FIELDS = {"facebook": "permalink_url", "instagram": "permalink"}
# Where a post's permalink is asked for, and with which token.
_Asked = tuple[str, str]


class Permalinks:
    """The feed's link reader (bot.inbox.LinkReader). Permalinks do not change, so those
    read are kept (the most recent few thousand); failures are not, and are asked again."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def read(self, items: list[dict[str, Any]], settings: Settings) -> None:
        tokens = {network: _tokens(settings, network) for network in _FIELDS}
        if not any(tokens.values()):
            return
        wanted: dict[tuple[str, str], _Asked] = {}
        for data in items:
            link = data["link"]
            key = (link.get("network", ""), link.get("post", ""))
            asked = tokens.get(key[0], {}).get(link.get("account", ""))
            if asked and key[1] and key not in self._known:
                wanted[key] = asked
        if wanted:
            await self._ask(wanted)
        for data in items:
            link = data["link"]
            key = (link.get("network", ""), link.get("post", ""))
            permalink = self._known.get(key)
            if permalink is not None and link.get("account") in tokens.get(key[0], {}):
                _use(data["alert"], permalink)

    async def _ask(self, wanted: dict[tuple[str, str], _Asked]) -> None:
        gate = asyncio.Semaphore(_PARALLEL)

        async def one(http: aiohttp.ClientSession, network: str, post: str, asked: _Asked) -> None:
            base_url, token = asked
            async with gate:
                permalink = await _permalink(http, base_url, network, post, token)
            if permalink is not None:
                self._known[(network, post)] = permalink
                self._known.move_to_end((network, post))

        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            await asyncio.gather(
                *(one(http, network, post, asked) for (network, post), asked in wanted.items())
            )
        while len(self._known) > _KEPT:
            self._known.popitem(last=False)


def _tokens(settings: Settings, network: str) -> dict[str, _Asked]:
    """Per account of this network, where to ask and with which token. An Instagram account
    in both lists is asked with its Instagram-Login token."""
    # Checked when the settings were read: a malformed list stops the bot from starting.
    found: dict[str, _Asked] = {}
    if settings.meta_page_tokens is not None:
        pages = parse_page_tokens(settings.meta_page_tokens.get_secret_value())
        found.update((account, (settings.meta_graph_api_url, t)) for account, t in pages.items())
    if network == "instagram" and settings.instagram_tokens is not None:
        accounts = parse_page_tokens(settings.instagram_tokens.get_secret_value())
        base_url = settings.instagram_graph_api_url
        found.update((account, (base_url, t)) for account, t in accounts.items())
    return found


async def _permalink(
    http: aiohttp.ClientSession, base_url: str, network: str, post: str, token: str
) -> str | None:
    """GET /<post or media id>?fields=permalink_url|permalink with the page's token."""
    field = _FIELDS[network]
    try:
        async with http.get(
            f"{base_url}/{post}", params={"fields": field, "access_token": token}
        ) as response:
            if response.status != 200:
                log.warning("meta permalink not read", post=post, status=response.status)
                return None
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # The error's text may quote the request's URL, and with it the token.
        log.warning("meta permalink not read", post=post, error=type(error).__name__)
        return None
    permalink = body.get(field) if isinstance(body, dict) else None
    if not isinstance(permalink, str) or urlsplit(permalink).scheme not in ("http", "https"):
        log.warning("meta permalink not read", post=post, error="no permalink in the answer")
        return None
    return permalink


def _use(alert: dict[str, Any], permalink: str) -> None:
    """The item links to the permalink (a comment with its `comment_id`); the link built
    from the ids stays its post's key (`parent_url`), so its crisis groups the same whether
    or not the Graph API answered."""
    if "url" not in alert:
        return
    if alert.get("parent_url"):
        alert["url"] = _with_query(permalink, comment_id=alert["id"])
    else:
        alert["parent_url"] = alert["url"]
        alert["url"] = permalink


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))
