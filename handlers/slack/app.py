"""The Bolt app: one AsyncApp whose listeners live in one module per command/action family."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.listener_matcher.async_listener_matcher import AsyncListenerMatcher
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.context import CoreContext
from handlers.slack import actions, commands, events, home, views

# Seconds; well inside the outbox's 15 s lease, even with the one retry.
_TIMEOUT = 5
# slack_sdk's clients build their debug lines (each request's and response's headers and
# body) whenever their logger's own level is unset, and only then does logging drop them:
# this one has its level set (bot.log.configure), so the lines are not built for nothing.
_SDK_LOGGER = logging.getLogger("slack_sdk")


def web_client(
    ctx: CoreContext, *, retry_rate_limits: bool, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client. `session`: the process's shared connection pool (without one, the
    client opens a connection per call)."""
    token = ctx.settings.slack_bot_token
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(max_retry_count=1)]
    if retry_rate_limits:
        # Async handlers wait with asyncio.sleep: a 429 on an interactive call (an
        # ephemeral answer, a modal) delays that answer only, never the event loop.
        handlers += [
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ]
    return AsyncWebClient(
        token=token.get_secret_value() if token else None,
        base_url=ctx.settings.slack_api_url,
        retry_handlers=handlers,
        timeout=_TIMEOUT,
        session=session,
        logger=_SDK_LOGGER,
    )


def http_session() -> aiohttp.ClientSession:
    """A connection pool for Web API clients to share (a call through it gets the same
    timeout as one without)."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=_TIMEOUT))


class SharedRespond(AsyncRespond):
    """Bolt's `respond` through the shared connection pool: Bolt's own opens a new
    connection (and TLS handshake) to Slack for every answer."""

    def __init__(self, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self.session = session

    # Bolt's own names each field it passes on; these go on to Slack as they are.
    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        client = AsyncWebhookClient(
            url=self.response_url or "", session=self.session, timeout=_TIMEOUT, logger=_SDK_LOGGER
        )
        if isinstance(text, dict):
            return await client.send_dict(_build_message(**text))
        return await client.send_dict(_build_message(text=text, **fields))


class _BodyMatcher(AsyncListenerMatcher):
    """Bolt's own matcher for a command or action id, given the body directly: Bolt builds
    every argument a listener could ask for (some thirty) to pass it the body, for each
    listener it tries, on every request."""

    def __init__(self, func: Callable[..., Any]) -> None:
        # An async builtin matcher's function is a coroutine function taking the body.
        self.func = func

    async def async_matches(self, req: AsyncBoltRequest, resp: BoltResponse) -> bool:
        return bool(await self.func(body=req.body))


class _CrisisApp(AsyncApp):
    """Bolt's AsyncApp (slack-bolt is pinned: these hooks are its internals) with less work
    per request: the answers to a request go through the process's connection pool, a
    listener is matched without Bolt's argument injection, and commands and clicks are
    acknowledged as soon as they are matched."""

    def __init__(self, *, respond_session: aiohttp.ClientSession | None, **kwargs: Any) -> None:
        self._respond_session = respond_session
        self._ack_at_once = False
        super().__init__(**kwargs)

    @contextmanager
    def acknowledging_at_once(self) -> Iterator[None]:
        """Listeners registered inside are acknowledged with an empty answer before they
        run, as Bolt does for events. A listener that acknowledges itself is started first
        and Bolt polls every 10 ms until it has, so under load the acknowledgement waited
        behind every listener already at work; these listeners answer later through
        `respond` anyway. A modal's submission stays outside: its acknowledgement carries
        the form's errors."""
        self._ack_at_once = True
        try:
            yield
        finally:
            self._ack_at_once = False

    def _init_context(self, req: AsyncBoltRequest) -> None:
        super()._init_context(req)
        url = req.context.response_url
        if self._respond_session is not None and url:
            req.context["respond"] = SharedRespond(url, self._respond_session)

    def _register_listener(
        self,
        functions: Sequence[Callable[..., Awaitable[BoltResponse | None]]],
        primary_matcher: AsyncListenerMatcher,
        matchers: Sequence[Callable[..., Awaitable[bool]]] | None,
        middleware: Sequence[Callable[..., Any] | AsyncMiddleware] | None,
        auto_acknowledgement: bool = False,
        ack_timeout: int = 3,
    ) -> Callable[..., Awaitable[BoltResponse | None]] | None:
        if isinstance(
            primary_matcher, AsyncBuiltinListenerMatcher
        ) and primary_matcher.arg_names == ["body"]:
            primary_matcher = _BodyMatcher(primary_matcher.func)
        return super()._register_listener(
            functions,
            primary_matcher,
            matchers,
            middleware,
            auto_acknowledgement or self._ack_at_once,
            ack_timeout,
        )


def build_app(ctx: CoreContext, session: aiohttp.ClientSession | None = None) -> AsyncApp:
    settings = ctx.settings
    signing_secret = settings.slack_signing_secret
    app = _CrisisApp(
        respond_session=session,
        # Unnamed, Bolt names the app (its logger) after the caller's file, found by
        # inspect.stack(): some 10,000 stat calls, about 90 ms of every start.
        name="crisisbot",
        client=web_client(ctx, retry_rate_limits=True, session=session),
        # Socket Mode requests are not signed; over HTTP Bolt checks every signature and
        # answers 401 to a missing, wrong or stale one.
        signing_secret=signing_secret.get_secret_value() if signing_secret else None,
        request_verification_enabled=settings.slack_app_token is None,
    )
    with app.acknowledging_at_once():
        commands.register(app, ctx)
        actions.register(app, ctx)
    views.register(app, ctx)
    events.register(app, ctx)
    home.register(app, ctx)
    return app
