"""Charts for Teams cards, at signed, expiring URLs: `GET /charts/<n>.png?expires=…&sig=…`
(a closed crisis's) and `GET /charts/digest/<slot>.png?…` (a weekly digest's)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import chart_links, close_report, digest
from bot.context import CoreContext
from models import Crisis

# Seconds since the epoch, as a digest's slot is named in its link.
_MAX_DIGITS = 12


def register(router: web.UrlDispatcher, ctx: CoreContext) -> None:
    async def signed_png(
        request: web.Request,
        subject: str,
        draw: Callable[[AsyncSession], Awaitable[Callable[[], bytes] | None]],
    ) -> web.Response:
        """The PNG `draw` prepares, if the link to `subject` is signed and not expired."""
        async with ctx.db.transaction() as session:
            allowed = await chart_links.valid(
                session,
                ctx,
                subject,
                request.query.get("expires", ""),
                request.query.get("sig", ""),
            )
            render = await draw(session) if allowed else None
        if render is None:
            # A wrong, expired or foreign link learns nothing, not even whether it exists.
            raise web.HTTPNotFound()
        png = await asyncio.to_thread(render)
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )

    async def crisis_chart(request: web.Request) -> web.Response:
        number = request.match_info["n"]
        if not number.isdigit() or len(number) > 9:
            raise web.HTTPNotFound()
        crisis_id = int(number)

        async def draw(session: AsyncSession) -> Callable[[], bytes] | None:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                return None
            data = await close_report.chart_data(session, crisis)
            return lambda: close_report.render_chart(data, ctx.settings.language, ctx.settings.zone)

        return await signed_png(request, str(crisis_id), draw)

    async def digest_chart(request: web.Request) -> web.Response:
        stamp = request.match_info["slot"]
        if not stamp.isdigit() or len(stamp) > _MAX_DIGITS:
            raise web.HTTPNotFound()
        slot = datetime.fromtimestamp(int(stamp), UTC)

        async def draw(session: AsyncSession) -> Callable[[], bytes] | None:
            data = await digest.chart_data(session, ctx, slot)
            return lambda: digest.render_chart(data, ctx.settings.language)

        return await signed_png(request, chart_links.digest_subject(slot), draw)

    router.add_get("/charts/{n}.png", crisis_chart)
    router.add_get("/charts/digest/{slot}.png", digest_chart)
