"""Answers only the person who asked sees (ephemeral), rendered from core messages."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.context import CoreContext
from bot.messages import Message
from handlers.slack.text import Renderer

# Slack truncates message text beyond 40,000 characters; stay well below.
_MAX_TEXT = 3900 * 10


async def render(ctx: CoreContext, messages: list[Message]) -> str:
    async with ctx.db.sessions() as session:
        renderer = await Renderer.load(session, ctx.settings.language, messages)
    text = "\n".join(renderer.render(message) for message in messages)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


async def ephemeral(ctx: CoreContext, respond: AsyncRespond, messages: list[Message]) -> None:
    await respond(
        text=await render(ctx, messages),
        response_type="ephemeral",
        replace_original=False,
    )
