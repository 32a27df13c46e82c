"""The sources we fetch from (Google's reviews, the Brand24 and Mention pollers): their
loop, their scheduler jobs and Google's push route, assembled for the server."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import CoreContext
from bot.inbox import Inbox
from bot.source_polls import Parser, PolledFeed, Poller
from bot.wakeable import WakeableLoop
from handlers.sources import brand24, exports, google, mention
from handlers.sources.google_reviews import GoogleReviews


def register_feeds(inbox: Inbox) -> None:
    inbox.register(google.FEED, google.parse)
    inbox.register(brand24.FEED, brand24.parse)
    inbox.register(mention.FEED, mention.parse)
    inbox.register(exports.FEED, exports.parse)


def polled_parsers() -> dict[str, Parser]:
    """The feeds whose items the pollers and imports check before storing."""
    return {brand24.FEED: brand24.parse, mention.FEED: mention.parse, exports.FEED: exports.parse}


class FetchedSources:
    def __init__(self, ctx: CoreContext, inbox: Inbox) -> None:
        self.ctx = ctx
        self.google = GoogleReviews(ctx, inbox)
        self.poller = Poller(ctx, polled_parsers(), inbox.wake)
        self.polled: dict[str, list[PolledFeed]] = {
            brand24.FEED: list(brand24.projects(ctx.settings)),
            mention.FEED: list(mention.alerts(ctx.settings)),
        }

    @property
    def loops(self) -> list[WakeableLoop]:
        return [self.google]

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(
            "/sources/google", google.make_route(self.ctx.settings, self.google.receive_push)
        )

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """A job per polled tool, every its interval, starting at once; the database says
        whether a feed is due (backoff) and which replica polls it."""
        intervals = {
            brand24.FEED: self.ctx.settings.brand24_poll_interval,
            mention.FEED: self.ctx.settings.mention_poll_interval,
        }
        for feed, feeds in self.polled.items():
            if not feeds:
                continue
            scheduler.add_job(
                self.poller.poll_due,
                "interval",
                args=[feeds],
                seconds=intervals[feed].total_seconds(),
                id=f"poll-{feed}",
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(UTC),
            )
