"""`POST /slack/events`: Slack's HTTP requests handed to Bolt."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest


def to_bolt_request(raw: bytes, query: str, headers: dict[str, str]) -> AsyncBoltRequest:
    # A body that is not UTF-8 cannot carry a valid signature; decoding it leniently lets
    # Bolt refuse it with 401 instead of the server failing with 500.
    body = raw.decode("utf-8", errors="replace")
    request = AsyncBoltRequest(body=body, query=query, headers={**headers})
    if not request.body and body:
        # Bolt takes any form body containing the word "payload" for an interactivity
        # payload, so `/crisis open <url> payload leaked` would parse as {} and be dropped.
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if "command" in fields and "payload" not in fields:
            request.body = fields
            request.context = build_async_context(AsyncBoltContext({}), fields)
    return request


def make_events_handler(app: AsyncApp) -> Any:
    async def slack_events(request: web.Request) -> web.Response:
        bolt_request = to_bolt_request(
            await request.read(), request.query_string, dict(request.headers)
        )
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return slack_events
