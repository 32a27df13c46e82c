"""`GET /export/crises.csv?since=YYYY-MM-DD[&until=YYYY-MM-DD]`, behind a bearer token.

Registered only when EXPORT_TOKEN is set: without one the route does not exist (404).
"""

from __future__ import annotations

import hmac

from aiohttp import web

from bot import export
from bot.context import CoreContext


def register(router: web.UrlDispatcher, ctx: CoreContext) -> None:
    if ctx.settings.export_token is None:
        return
    expected = f"Bearer {ctx.settings.export_token.get_secret_value()}".encode()

    async def crises_csv(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(
                status=401,
                text="an Authorization: Bearer <EXPORT_TOKEN> header is required\n",
                headers={"WWW-Authenticate": "Bearer"},
            )
        since = request.query.get("since")
        if not since:
            return web.Response(status=400, text="since=YYYY-MM-DD is required\n")
        try:
            days = export.day_range(
                since, request.query.get("until"), ctx.settings.zone, ctx.clock.now()
            )
        except export.BadRange as exc:
            return web.Response(status=400, text=f"{exc}\n")
        async with ctx.db.sessions() as session:
            records = await export.rows(session, days)
        return web.Response(
            text=export.render(records, "csv"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="crises.csv"'},
        )

    router.add_get("/export/crises.csv", crises_csv)
