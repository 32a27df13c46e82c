"""`GET /healthz` and `GET /metrics`."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.context import CoreContext

_DB_CHECK_TIMEOUT = 2.0


def make_health(ctx: CoreContext, slack_enabled: bool, teams_enabled: bool = False) -> Any:
    async def healthz(request: web.Request) -> web.Response:
        # Liveness is the 200 itself; readiness (can we store alerts?) is in the body.
        try:
            async with asyncio.timeout(_DB_CHECK_TIMEOUT):
                async with ctx.db.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:
            database = f"unreachable: {exc.__class__.__name__}"
        return web.json_response(
            {
                "status": "ok",
                "ready": database == "ok",
                "database": database,
                "slack": "on" if slack_enabled else "off",
                "teams": "on" if teams_enabled else "off",
            }
        )

    return healthz


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
