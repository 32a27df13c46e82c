"""Modal submissions: Reassign and Propose resolution."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import crisis_flow
from bot.actors import Actor
from bot.context import CoreContext
from bot.errors import CrisisError
from bot.messages import Message
from handlers.slack import PLATFORM
from handlers.slack.actions import actor_of, crisis_number
from handlers.slack.blocks import (
    NOTE_BLOCK,
    NOTE_INPUT,
    OWNER_BLOCK,
    OWNER_INPUT,
    REASSIGN_VIEW,
    REMEDY_BLOCK,
    REMEDY_INPUT,
    RESOLVE_VIEW,
)
from handlers.slack.replies import render

log = structlog.get_logger(__name__)
Body = dict[str, Any]


def _value(view: Body, block: str, action: str) -> Body:
    return dict(view.get("state", {}).get("values", {}).get(block, {}).get(action, {}))


def register(app: AsyncApp, ctx: CoreContext) -> None:
    async def submit(ack: AsyncAck, block: str, run: Any) -> None:
        """Make the move before answering: a refusal is shown on the modal, which stays open."""
        try:
            await run()
        except CrisisError as refusal:
            await ack(
                response_action="errors", errors={block: await render(ctx, [refusal.message])}
            )
            return
        except Exception:
            log.exception("modal submission failed")
            text = await render(ctx, [Message("error.internal")])
            await ack(response_action="errors", errors={block: text})
            return
        await ack()

    @app.view(REASSIGN_VIEW)
    async def reassign_submitted(ack: AsyncAck, body: Body, view: Body) -> None:
        selected = _value(view, OWNER_BLOCK, OWNER_INPUT).get("selected_user") or ""

        async def run() -> Message:
            number = crisis_number(view.get("private_metadata"))
            return await crisis_flow.reassign(
                ctx, number, actor_of(body), Actor(PLATFORM, str(selected))
            )

        await submit(ack, OWNER_BLOCK, run)

    @app.view(RESOLVE_VIEW)
    async def resolution_submitted(ack: AsyncAck, body: Body, view: Body) -> None:
        remedy = (_value(view, REMEDY_BLOCK, REMEDY_INPUT).get("selected_option") or {}).get(
            "value"
        )
        note = _value(view, NOTE_BLOCK, NOTE_INPUT).get("value")

        async def run() -> Message:
            number = crisis_number(view.get("private_metadata"))
            return await crisis_flow.propose_resolution(ctx, number, actor_of(body), remedy, note)

        await submit(ack, REMEDY_BLOCK, run)
