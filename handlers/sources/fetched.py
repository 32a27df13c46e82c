"""The sources we fetch from (Google's reviews, the Brand24 and Mention pollers): their
loop, their scheduler jobs and Google's push route, assembled for the server."""

from __future__ import annotations

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import CoreContext
from bot.inbox import Inbox
from bot.source_polls import Parser, Poller, PollLoop
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
        poller = Poller(ctx, polled_parsers(), inbox.wake)
        settings = ctx.settings
        self.pollers = [
            (
                PollLoop("poll-brand24", poller, list(brand24.projects(settings))),
                settings.brand24_poll_interval,
            ),
            (
                PollLoop("poll-mention", poller, list(mention.alerts(settings))),
                settings.mention_poll_interval,
            ),
        ]

    @property
    def loops(self) -> list[WakeableLoop]:
        reading = [self.google] if google.configured(self.ctx.settings) else []
        return [*reading, *(loop for loop, _ in self.pollers if loop.feeds)]

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(
            "/sources/google", google.make_route(self.ctx.settings, self.google.receive_push)
        )

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """APScheduler wakes each tool's poll loop every its interval (each loop also polls
        once when it starts); the database says whether a feed is due (after a failure it
        waits longer) and which replica polls it."""
        for loop, interval in self.pollers:
            if loop.feeds:
                scheduler.add_job(
                    loop.poll_now,
                    "interval",
                    seconds=interval.total_seconds(),
                    id=loop.name,
                    max_instances=1,
                    coalesce=True,
                )
