"""Answers only the person who asked sees (ephemeral), rendered from core messages."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.context import CoreContext
from bot.messages import Message, mentioned_members
from handlers.slack.text import Renderer, members_by_id
from models import RosterMember

# Slack truncates message text beyond 40,000 characters; stay well below.
_MAX_TEXT = 3900 * 10


async def render(
    ctx: CoreContext, messages: list[Message], members: dict[int, RosterMember] | None = None
) -> str:
    """`members`: those of the mentioned members already read (the rest are read here)."""
    known = dict(members or {})
    missing = mentioned_members(messages) - known.keys()
    if missing:
        async with ctx.db.sessions() as session:
            known.update(await members_by_id(session, missing))
    renderer = Renderer(ctx.settings.language, known)
    text = "\n".join(renderer.render(message) for message in messages)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


async def ephemeral(
    ctx: CoreContext,
    respond: AsyncRespond,
    messages: list[Message],
    members: dict[int, RosterMember] | None = None,
) -> None:
    await respond(
        text=await render(ctx, messages, members),
        response_type="ephemeral",
        replace_original=False,
    )
