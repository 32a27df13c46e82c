"""Permalinks from the Graph API (META_PAGE_TOKENS) against a fake Graph API on 127.0.0.1:
read once per post, used when they come, the built links when they do not, and the tokens
never in the logs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import select
from structlog.testing import capture_logs
from typer.testing import CliRunner

from bot import cli
from bot.context import CoreContext
from bot.inbox import Inbox
from handlers.sources import meta_graph
from handlers.sources.routes import register_feeds
from models import Alert, Crisis
from tests.conftest import make_settings
from tests.e2e import running_bot
from tests.sources import IG_ACCOUNT, PAGE, SOURCE_SETTINGS, fixture, items_finished, post_meta

PAGE_TOKEN = "EAAGpage0token0SECRET0one"
IG_TOKEN = "EAAGig0token0SECRET0two"
TOKENS = f"{PAGE}={PAGE_TOKEN},{IG_ACCOUNT}={IG_TOKEN}"
POST = f"{PAGE}_700000000000101"
MEDIA = "17900000000000501"
FB_PERMALINK = "https://www.facebook.com/sklep.example/posts/pfbid02AbCdEf"
IG_PERMALINK = "https://www.instagram.com/p/DAbCdEfGh12/"
OTHER_PAGE = "104857600000002"


class FakeGraph:
    """GET /v21.0/<id>?fields=…: the permalink, a 500, or no answer, per id; records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.failing: dict[str, int] = {}
        self.hanging: set[str] = set()
        self.release = asyncio.Event()
        self.url = ""

    async def node(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        self.calls.append((node, dict(request.query)))
        if node in self.hanging:
            await self.release.wait()
        if node in self.failing:
            return web.json_response({"error": {"message": "oops"}}, status=self.failing[node])
        if request.query.get("fields") == "permalink_url":
            return web.json_response({"permalink_url": FB_PERMALINK, "id": node})
        return web.json_response({"permalink": IG_PERMALINK, "id": node})


@asynccontextmanager
async def fake_graph() -> AsyncIterator[FakeGraph]:
    graph = FakeGraph()
    app = web.Application()
    app.router.add_get("/v21.0/{node}", graph.node)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    graph.url = f"http://127.0.0.1:{port}/v21.0"
    try:
        yield graph
    finally:
        graph.release.set()
        await runner.cleanup()


def comment(page: str, post: str, n: int, text: str) -> dict[str, Any]:
    return {
        "id": page,
        "time": 1795435200,
        "changes": [
            {
                "field": "feed",
                "value": {
                    "from": {"id": f"91000000000000{n}", "name": f"Person {n}"},
                    "message": text,
                    "post_id": post,
                    "comment_id": f"{post.split('_')[1]}_80000000000000{n}",
                    "created_time": 1795435200 + n,
                    "item": "comment",
                    "parent_id": post,
                    "verb": "add",
                },
            }
        ],
    }


def delivery(*entries: dict[str, Any]) -> str:
    return json.dumps({"object": "page", "entry": list(entries)})


def inbox_with_tokens(ctx: CoreContext, graph: FakeGraph, tokens: str = TOKENS) -> Inbox:
    ctx.settings = make_settings(
        database_url=ctx.db.url,
        **SOURCE_SETTINGS,
        meta_page_tokens=tokens,
        meta_graph_api_url=graph.url,
    )
    inbox = Inbox(ctx)
    register_feeds(inbox)
    return inbox


async def alert_urls(ctx: CoreContext) -> dict[str, tuple[str, str | None]]:
    async with ctx.db.sessions() as session:
        rows = (await session.scalars(select(Alert))).all()
    return {row.external_id: (row.url, row.parent_url) for row in rows}


async def test_pages_with_a_token_link_to_the_graph_permalink_read_once_per_post(
    ctx: CoreContext,
) -> None:
    async with fake_graph() as graph:
        inbox = inbox_with_tokens(ctx, graph)
        complaint = "Nie polecam, paczka nie dotarła, oszustwo!"
        fb = delivery(
            comment(PAGE, POST, 1, complaint),
            comment(PAGE, POST, 2, complaint + " Drugi raz!"),
            comment(OTHER_PAGE, f"{OTHER_PAGE}_700000000000301", 3, complaint),
        )
        with capture_logs() as logs:
            await inbox.receive("meta", fb)
            await inbox.receive("meta", fixture("meta_instagram_changes.json").decode())
            assert await inbox.drain() == 4
        assert sorted(graph.calls) == [
            (POST, {"fields": "permalink_url", "access_token": PAGE_TOKEN}),
            (MEDIA, {"fields": "permalink", "access_token": IG_TOKEN}),
        ]
        built = f"https://www.facebook.com/{POST}"
        assert await alert_urls(ctx) == {
            "700000000000101_800000000000001": (
                f"{FB_PERMALINK}?comment_id=700000000000101_800000000000001",
                built,
            ),
            "700000000000101_800000000000002": (
                f"{FB_PERMALINK}?comment_id=700000000000101_800000000000002",
                built,
            ),
            # A page without a token keeps the link built from the ids.
            "700000000000301_800000000000003": (
                f"https://www.facebook.com/{OTHER_PAGE}_700000000000301"
                "?comment_id=700000000000301_800000000000003",
                f"https://www.facebook.com/{OTHER_PAGE}_700000000000301",
            ),
            "17800000000000601": (
                f"{IG_PERMALINK}?comment_id=17800000000000601",
                f"https://www.instagram.com/media/{MEDIA}",
            ),
        }
        async with ctx.db.sessions() as session:
            crises = (await session.scalars(select(Crisis).order_by(Crisis.id))).all()
        # The two comments under one post are one crisis, linked to the post's permalink.
        assert [(c.alert_count, c.post_url) for c in crises] == [
            (2, f"{FB_PERMALINK}?comment_id=700000000000101_800000000000001"),
            (
                1,
                f"https://www.facebook.com/{OTHER_PAGE}_700000000000301?comment_id=700000000000301_800000000000003",
            ),
            (1, f"{IG_PERMALINK}?comment_id=17800000000000601"),
        ]
        # A later comment under the same post: the permalink is known, Meta is not asked.
        await inbox.receive("meta", delivery(comment(PAGE, POST, 4, "Dziękuję, super!")))
        assert await inbox.drain() == 1
        assert len(graph.calls) == 2
    assert PAGE_TOKEN not in repr(logs) and IG_TOKEN not in repr(logs)


async def test_a_graph_api_that_fails_or_hangs_leaves_the_built_links_and_loses_nothing(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meta_graph, "TIMEOUT", aiohttp.ClientTimeout(total=0.2))
    async with fake_graph() as graph:
        graph.failing[POST] = 500
        graph.hanging.add(MEDIA)
        inbox = inbox_with_tokens(ctx, graph)
        with capture_logs() as logs:
            await inbox.receive("meta", fixture("meta_comment_add.json").decode())
            await inbox.receive("meta", fixture("meta_instagram_flat.json").decode())
            assert await inbox.drain() == 2
        assert len(graph.calls) == 2
        assert await alert_urls(ctx) == {
            "700000000000101_800000000000201": (
                f"https://www.facebook.com/{POST}?comment_id=700000000000101_800000000000201",
                f"https://www.facebook.com/{POST}",
            ),
            "17800000000000602": (
                f"https://www.instagram.com/media/{MEDIA}?comment_id=17800000000000602",
                f"https://www.instagram.com/media/{MEDIA}",
            ),
        }
    failures = [log for log in logs if log["event"] == "meta permalink not read"]
    assert sorted((f["post"], f.get("status"), f.get("error")) for f in failures) == [
        (POST, 500, None),
        (MEDIA, None, "TimeoutError"),
    ]
    assert PAGE_TOKEN not in repr(logs) and IG_TOKEN not in repr(logs)


@pytest.mark.parametrize(
    ("variable", "pair"),
    [
        ("META_PAGE_TOKENS", "page or Instagram account id=page access token"),
        ("INSTAGRAM_TOKENS", "Instagram account id=Instagram user access token"),
    ],
)
def test_a_malformed_token_list_stops_the_bot_without_quoting_its_tokens(
    monkeypatch: pytest.MonkeyPatch, variable: str, pair: str
) -> None:
    monkeypatch.setenv(variable, f"{PAGE}={PAGE_TOKEN},{IG_TOKEN}")
    result = CliRunner().invoke(cli.app, ["serve"])
    assert result.exit_code == 2
    assert f"configuration error: {variable}: " in result.output
    assert f"pair 2 is not {pair}" in result.output
    assert PAGE_TOKEN not in result.output and IG_TOKEN not in result.output
    with pytest.raises(ValidationError) as refused:
        make_settings(**{variable.lower(): f"{PAGE}={PAGE_TOKEN},{IG_TOKEN}"})
    assert PAGE_TOKEN not in str(refused.value) and IG_TOKEN not in str(refused.value)


async def test_the_crisis_thread_links_to_the_graph_permalink(database_url: str) -> None:
    async with fake_graph() as graph:
        settings = {**SOURCE_SETTINGS, "meta_page_tokens": TOKENS}
        async with running_bot(database_url, meta_graph_api_url=graph.url, **settings) as slack:
            status, _ = await post_meta(slack.http, slack.url, fixture("meta_comment_add.json"))
            assert status == 200
            [item] = await items_finished(slack.bot.db, 1)
            assert item.outcome == "opened"
            await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
            text = str(slack.root(1)["blocks"])
            assert f"{FB_PERMALINK}?comment_id=700000000000101_800000000000201" in text
            assert f"https://www.facebook.com/{POST}" not in text


async def test_instagram_login_tokens_are_used_at_graph_instagram_com(ctx: CoreContext) -> None:
    instagram_token = "IGAAig0login0SECRET0three"
    async with fake_graph() as facebook, fake_graph() as instagram:
        ctx.settings = make_settings(
            database_url=ctx.db.url,
            **SOURCE_SETTINGS,
            meta_page_tokens=f"{PAGE}={PAGE_TOKEN}",
            meta_graph_api_url=facebook.url,
            instagram_tokens=f"{IG_ACCOUNT}={instagram_token}",
            instagram_graph_api_url=instagram.url + "/",
        )
        inbox = Inbox(ctx)
        register_feeds(inbox)
        with capture_logs() as logs:
            await inbox.receive("meta", fixture("meta_comment_add.json").decode())
            await inbox.receive("meta", fixture("meta_instagram_changes.json").decode())
            assert await inbox.drain() == 2
        # Each token where it is valid: the page's at Facebook's Graph API, the Instagram
        # user's at Instagram's.
        assert facebook.calls == [(POST, {"fields": "permalink_url", "access_token": PAGE_TOKEN})]
        assert instagram.calls == [
            (MEDIA, {"fields": "permalink", "access_token": instagram_token})
        ]
        urls = await alert_urls(ctx)
        assert urls["17800000000000601"] == (
            f"{IG_PERMALINK}?comment_id=17800000000000601",
            f"https://www.instagram.com/media/{MEDIA}",
        )
    assert instagram_token not in repr(logs)
