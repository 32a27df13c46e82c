"""`GET /charts/<n>.png?expires=…&sig=…`: a closed crisis's chart, for Teams cards."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot import chart_links, close_report
from bot.context import CoreContext
from models import Crisis


def register(router: web.UrlDispatcher, ctx: CoreContext) -> None:
    async def chart(request: web.Request) -> web.Response:
        number = request.match_info["n"]
        if not number.isdigit() or len(number) > 9:
            raise web.HTTPNotFound()
        crisis_id = int(number)
        async with ctx.db.transaction() as session:
            allowed = await chart_links.valid(
                session,
                ctx,
                crisis_id,
                request.query.get("expires", ""),
                request.query.get("sig", ""),
            )
            crisis = await session.get(Crisis, crisis_id) if allowed else None
            data = await close_report.chart_data(session, crisis) if crisis else None
        if data is None:
            # A wrong, expired or foreign link learns nothing, not even whether #n exists.
            raise web.HTTPNotFound()
        png = await asyncio.to_thread(
            close_report.render_chart, data, ctx.settings.language, ctx.settings.zone
        )
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )

    router.add_get("/charts/{n}.png", chart)
