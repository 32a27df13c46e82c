"""Slack events: the welcome the bot says when it is added to a channel."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import CoreContext
from handlers.slack.text import Renderer

log = structlog.get_logger(__name__)
WELCOME_EVENT = "member_joined_channel"


def register(app: AsyncApp, ctx: CoreContext) -> None:
    @app.event(WELCOME_EVENT)
    async def welcome(
        event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        # Someone else joining is none of the bot's business; its own arrival is the install
        # moment people see, so it says how to get started there.
        if event.get("user") != context.bot_user_id:
            return
        channel = str(event.get("channel") or "")
        text = Renderer(ctx.settings.language, {}).t("welcome.slack", channel=f"<#{channel}>")
        try:
            await client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as exc:
            log.warning("welcome not posted", channel=channel, error=str(exc))
