"""The controls on a crisis root message and on its playbook checklist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import crises, crisis_flow
from bot.actors import Actor
from bot.context import CoreContext
from bot.errors import CrisisError, InvalidInput
from bot.messages import Message
from handlers.slack import PLATFORM
from handlers.slack.blocks import (
    ACK,
    CATEGORY,
    CLOSING_STEPS,
    CONFIRM,
    PLAYBOOK,
    PLAYBOOK_STEPS,
    REASSIGN,
    REOPEN,
    RESOLVE,
    SNOOZE,
    reassign_view,
    resolve_view,
)
from handlers.slack.replies import ephemeral
from handlers.slack.text import Renderer, members_by_id

log = structlog.get_logger(__name__)
Body = dict[str, Any]
# Where "tomorrow 9:00" falls when Slack cannot tell the owner's time zone: the bot's users
# are in Poland first.
DEFAULT_TZ = "Europe/Warsaw"


def actor_of(body: Body) -> Actor:
    user = body.get("user") or {}
    return Actor(PLATFORM, str(user.get("id", "")), user.get("username") or user.get("name"))


def crisis_number(value: str | None) -> int:
    """The crisis a control belongs to: its value is `<n>` or `<n>:<choice>`."""
    head = (value or "").split(":", 1)[0]
    if not head.isdigit():
        raise InvalidInput("error.no_such_crisis", n=head or "?")
    return int(head)


def register(app: AsyncApp, ctx: CoreContext) -> None:
    async def answer(respond: AsyncRespond, run: Callable[[], Awaitable[Message | None]]) -> None:
        """Run the click's work; tell the person the outcome, or why nothing happened."""
        try:
            message = await run()
        except CrisisError as refusal:
            message = refusal.message
        except Exception:
            log.exception("button failed")
            message = Message("error.internal")
        if message is not None:
            await ephemeral(ctx, respond, [message])

    @app.action(ACK)
    async def acknowledge(body: Body, action: Body, respond: AsyncRespond) -> None:
        await answer(
            respond,
            lambda: crisis_flow.acknowledge(
                ctx, crisis_number(action.get("value")), actor_of(body)
            ),
        )

    @app.action(CONFIRM)
    async def client_confirmed(body: Body, action: Body, respond: AsyncRespond) -> None:
        # Slack showed the confirm dialog before sending this.
        await answer(
            respond,
            lambda: crisis_flow.confirm(
                ctx, crisis_number(action.get("value")), actor_of(body), None
            ),
        )

    async def open_modal(
        body: Body, action: Body, respond: AsyncRespond, client: AsyncWebClient, build: Any
    ) -> None:
        async def run() -> None:
            number = crisis_number(action.get("value"))
            async with ctx.db.sessions() as session:
                crisis = await crises.get(session, number)
            # The modal opens for anyone; the move itself checks who asks when submitted.
            await client.views_open(
                trigger_id=body["trigger_id"],
                view=build(crisis, Renderer(ctx.settings.language, {})),
            )

        await answer(respond, run)

    @app.action(REASSIGN)
    async def reassign(
        body: Body, action: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await open_modal(body, action, respond, client, reassign_view)

    @app.action(RESOLVE)
    async def propose_resolution(
        body: Body, action: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await open_modal(body, action, respond, client, resolve_view)

    @app.action(SNOOZE)
    async def snooze(
        body: Body, action: Body, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        value = (action.get("selected_option") or {}).get("value", "")

        async def run() -> Message:
            number = crisis_number(value)
            choice = value.partition(":")[2]
            until = await snooze_until(ctx, client, number, choice, actor_of(body))
            return await crisis_flow.snooze(ctx, number, actor_of(body), until)

        await answer(respond, run)

    @app.action(CATEGORY)
    async def change_category(body: Body, action: Body, respond: AsyncRespond) -> None:
        value = (action.get("selected_option") or {}).get("value", "")
        await answer(
            respond,
            lambda: crisis_flow.set_category(
                ctx, crisis_number(value), actor_of(body), value.partition(":")[2]
            ),
        )

    @app.action(PLAYBOOK)
    async def show_playbook(action: Body, respond: AsyncRespond) -> None:
        await answer(
            respond, lambda: crisis_flow.show_playbook(ctx, crisis_number(action.get("value")))
        )

    @app.action(REOPEN)
    async def reopen(body: Body, action: Body, respond: AsyncRespond) -> None:
        await answer(
            respond,
            lambda: crisis_flow.reopen(ctx, crisis_number(action.get("value")), actor_of(body)),
        )

    @app.action(PLAYBOOK_STEPS)
    async def tick_steps(body: Body, action: Body, respond: AsyncRespond) -> None:
        # The block id carries the crisis: with nothing ticked, no option value would.
        number = crisis_number(str(action.get("block_id", "")).removeprefix("playbook_"))
        done = {
            option["value"].partition(":")[2] for option in action.get("selected_options") or []
        }
        await answer(respond, lambda: crisis_flow.set_steps(ctx, number, actor_of(body), done))

    @app.action(CLOSING_STEPS)
    async def tick_closing(body: Body, action: Body, respond: AsyncRespond) -> None:
        number = crisis_number(str(action.get("block_id", "")).removeprefix("closing_"))
        done = {
            option["value"].partition(":")[2] for option in action.get("selected_options") or []
        }
        await answer(respond, lambda: crisis_flow.set_closing(ctx, number, actor_of(body), done))


async def snooze_until(
    ctx: CoreContext, client: AsyncWebClient, number: int, choice: str, actor: Actor
) -> datetime:
    now = ctx.clock.now()
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "4h":
        return now + timedelta(hours=4)
    if choice != "tomorrow":
        raise InvalidInput("error.bad_snooze")
    # 9:00 tomorrow where the owner lives (who gets the reminder), else where the clicker does.
    async with ctx.db.sessions() as session:
        crisis = await crises.get(session, number)
        owners = await members_by_id(session, [crisis.owner_id] if crisis.owner_id else [])
    owner = owners.get(crisis.owner_id or 0)
    user_id = (owner.identity(PLATFORM) if owner else None) or actor.user_id
    zone = await _time_zone(client, user_id)
    local_tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
    return datetime(
        local_tomorrow.year, local_tomorrow.month, local_tomorrow.day, 9, 0, tzinfo=zone
    )


async def _time_zone(client: AsyncWebClient, user_id: str) -> ZoneInfo:
    try:
        response = await client.users_info(user=user_id)
        return ZoneInfo(str(response["user"].get("tz") or DEFAULT_TZ))
    except (SlackApiError, ZoneInfoNotFoundError, KeyError, ValueError):
        log.warning("time zone unknown, using the default", user=user_id, default=DEFAULT_TZ)
        return ZoneInfo(DEFAULT_TZ)
