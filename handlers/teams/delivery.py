"""Sends the outbox to Teams: the crisis card as a new thread in the crisis channel, its
updates in place, and everything else as replies in that thread."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp
import structlog
from sqlalchemy import select

from bot import (
    brand_channels,
    chart_links,
    close_report,
    digest,
    export,
    platform_posts,
    roster,
)
from bot.context import CoreContext
from bot.crises import CrisisFacts, facts, storm_summary
from bot.delivery import RetryLater, Undeliverable
from bot.messages import Message, number_ref
from bot.metrics import PLATFORM_CALLS
from bot.outbox import (
    DIGEST,
    DIGEST_CHART,
    PLAYBOOK_POST,
    PLAYBOOK_UPDATE,
    REPORT,
    REPORT_CHART,
    ROOT_POST,
    ROOT_TIMER,
    ROOT_UPDATE,
    SUMMARY,
    THREAD,
    TIMELINE_CSV,
)
from handlers.teams import PLATFORM
from handlers.teams.cards import (
    JsonDict,
    card_activity,
    chart_card,
    playbook_card,
    root_card,
    root_summary,
    summary_card,
    text_activity,
)
from handlers.teams.connector import Connector, ConnectorError, Paced
from handlers.teams.text import Renderer, members_by_id
from models import Crisis, OutboxMessage, PlatformPost, RosterMember, TeamsChannel

log = structlog.get_logger(__name__)

ROOT, PLAYBOOK, SUMMARY_POST = "root", "playbook", "summary"
# Worth another try: rate limited (429), a precondition Teams says to retry (412), a
# gateway that timed out (502, 504) or any other server error; and 401/403, which a person
# fixes (the app password, the bot removed from the team) without the message being lost.
_RETRY = frozenset({401, 403, 408, 412, 429})
NO_CHANNEL = "no Teams crisis channel yet: say `@crisisbot here` in one"
NO_CHANNEL_WAIT = timedelta(minutes=1)
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Loaded:
    crisis: Crisis
    posts: dict[str, PlatformPost]
    facts: CrisisFacts
    seniors: list[RosterMember]
    renderer: Renderer


def base_conversation(conversation_id: str) -> str:
    """The channel a thread's conversation id belongs to."""
    return conversation_id.split(";", 1)[0]


class TeamsDeliverer:
    platform = PLATFORM

    def __init__(self, ctx: CoreContext, connector: Connector) -> None:
        self.ctx = ctx
        self.connector = connector

    async def deliver(self, message: OutboxMessage) -> None:
        if message.kind == DIGEST:
            await self._post_top_level(message)
            return
        if message.kind == DIGEST_CHART:
            await self._digest_chart(message)
            return
        if message.crisis_id is None:
            raise Undeliverable(f"{message.kind} without a crisis")
        if message.kind == ROOT_POST:
            await self._post_root(message.crisis_id)
        elif message.kind == ROOT_UPDATE:
            await self._update_root(message.crisis_id)
        elif message.kind == ROOT_TIMER:
            # The card shows no timer, and rewriting it would close any form open on it.
            return
        elif message.kind == THREAD:
            await self._post_in_thread(message)
        elif message.kind in (PLAYBOOK_POST, PLAYBOOK_UPDATE):
            await self._playbook(message.crisis_id)
        elif message.kind == SUMMARY:
            await self._summary(message.crisis_id)
        elif message.kind == REPORT:
            await self._report(message.crisis_id)
        elif message.kind == REPORT_CHART:
            await self._report_chart(message.crisis_id)
        elif message.kind == TIMELINE_CSV:
            await self._timeline_csv(message.crisis_id)
        else:
            raise Undeliverable(f"unknown outbox kind {message.kind}")

    async def _load(self, crisis_id: int) -> _Loaded:
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                raise Undeliverable(f"crisis {crisis_id} does not exist")
            posts = await platform_posts.of_crisis(session, crisis_id, PLATFORM)
            members = await members_by_id(session, [crisis.owner_id] if crisis.owner_id else [])
            seniors = [m for m in await roster.active_members(session) if m.roster_level.can_own]
            crisis_facts = await facts(session, crisis_id)
        renderer = Renderer(self.ctx.settings.language, members, card=True)
        return _Loaded(crisis, posts, crisis_facts, seniors, renderer)

    async def _channel_for(self, crisis: Crisis) -> TeamsChannel | None:
        """The brand's own channel (`@crisisbot here <brand>`), else the default one."""
        async with self.ctx.db.sessions() as session:
            if crisis.brand_key:
                chosen = await brand_channels.channel_for(session, crisis.brand_key, PLATFORM)
                if chosen:
                    found = await session.get(TeamsChannel, chosen)
                    if found is not None:
                        return found
            return await session.scalar(select(TeamsChannel).where(TeamsChannel.is_default))

    async def _service_url(self, thread: str) -> str:
        async with self.ctx.db.sessions() as session:
            channel = await session.get(TeamsChannel, base_conversation(thread))
        if channel is None:
            raise Undeliverable(f"no service URL known for {base_conversation(thread)}")
        return channel.service_url

    async def _post_root(self, crisis_id: int) -> None:
        loaded = await self._load(crisis_id)
        if ROOT in loaded.posts:
            return
        channel = await self._channel_for(loaded.crisis)
        if channel is None:
            raise RetryLater(NO_CHANNEL, after=NO_CHANNEL_WAIT)
        card = root_card(loaded.crisis, loaded.facts, loaded.seniors, loaded.renderer)
        activity = card_activity(card, root_summary(loaded.crisis, loaded.renderer))
        thread, activity_id = await self._call(
            channel.conversation_id,
            self.connector.create_thread(
                channel.service_url,
                channel.conversation_id,
                channel.tenant_id,
                channel.bot_id,
                activity,
            ),
        )
        # Recorded before anything else about the crisis is sent: every later message is a
        # reply in this thread.
        await platform_posts.remember(self.ctx, PLATFORM, crisis_id, ROOT, thread, activity_id)

    async def _update_root(self, crisis_id: int) -> None:
        loaded = await self._load(crisis_id)
        root = loaded.posts.get(ROOT)
        if root is None:
            # Not posted yet: posting it will render the crisis as it is then.
            return
        card = root_card(loaded.crisis, loaded.facts, loaded.seniors, loaded.renderer)
        await self._edit(root, card_activity(card, root_summary(loaded.crisis, loaded.renderer)))

    async def _playbook(self, crisis_id: int) -> None:
        loaded = await self._load(crisis_id)
        card = playbook_card(loaded.crisis, loaded.facts, loaded.renderer)
        await self._keep_reply(
            loaded, PLAYBOOK, card_activity(card, loaded.renderer.t("button.playbook"))
        )

    async def _summary(self, crisis_id: int) -> None:
        loaded = await self._load(crisis_id)
        async with self.ctx.db.sessions() as session:
            summary = await storm_summary(session, crisis_id, self.ctx.clock.now())
        text = loaded.renderer.t(
            "summary.fallback",
            n=crisis_id,
            count=loaded.renderer.value(number_ref(summary.posts + summary.comments)),
        )
        card = summary_card(loaded.crisis, summary, loaded.renderer)
        await self._keep_reply(loaded, SUMMARY_POST, card_activity(card, text))

    async def _keep_reply(self, loaded: _Loaded, kind: str, activity: JsonDict) -> None:
        """Post a reply in the thread the first time, edit that same reply ever after."""
        existing = loaded.posts.get(kind)
        if existing is not None:
            await self._edit(existing, activity)
            return
        root = loaded.posts.get(ROOT)
        if root is None:
            raise RetryLater("the crisis card is not posted yet")
        service_url = await self._service_url(root.channel)
        activity_id = await self._call(
            root.channel, self.connector.send(service_url, root.channel, activity)
        )
        await platform_posts.remember(
            self.ctx, PLATFORM, loaded.crisis.id, kind, root.channel, activity_id
        )

    async def _edit(self, post: PlatformPost, activity: JsonDict) -> None:
        service_url = await self._service_url(post.channel)
        await self._call(
            post.channel,
            self.connector.update(service_url, post.channel, post.message_ref, activity),
        )

    async def _post_top_level(self, outbox_row: OutboxMessage) -> None:
        """A new thread of its own in the Teams crisis channel (the weekly digest)."""
        async with self.ctx.db.sessions() as session:
            channel = await session.scalar(select(TeamsChannel).where(TeamsChannel.is_default))
            messages = [Message.from_json(line) for line in outbox_row.data.get("lines", [])]
            renderer = await Renderer.load(session, self.ctx.settings.language, messages)
        if channel is None:
            raise RetryLater(NO_CHANNEL, after=NO_CHANNEL_WAIT)
        text = "\n\n".join(renderer.render(message) for message in messages)
        await self._new_thread(channel, text_activity(text, renderer.entities))

    async def _new_thread(self, channel: TeamsChannel, activity: JsonDict) -> None:
        """A thread of its own in `channel`, about no crisis (nothing to remember it by)."""
        await self._call(
            channel.conversation_id,
            self.connector.create_thread(
                channel.service_url,
                channel.conversation_id,
                channel.tenant_id,
                channel.bot_id,
                activity,
            ),
        )

    async def _digest_chart(self, outbox_row: OutboxMessage) -> None:
        """The digest's chart as a card of its own in the Teams crisis channel, after the
        digest's text; Teams fetches the image from the bot at a signed URL, so there is none
        without PUBLIC_BASE_URL (the text stands alone)."""
        slot = datetime.fromisoformat(outbox_row.data["slot"])
        subject = chart_links.digest_subject(slot)
        async with self.ctx.db.transaction() as session:
            channel = await session.scalar(select(TeamsChannel).where(TeamsChannel.is_default))
            image_url = await chart_links.url(session, self.ctx, subject)
        if image_url is None:
            log.info("no digest chart on Teams: PUBLIC_BASE_URL is not set", slot=slot.isoformat())
            return
        if channel is None:
            raise RetryLater(NO_CHANNEL, after=NO_CHANNEL_WAIT)
        renderer = Renderer(self.ctx.settings.language, {}, card=True)
        title = digest.chart_title(slot.astimezone(self.ctx.settings.zone), renderer.language)
        await self._new_thread(
            channel, card_activity(chart_card(title, image_url, renderer), title)
        )

    async def _report(self, crisis_id: int) -> None:
        """The report on a closed crisis, in its thread."""
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                raise Undeliverable(f"crisis {crisis_id} does not exist")
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            messages = await close_report.lines(session, crisis)
            renderer = await Renderer.load(session, self.ctx.settings.language, messages)
        if root is None:
            raise RetryLater("the crisis card is not posted yet")
        text = "\n\n".join(renderer.render(message) for message in messages)
        service_url = await self._service_url(root.channel)
        await self._call(
            root.channel,
            self.connector.send(service_url, root.channel, text_activity(text, renderer.entities)),
        )

    async def _report_chart(self, crisis_id: int) -> None:
        """The chart as a card whose image Teams fetches from the bot at a signed URL; none
        without PUBLIC_BASE_URL (Teams could not reach it)."""
        async with self.ctx.db.transaction() as session:
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            image_url = await chart_links.url(session, self.ctx, crisis_id)
        if image_url is None:
            log.info("no chart on Teams: PUBLIC_BASE_URL is not set", crisis=crisis_id)
            return
        if root is None:
            raise RetryLater("the crisis card is not posted yet")
        renderer = Renderer(self.ctx.settings.language, {}, card=True)
        title = renderer.t("chart.title", n=crisis_id)
        activity = card_activity(chart_card(title, image_url, renderer), title)
        service_url = await self._service_url(root.channel)
        await self._call(root.channel, self.connector.send(service_url, root.channel, activity))

    async def _timeline_csv(self, crisis_id: int) -> None:
        """The timeline's CSV as a code block in the thread: a bot cannot put a file in a
        Teams channel without SharePoint permissions, and a code block keeps it copyable."""
        async with self.ctx.db.sessions() as session:
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            content = await export.timeline_csv(session, crisis_id)
        if root is None:
            raise RetryLater("the crisis card is not posted yet")
        fence = "`" * 3
        activity = {
            "type": "message",
            "textFormat": "markdown",
            "text": f"crisis-{crisis_id}-timeline.csv\n\n{fence}\n{content}{fence}",
        }
        service_url = await self._service_url(root.channel)
        await self._call(root.channel, self.connector.send(service_url, root.channel, activity))

    async def _post_in_thread(self, outbox_row: OutboxMessage) -> None:
        crisis_id = outbox_row.crisis_id or 0
        message = Message.from_json(outbox_row.data)
        async with self.ctx.db.sessions() as session:
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            renderer = await Renderer.load(session, self.ctx.settings.language, [message])
        if root is None:
            raise RetryLater("the crisis card is not posted yet")
        renderer.channel = base_conversation(root.channel)
        text = renderer.render(message)
        service_url = await self._service_url(root.channel)
        await self._call(
            root.channel,
            self.connector.send(service_url, root.channel, text_activity(text, renderer.entities)),
        )

    async def _call(self, thread: str, call: Coroutine[Any, Any, _T]) -> _T:
        """One connector call, paced per thread, its failure sorted into retry or give up."""
        try:
            self.connector.pace(thread)
        except Paced as paced:
            call.close()
            raise RetryLater(
                "Teams thread paced", after=timedelta(seconds=paced.wait), paced=True
            ) from None
        try:
            result = await call
        except ConnectorError as exc:
            PLATFORM_CALLS.labels(PLATFORM, "connector", str(exc.status)).inc()
            if exc.status in _RETRY or exc.status >= 500:
                if exc.retry_after is not None:
                    # Nothing more to this thread before Teams said; others keep flowing.
                    self.connector.hold(thread, exc.retry_after)
                after = timedelta(seconds=exc.retry_after) if exc.retry_after else None
                raise RetryLater(f"Bot Connector: {exc}", after=after) from exc
            raise Undeliverable(f"Bot Connector: {exc}") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            PLATFORM_CALLS.labels(PLATFORM, "connector", "unreachable").inc()
            raise RetryLater(f"Bot Connector unreachable ({exc.__class__.__name__})") from exc
        PLATFORM_CALLS.labels(PLATFORM, "connector", "ok").inc()
        return result
