"""The native sources' routes and their feeds' parsers, in one place."""

from __future__ import annotations

from aiohttp import web

from bot.context import CoreContext
from bot.inbox import Inbox
from handlers.sources import generic, meta, meta_graph, trustpilot


def register_feeds(inbox: Inbox) -> None:
    inbox.register(meta.FEED, meta.parse, meta_graph.Permalinks().read)
    inbox.register(trustpilot.FEED, trustpilot.parse)
    inbox.register(generic.FEED, generic.parse)


def add_routes(router: web.UrlDispatcher, ctx: CoreContext, inbox: Inbox) -> None:
    handshake, receive = meta.make_routes(ctx, inbox)
    router.add_get("/sources/meta", handshake)
    router.add_post("/sources/meta", receive)
    router.add_post("/sources/trustpilot/{token}", trustpilot.make_route(ctx, inbox))
    router.add_post("/sources/generic/{token}", generic.make_route(ctx, inbox))
