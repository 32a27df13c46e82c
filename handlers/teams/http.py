"""`POST /api/messages`: Bot Framework activities, authenticated before anything is read
into the database."""

from __future__ import annotations

import json
from typing import Any

import structlog
from aiohttp import web
from botbuilder.schema import Activity

from handlers.teams.activities import TeamsActivities
from handlers.teams.auth import TeamsAuth, Unauthorized

log = structlog.get_logger(__name__)
MAX_BODY = 256 * 1024


def make_messages_handler(auth: TeamsAuth, activities: TeamsActivities) -> Any:
    async def messages(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        if auth.enabled and not header:
            return _refused()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "activity too large"}, status=413)
        body = await request.read()
        if len(body) > MAX_BODY:
            return web.json_response({"error": "activity too large"}, status=413)
        try:
            data = json.loads(body)
        except ValueError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        try:
            activity = Activity().deserialize(data)
        except Exception:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        try:
            await auth.check(activity, header, request.remote)
        except Unauthorized:
            return _refused()
        await activities.on_activity(data)
        return web.Response(status=200)

    return messages


def _refused() -> web.Response:
    return web.json_response({"error": "unauthorized"}, status=401)
