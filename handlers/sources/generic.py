"""Anything that can POST JSON (Zapier, Make, n8n) at POST /sources/generic/<token>.

GENERIC_FIELD_MAP maps our fields to dotted paths in the sender's JSON (our side may be
dotted too, `author.name`; `=forum` is a constant). Without a map the body is in our
`/alerts` schema. Numbers sent as text, as Zapier sends them, are taken. One object per
POST is checked at once: a missing required field is a 400 that names it, and nothing is
stored. A JSON array is a batch: valid items are taken, the others recorded with a reason.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.alert_input import AlertInvalid, parse_alert
from bot.context import CoreContext
from bot.inbox import Inbox
from bot.settings import Settings, parse_field_map
from bot.source_items import ItemError, ItemKind, SourceItem
from handlers.sources.common import Refused, answer, decode_json, read_body, same_secret, store

FEED = "generic"
MAX_BATCH = 1000
_INTEGERS = ("reach", "author.followers")
_DECIMALS = ("sentiment",)


def make_route(ctx: CoreContext, inbox: Inbox) -> Any:
    async def receive(request: web.Request) -> web.Response:
        token = ctx.settings.generic_webhook_token
        if token is None or not same_secret(
            request.match_info.get("token"), token.get_secret_value()
        ):
            return answer(FEED, 404, {"error": "not found"})
        try:
            data, text = decode_json(await read_body(request))
            _check(data, ctx.settings)
        except Refused as refused:
            return answer(FEED, refused.status, {"error": refused.error})
        except AlertInvalid as invalid:
            return answer(FEED, 400, {"error": invalid.error, "field": invalid.field})
        failed = await store(inbox, FEED, text)
        return failed or answer(FEED, 200, {"ok": True})

    return receive


def _check(data: Any, settings: Settings) -> None:
    if isinstance(data, list):
        if not data:
            raise Refused(400, "an empty batch: send at least one item")
        if len(data) > MAX_BATCH:
            raise Refused(400, f"a batch holds at most {MAX_BATCH} items, not {len(data)}")
        return
    if not isinstance(data, dict):
        raise Refused(400, "the body must be a JSON object (or an array of them)")
    parse_alert(mapped(data, parse_field_map(settings.generic_field_map)))


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    field_map = parse_field_map(settings.generic_field_map)
    results: list[SourceItem | ItemError] = []
    for item in payload if isinstance(payload, list) else [payload]:
        if not isinstance(item, dict):
            results.append(ItemError("an item is not a JSON object", item))
            continue
        alert = mapped(item, field_map)
        try:
            parse_alert(alert)
        except AlertInvalid as invalid:
            results.append(ItemError(invalid.error, item))
            continue
        results.append(SourceItem(FEED, ItemKind.added, alert))
    return results


def mapped(item: dict[str, Any], field_map: dict[str, str]) -> dict[str, Any]:
    """The item in our alert schema: through the map when there is one; numbers sent as
    text become numbers."""
    if field_map:
        alert: dict[str, Any] = {}
        for ours, theirs in field_map.items():
            value = theirs[1:] if theirs.startswith("=") else _get(item, theirs)
            if value is not None:
                _set(alert, ours, value)
    else:
        alert = {key: value for key, value in item.items()}
        if isinstance(alert.get("author"), dict):
            alert["author"] = dict(alert["author"])
    for path in _INTEGERS:
        _convert(alert, path, int)
    for path in _DECIMALS:
        _convert(alert, path, float)
    return alert


def _get(item: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(item, dict):
            item = item.get(part)
        elif isinstance(item, list) and part.isdigit() and int(part) < len(item):
            item = item[int(part)]
        else:
            return None
    return item


def _set(alert: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = alert
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[last] = value


def _convert(alert: dict[str, Any], path: str, kind: type[int] | type[float]) -> None:
    *parents, last = path.split(".")
    target: Any = alert
    for part in parents:
        target = target.get(part) if isinstance(target, dict) else None
    if not isinstance(target, dict) or not isinstance(target.get(last), str):
        return
    text = target[last].strip().replace(",", "") if kind is int else target[last].strip()
    try:
        target[last] = kind(text)
    except ValueError:
        return
