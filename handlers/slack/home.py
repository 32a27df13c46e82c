"""The App Home tab: "My crises" and "All open crises", published when a person opens it."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import home, platform_posts
from bot.actors import Actor
from bot.context import CoreContext
from bot.messages import Message, choice_ref, duration_ref, link_ref, member_ref, time_ref
from handlers.slack import PLATFORM
from handlers.slack.delivery import ROOT
from handlers.slack.text import Renderer

log = structlog.get_logger(__name__)


def thread_url(channel: str, ts: str) -> str:
    """A link that opens a message (here a crisis's root, and so its thread) in Slack."""
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def _number(entry: home.HomeCrisis, links: dict[int, str]) -> object:
    url = links.get(entry.crisis.id)
    return link_ref(url, f"#{entry.crisis.id}") if url else f"#{entry.crisis.id}"


def _lines(view: home.Home, links: dict[int, str], now: Any) -> list[Message]:
    lines = [Message("home.mine_title")]
    if not view.on_roster:
        lines.append(Message("home.not_on_roster"))
    elif not view.mine:
        lines.append(Message("home.mine_empty"))
    for entry in view.mine:
        lines.append(
            Message(
                "home.mine_line",
                {
                    "n": _number(entry, links),
                    "status": choice_ref("status", entry.crisis.status),
                    "next": entry.next_step,
                    "due": time_ref(entry.due) if entry.due else "—",
                },
            )
        )
    lines.append(Message("home.open_title"))
    if not view.open:
        lines.append(Message("list.empty"))
    for entry in view.open:
        crisis = entry.crisis
        lines.append(
            Message(
                "home.open_line_overdue" if entry.overdue_ack else "home.open_line",
                {
                    "n": _number(entry, links),
                    "brand": crisis.brand or "—",
                    "age": duration_ref((now - crisis.opened_at).total_seconds()),
                    "owner": member_ref(crisis.owner_id)
                    if crisis.owner_id
                    else choice_ref("owner", "none"),
                    "status": choice_ref("status", crisis.status),
                },
            )
        )
    return lines


def _blocks(texts: list[str], titles: set[int]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for index, text in enumerate(texts):
        if index in titles:
            if blocks:
                blocks.append({"type": "divider"})
            blocks.append({"type": "header", "text": {"type": "plain_text", "text": text}})
        else:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return blocks


def register(app: AsyncApp, ctx: CoreContext) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))
        now = ctx.clock.now()
        async with ctx.db.sessions() as session:
            view = await home.home(session, Actor(PLATFORM, user), now, ctx.settings.ack_timeout)
            links: dict[int, str] = {}
            for entry in {e.crisis.id: e for e in [*view.mine, *view.open]}.values():
                root = (await platform_posts.of_crisis(session, entry.crisis.id, PLATFORM)).get(
                    ROOT
                )
                if root is not None:
                    links[entry.crisis.id] = thread_url(root.channel, root.message_ref)
            lines = _lines(view, links, now)
            renderer = await Renderer.load(session, ctx.settings.language, lines)
        texts = [renderer.render(line) for line in lines]
        titles = {i for i, line in enumerate(lines) if line.key.endswith("_title")}
        await client.views_publish(
            user_id=user, view={"type": "home", "blocks": _blocks(texts, titles)}
        )
