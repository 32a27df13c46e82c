"""Sends the outbox to Slack: the crisis root message, its updates and its thread."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import structlog
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot import brand_channels, close_report, digest, export, platform_posts
from bot.context import CoreContext
from bot.crises import CrisisFacts, facts, storm_summary
from bot.delivery import RetryLater, Undeliverable
from bot.i18n import translate
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
from bot.rate_gate import RateGate
from handlers.slack import PLATFORM
from handlers.slack.blocks import (
    playbook_blocks,
    root_blocks,
    root_fallback,
    root_members,
    summary_blocks,
)
from handlers.slack.text import Renderer, members_by_id
from models import Crisis, OutboxMessage, PlatformPost

# Errors that a person can fix (invite the bot, fix the token) or that pass by themselves:
# the message waits for them instead of being dropped.
_RECOVERABLE = frozenset(
    {
        "ratelimited",
        "not_in_channel",
        "channel_not_found",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)


log = structlog.get_logger(__name__)

ROOT, PLAYBOOK, SUMMARY_POST = "root", "playbook", "summary"
# The chart upload, as its calls are counted and its failures named.
_UPLOAD = "files_upload_v2"
# The metadata every message the bot posts carries: its outbox id, to recognise it later.
METADATA_EVENT = "crisisbot_message"


@dataclass(frozen=True)
class _Loaded:
    crisis: Crisis
    posts: dict[str, PlatformPost]
    facts: CrisisFacts
    renderer: Renderer


def _retry_after(exc: SlackApiError) -> float:
    try:
        return max(1.0, float(exc.response.headers.get("Retry-After", "1")))
    except (TypeError, ValueError):
        return 1.0


# The call each kind of outbox row makes, for the pre-claim pacing check.
_PACED_METHODS = {
    ROOT_POST: "chat.postMessage",
    THREAD: "chat.postMessage",
    ROOT_UPDATE: "chat.update",
    ROOT_TIMER: "chat.update",
}


class SlackDeliverer:
    platform = PLATFORM

    def __init__(self, ctx: CoreContext, client: AsyncWebClient) -> None:
        self.ctx = ctx
        self.client = client
        # Slack allows about one chat.postMessage per second per channel, with short bursts;
        # edits (tier 3) about 50 a minute. Paced per method and channel.
        self.gates = {
            "chat.postMessage": RateGate(rate=1.0, burst=3),
            "chat.update": RateGate(rate=0.8, burst=4),
        }
        # The channel of each crisis whose root message this process has seen.
        self._channels: dict[int, str] = {}
        # Rows held back in this round of the delivery worker, per method and channel.
        self._held: dict[tuple[str, str], int] = {}
        self._configured = brand_channels.configured(ctx.settings)

    def paced_for(self, kind: str, crisis_id: int | None) -> float:
        """How long the channel's pace holds this row back, for a crisis whose channel is
        known (from an earlier send, or learnt for its root); the rest are claimed and find
        out when they call."""
        method = _PACED_METHODS.get(kind)
        channel = self._channels.get(crisis_id) if crisis_id is not None else None
        if method is None or channel is None:
            return 0.0
        gate = self.gates[method]
        wait = gate.wait(channel)
        if wait <= 0:
            return 0.0
        held = self._held.get((method, channel), 0)
        self._held[(method, channel)] = held + 1
        return wait + held / gate.rate

    async def start_round(self, roots: list[int]) -> None:
        """A storm of new crises queues their roots in one channel: knowing it before the
        first claim, the worker holds them back unclaimed and unrendered while it is paced."""
        self._held.clear()
        unknown = [crisis_id for crisis_id in roots if crisis_id not in self._channels]
        if not unknown:
            return
        async with self.ctx.db.sessions() as session:
            rows = await session.execute(
                select(Crisis.id, Crisis.brand_key).where(Crisis.id.in_(unknown))
            )
            brands = {crisis_id: brand for crisis_id, brand in rows.all()}
            chosen = await brand_channels.chosen_for(
                session, {brand for brand in brands.values() if brand}, PLATFORM
            )
        for crisis_id, brand_key in brands.items():
            channel = self._channel_of(brand_key, chosen)
            if channel:
                self._channels[crisis_id] = channel

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
            await self._post_root(message)
        elif message.kind in (ROOT_UPDATE, ROOT_TIMER):
            await self._update_root(message.crisis_id)
        elif message.kind == THREAD:
            await self._post_in_thread(message)
        elif message.kind in (PLAYBOOK_POST, PLAYBOOK_UPDATE):
            await self._playbook(message)
        elif message.kind == SUMMARY:
            await self._summary(message)
        elif message.kind == REPORT:
            await self._report(message)
        elif message.kind == REPORT_CHART:
            await self._report_chart(message)
        elif message.kind == TIMELINE_CSV:
            await self._timeline_csv(message)
        else:
            raise Undeliverable(f"unknown outbox kind {message.kind}")

    async def _load(self, crisis_id: int) -> _Loaded:
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                raise Undeliverable(f"crisis {crisis_id} does not exist")
            posts = await platform_posts.of_crisis(session, crisis_id, PLATFORM)
            self._know_channel(crisis_id, posts.get(ROOT))
            members = await members_by_id(session, root_members(crisis))
            crisis_facts = await facts(session, crisis_id)
        return _Loaded(crisis, posts, crisis_facts, Renderer(self.ctx.settings.language, members))

    def _know_channel(self, crisis_id: int, root: PlatformPost | None) -> None:
        if root is not None:
            self._channels[crisis_id] = root.channel

    async def _post_root(self, outbox_row: OutboxMessage) -> None:
        loaded = await self._load(outbox_row.crisis_id or 0)
        if ROOT in loaded.posts:
            return
        channel = await self._channel_for(loaded.crisis)
        if not channel:
            raise RetryLater("CRISIS_CHANNEL is not set", after=timedelta(minutes=1))
        ts = await self._post(
            outbox_row,
            channel,
            None,
            text=root_fallback(loaded.crisis, loaded.renderer),
            blocks=root_blocks(loaded.crisis, loaded.facts, loaded.renderer),
        )
        await platform_posts.remember(self.ctx, PLATFORM, loaded.crisis.id, ROOT, channel, ts)
        self._channels[loaded.crisis.id] = channel

    async def _post(
        self, outbox_row: OutboxMessage, channel: str, thread_ts: str | None, **content: object
    ) -> str:
        """chat.postMessage, once: the message carries its outbox id in its metadata, and a
        retry first looks for it in the channel (or thread), in case an earlier attempt
        reached Slack but its answer never made it back (a crash, a timeout)."""
        if outbox_row.attempts > 1:
            found = await self._find_posted(outbox_row.id, channel, thread_ts)
            if found is not None:
                return found
        response = await self._call(
            "chat.postMessage",
            channel=channel,
            **({"thread_ts": thread_ts} if thread_ts else {}),
            metadata={
                "event_type": METADATA_EVENT,
                "event_payload": {"outbox_id": outbox_row.id, "crisis": outbox_row.crisis_id},
            },
            unfurl_links=False,
            unfurl_media=False,
            **content,
        )
        return str(response["ts"])

    async def _find_posted(self, outbox_id: int, channel: str, thread_ts: str | None) -> str | None:
        if thread_ts:
            page = await self._call(
                "conversations.replies",
                channel=channel,
                ts=thread_ts,
                include_all_metadata=True,
                limit=200,
            )
        else:
            page = await self._call(
                "conversations.history", channel=channel, include_all_metadata=True, limit=200
            )
        for found in page.get("messages") or []:
            metadata = found.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("outbox_id") == outbox_id
            ):
                return str(found["ts"])
        return None

    async def _channel_for(self, crisis: Crisis) -> str | None:
        chosen: dict[str, str] = {}
        if crisis.brand_key:
            async with self.ctx.db.sessions() as session:
                chosen = await brand_channels.chosen_for(session, {crisis.brand_key}, PLATFORM)
        return self._channel_of(crisis.brand_key, chosen)

    def _channel_of(self, brand_key: str | None, chosen: dict[str, str]) -> str | None:
        """The brand's own channel (set with /crisis channel, or BRAND_CHANNELS), else
        CRISIS_CHANNEL."""
        if brand_key:
            if brand_key in chosen:
                return chosen[brand_key]
            if brand_key in self._configured:
                return self._configured[brand_key]
        return self.ctx.settings.crisis_channel

    async def _update_root(self, crisis_id: int) -> None:
        loaded = await self._load(crisis_id)
        root = loaded.posts.get(ROOT)
        if root is None:
            # Not posted yet: posting it will render the crisis as it is then.
            return
        await self._call(
            "chat.update",
            channel=root.channel,
            ts=root.message_ref,
            text=root_fallback(loaded.crisis, loaded.renderer),
            blocks=root_blocks(loaded.crisis, loaded.facts, loaded.renderer),
        )

    async def _playbook(self, outbox_row: OutboxMessage) -> None:
        """The checklist: one thread reply, posted once, then edited in place."""
        loaded = await self._load(outbox_row.crisis_id or 0)
        blocks = playbook_blocks(loaded.crisis, loaded.facts, loaded.renderer)
        text = loaded.renderer.t("button.playbook")
        await self._keep_reply(outbox_row, loaded, PLAYBOOK, text, blocks)

    async def _summary(self, outbox_row: OutboxMessage) -> None:
        """The live summary: one thread reply, posted once, then edited in place."""
        crisis_id = outbox_row.crisis_id or 0
        loaded = await self._load(crisis_id)
        async with self.ctx.db.sessions() as session:
            summary = await storm_summary(session, crisis_id, self.ctx.clock.now())
        text = loaded.renderer.t(
            "summary.fallback",
            n=crisis_id,
            count=loaded.renderer.value(number_ref(summary.posts + summary.comments)),
        )
        blocks = summary_blocks(loaded.crisis, summary, loaded.renderer)
        await self._keep_reply(outbox_row, loaded, SUMMARY_POST, text, blocks)

    async def _keep_reply(
        self,
        outbox_row: OutboxMessage,
        loaded: _Loaded,
        kind: str,
        text: str,
        blocks: list[dict[str, object]],
    ) -> None:
        """Post a thread reply the first time, edit that same reply ever after."""
        existing = loaded.posts.get(kind)
        if existing is not None:
            await self._call(
                "chat.update",
                channel=existing.channel,
                ts=existing.message_ref,
                text=text,
                blocks=blocks,
            )
            return
        root = loaded.posts.get(ROOT)
        if root is None:
            raise RetryLater("the root message is not posted yet")
        ts = await self._post(outbox_row, root.channel, root.message_ref, text=text, blocks=blocks)
        await platform_posts.remember(self.ctx, PLATFORM, loaded.crisis.id, kind, root.channel, ts)

    async def _post_top_level(self, outbox_row: OutboxMessage) -> None:
        """A message of its own in CRISIS_CHANNEL (the weekly digest), one line per message."""
        channel = self.ctx.settings.crisis_channel
        if not channel:
            raise RetryLater("CRISIS_CHANNEL is not set", after=timedelta(minutes=1))
        messages = [Message.from_json(line) for line in outbox_row.data.get("lines", [])]
        async with self.ctx.db.sessions() as session:
            renderer = await Renderer.load(session, self.ctx.settings.language, messages)
        text = "\n".join(renderer.render(message) for message in messages)
        await self._post(outbox_row, channel, None, text=text)

    async def _report(self, outbox_row: OutboxMessage) -> None:
        """The report on a closed crisis, one line per message, in its thread."""
        crisis_id = outbox_row.crisis_id or 0
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                raise Undeliverable(f"crisis {crisis_id} does not exist")
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            messages = await close_report.lines(session, crisis)
            renderer = await Renderer.load(session, self.ctx.settings.language, messages)
        if root is None:
            raise RetryLater("the root message is not posted yet")
        text = "\n".join(renderer.render(message) for message in messages)
        await self._post(outbox_row, root.channel, root.message_ref, text=text)

    async def _report_chart(self, outbox_row: OutboxMessage) -> None:
        """The chart of a closed crisis, uploaded into its thread. A chart that cannot be
        drawn is logged and left out: the report's text went on its own."""
        crisis_id = outbox_row.crisis_id or 0
        async with self.ctx.db.sessions() as session:
            crisis = await session.get(Crisis, crisis_id)
            if crisis is None:
                raise Undeliverable(f"crisis {crisis_id} does not exist")
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            data = await close_report.chart_data(session, crisis)
        if root is None:
            raise RetryLater("the root message is not posted yet")
        language = self.ctx.settings.language
        try:
            png = await asyncio.to_thread(
                close_report.render_chart, data, language, self.ctx.settings.zone
            )
        except Exception:
            log.exception("chart failed to render", crisis=crisis_id)
            return
        title = translate(language, "chart.title", n=crisis_id)
        await self._upload(root.channel, root.message_ref, png, f"crisis-{crisis_id}.png", title)

    async def _digest_chart(self, outbox_row: OutboxMessage) -> None:
        """The digest's chart, uploaded into CRISIS_CHANNEL after its text. A chart that
        cannot be drawn is logged and left out: the digest's text went on its own."""
        channel = self.ctx.settings.crisis_channel
        if not channel:
            raise RetryLater("CRISIS_CHANNEL is not set", after=timedelta(minutes=1))
        slot = datetime.fromisoformat(outbox_row.data["slot"])
        async with self.ctx.db.sessions() as session:
            data = await digest.chart_data(session, self.ctx, slot)
        language = self.ctx.settings.language
        try:
            png = await asyncio.to_thread(digest.render_chart, data, language)
        except Exception:
            log.exception("digest chart failed to render", slot=slot.isoformat())
            return
        title = digest.chart_title(data.slot, language)
        await self._upload(channel, None, png, digest.chart_filename(data.slot), title)

    async def _timeline_csv(self, outbox_row: OutboxMessage) -> None:
        crisis_id = outbox_row.crisis_id or 0
        async with self.ctx.db.sessions() as session:
            root = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            content = await export.timeline_csv(session, crisis_id)
        if root is None:
            raise RetryLater("the root message is not posted yet")
        await self._upload(
            root.channel,
            root.message_ref,
            content.encode(),
            f"crisis-{crisis_id}-timeline.csv",
            f"#{crisis_id} timeline",
        )

    async def _upload(
        self, channel: str, thread_ts: str | None, content: bytes, filename: str, title: str
    ) -> None:
        """A file into a thread, or the channel itself without `thread_ts` (slack_sdk's
        three-step files_upload_v2)."""
        try:
            await self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=content,
                filename=filename,
                title=title,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            PLATFORM_CALLS.labels(PLATFORM, _UPLOAD, error).inc()
            if exc.response.status_code == 429 or exc.response.status_code >= 500:
                raise RetryLater(f"{_UPLOAD}: {error}") from exc
            if error in _RECOVERABLE:
                raise RetryLater(f"{_UPLOAD}: {error}") from exc
            raise Undeliverable(f"{_UPLOAD}: {error}") from exc
        except (SlackRequestError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            PLATFORM_CALLS.labels(PLATFORM, _UPLOAD, "unreachable").inc()
            raise RetryLater(f"{_UPLOAD}: {exc.__class__.__name__}") from exc
        PLATFORM_CALLS.labels(PLATFORM, _UPLOAD, "ok").inc()

    async def _post_in_thread(self, outbox_row: OutboxMessage) -> None:
        crisis_id = outbox_row.crisis_id or 0
        message = Message.from_json(outbox_row.data)
        async with self.ctx.db.sessions() as session:
            post = (await platform_posts.of_crisis(session, crisis_id, PLATFORM)).get(ROOT)
            renderer = await Renderer.load(session, self.ctx.settings.language, [message])
        self._know_channel(crisis_id, post)
        if post is None:
            raise RetryLater("the root message is not posted yet")
        await self._post(outbox_row, post.channel, post.message_ref, text=renderer.render(message))

    async def _call(self, method: str, **kwargs: object) -> dict[str, Any]:
        gate = self.gates.get(method)
        key = str(kwargs.get("channel", ""))
        if gate is not None:
            wait = gate.wait(key)
            if wait > 0:
                raise RetryLater(f"{method} paced", after=timedelta(seconds=wait), paced=True)
            gate.take(key)
        try:
            response = await self.client.api_call(method, json=kwargs)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            PLATFORM_CALLS.labels(PLATFORM, method, error).inc()
            if exc.response.status_code == 429 or error == "ratelimited":
                retry_after = _retry_after(exc)
                if gate is not None:
                    # Nothing more to this method and channel before Slack said; other
                    # channels keep flowing.
                    gate.close_for(key, retry_after)
                raise RetryLater(
                    f"{method}: ratelimited", after=timedelta(seconds=retry_after)
                ) from exc
            if exc.response.status_code >= 500 or error in _RECOVERABLE:
                raise RetryLater(f"{method}: {error}") from exc
            raise Undeliverable(f"{method}: {error}") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            PLATFORM_CALLS.labels(PLATFORM, method, "unreachable").inc()
            raise RetryLater(f"{method}: Slack unreachable ({exc.__class__.__name__})") from exc
        PLATFORM_CALLS.labels(PLATFORM, method, "ok").inc()
        return response.data if isinstance(response.data, dict) else {}
