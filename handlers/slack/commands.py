"""`/crisis`: the slash command. Acknowledged at once; the answer follows ephemerally."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp, AsyncRespond

from bot import commands
from bot.actors import Actor
from bot.context import CoreContext
from bot.messages import Message
from handlers.slack import PLATFORM
from handlers.slack.replies import ephemeral
from handlers.slack.text import parse_channel, parse_person

COMMAND = "/crisis"
log = structlog.get_logger(__name__)


def register(app: AsyncApp, ctx: CoreContext) -> None:
    @app.command(COMMAND)
    async def crisis_command(command: dict[str, Any], respond: AsyncRespond) -> None:
        actor = Actor(PLATFORM, command["user_id"], command.get("user_name"))
        try:
            reply = await commands.run(
                ctx, actor, command.get("text", ""), parse_person, parse_channel
            )
        except Exception:
            log.exception("/crisis failed", text=command.get("text", ""))
            reply = commands.CommandReply([Message("error.internal")], ok=False)
        await ephemeral(ctx, respond, reply.messages, reply.members)
