"""What people do in Teams: text commands said to the bot (`@crisisbot status 12`) and
Action.Submit from the crisis cards. Thin: read the activity, call the core, answer in the
thread where it was asked."""

from __future__ import annotations

import asyncio
import html
import re
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy import select, update

from bot import brand_channels, commands, crisis_flow, roster
from bot.actors import Actor
from bot.commands import Place
from bot.context import CoreContext
from bot.errors import CrisisError, InvalidInput
from bot.messages import Message
from bot.outbox import ORDERED, ROOT_POST
from bot.playbook import CLOSING_ITEMS, STEPS
from handlers.teams import PLATFORM
from handlers.teams.cards import (
    ACK,
    ACTION,
    CATEGORY,
    CATEGORY_INPUT,
    CLOSING_INPUT,
    CLOSING_SAVE,
    CONFIRM,
    CRISIS,
    NOTE_INPUT,
    OWNER_INPUT,
    PLAYBOOK,
    REASSIGN,
    REMEDY_INPUT,
    REOPEN,
    RESOLVE,
    SNOOZE,
    SNOOZE_INPUT,
    STEP_INPUT,
    STEPS_SAVE,
    JsonDict,
    text_activity,
)
from handlers.teams.connector import Connector, ConnectorError, Paced
from handlers.teams.delivery import NO_CHANNEL
from handlers.teams.text import Renderer, members_by_id
from models import OutboxMessage, OutboxStatus, RosterMember, TeamsChannel

log = structlog.get_logger(__name__)
# Where "tomorrow 9:00" falls when Teams does not say the person's time zone.
DEFAULT_TZ = "Europe/Warsaw"
_TAG = re.compile(r"<[^>]+>")
_MENTION_TOKEN = "@mention{}"
# A reply waits this long at most for the thread's pacing, then goes anyway: the person is
# looking at the thread, waiting for it.
_REPLY_PACING_LIMIT = 3.0

# What a person is answered: core messages, or a command's reply with the members it read.
Answer = Message | list[Message] | commands.CommandReply


def actor_of(activity: JsonDict) -> Actor:
    sender = activity.get("from") or {}
    # Roster members are known by their AAD object id, the same in every team and chat; the
    # emulator has none, only its own user id.
    user_id = sender.get("aadObjectId") or sender.get("id") or ""
    return Actor(PLATFORM, str(user_id), sender.get("name"))


class TeamsActivities:
    def __init__(self, ctx: CoreContext, connector: Connector) -> None:
        self.ctx = ctx
        self.connector = connector

    async def on_activity(self, activity: JsonDict) -> None:
        if activity.get("type") == "conversationUpdate":
            await self._welcome(activity)
            return
        if activity.get("type") != "message":
            return
        actor = actor_of(activity)
        if not actor.user_id:
            return
        value = activity.get("value")
        clicked = (
            value if isinstance(value, dict) and not (activity.get("text") or "").strip() else None
        )
        answer: Answer
        try:
            if clicked is not None:
                answer = await self._submit(activity, actor, clicked)
            else:
                answer = await self._command(activity, actor)
        except CrisisError as refusal:
            answer = refusal.message
        except Exception:
            log.exception("Teams activity failed", activity_id=activity.get("id"))
            answer = Message("error.internal")
        if clicked is not None:
            # A click on a card is answered to that person alone, as Slack's ephemeral
            # answers are: the thread hears only what changed.
            await self._tell_privately(activity, answer)
        else:
            await self._reply(activity, answer)

    async def _command(self, activity: JsonDict, actor: Actor) -> Answer:
        text, mentioned = self._words(activity)
        people = await self._resolve_people(activity, mentioned)
        words = text.split()
        if not words or words[0].lower() == "help":
            # Teams has `here` and no `channel`: its own list, not the Slack one.
            return Message("teams.help")
        if words[0].lower() == "here":
            return await self._here(activity, actor, " ".join(words[1:]))
        return await commands.run(
            self.ctx, actor, text, lambda token: people.get(token.strip()), _no_channel
        )

    def _words(self, activity: JsonDict) -> tuple[str, dict[str, JsonDict]]:
        """The command as typed: the bot's own mention dropped, other people's turned into
        single tokens (a display name may hold spaces), HTML undone."""
        text = str(activity.get("text") or "")
        bot_id = (activity.get("recipient") or {}).get("id")
        mentioned: dict[str, JsonDict] = {}
        for entity in activity.get("entities") or []:
            if not isinstance(entity, dict) or entity.get("type") != "mention":
                continue
            person = entity.get("mentioned")
            tag = str(entity.get("text") or "")
            if not isinstance(person, dict) or not tag or tag not in text:
                continue
            if person.get("id") == bot_id:
                text = text.replace(tag, " ", 1)
                continue
            token = _MENTION_TOKEN.format(len(mentioned))
            mentioned[token] = person
            text = text.replace(tag, f" {token} ", 1)
        text = html.unescape(_TAG.sub(" ", text))
        return " ".join(text.split()), mentioned

    async def _resolve_people(
        self, activity: JsonDict, mentioned: dict[str, JsonDict]
    ) -> dict[str, Actor]:
        """Mentions carry the person's Teams user id; the roster knows their AAD object id,
        which the Bot Connector tells."""
        people: dict[str, Actor] = {}
        conversation = str((activity.get("conversation") or {}).get("id") or "")
        for token, person in mentioned.items():
            user_id = str(person.get("id") or "")
            aad = person.get("aadObjectId")
            if not aad and user_id:
                try:
                    member = await self.connector.member(
                        str(activity.get("serviceUrl") or ""), conversation, user_id
                    )
                    aad = member.get("aadObjectId")
                except (ConnectorError, OSError, TimeoutError, ValueError) as exc:
                    log.warning("Teams member lookup failed", user=user_id, error=str(exc))
            if aad:
                people[token] = Actor(PLATFORM, str(aad), person.get("name"))
        return people

    async def _here(self, activity: JsonDict, actor: Actor, brand: str) -> Message:
        """Make this channel the Teams crisis channel (for every brand, or for one)."""
        channel_data = activity.get("channelData") or {}
        channel_id = (channel_data.get("channel") or {}).get("id")
        service_url = activity.get("serviceUrl")
        if not channel_id or not service_url:
            raise InvalidInput("teams.here_not_channel")
        if len(brand) > 200:
            raise InvalidInput("usage.channel")
        bot = activity.get("recipient") or {}
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            await roster.check_may_edit(session, actor)
            channel = await session.get(TeamsChannel, channel_id)
            if channel is None:
                channel = TeamsChannel(conversation_id=channel_id, is_default=False)
                session.add(channel)
            channel.service_url = str(service_url)
            channel.tenant_id = (channel_data.get("tenant") or {}).get("id") or (
                (activity.get("conversation") or {}).get("tenantId")
            )
            channel.team_id = (channel_data.get("team") or {}).get("id")
            channel.bot_id = str(bot.get("id") or "")
            channel.bot_name = str(bot.get("name") or "crisisbot")
            channel.set_at = now
            if brand:
                await brand_channels.set_channel(session, brand, PLATFORM, channel_id)
                reply = Message("teams.here_brand", {"brand": brand})
            else:
                await session.execute(update(TeamsChannel).values(is_default=False))
                channel.is_default = True
                reply = Message("teams.here_all")
            # Crisis cards waiting for a channel go out now, not at their next retry, and
            # the messages queued behind them (which wait as long as their card) follow.
            waiting = select(OutboxMessage.crisis_id).where(
                OutboxMessage.platform == PLATFORM,
                OutboxMessage.kind == ROOT_POST,
                OutboxMessage.status == OutboxStatus.pending.value,
                OutboxMessage.claimed_by.is_(None),
                OutboxMessage.last_error == NO_CHANNEL,
            )
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.platform == PLATFORM,
                    OutboxMessage.lane == ORDERED,
                    OutboxMessage.status == OutboxStatus.pending.value,
                    OutboxMessage.claimed_by.is_(None),
                    OutboxMessage.crisis_id.in_(waiting),
                )
                .values(available_at=now)
            )
        self.ctx.on_outbox()
        return reply

    async def _submit(self, activity: JsonDict, actor: Actor, value: JsonDict) -> Message:
        """Action.Submit: the button's data merged with the card's inputs."""
        action = value.get(ACTION)
        number = value.get(CRISIS)
        if not isinstance(number, int) or isinstance(number, bool):
            raise InvalidInput("teams.card_only")
        if action == ACK:
            return await crisis_flow.acknowledge(self.ctx, number, actor)
        if action == CONFIRM:
            return await crisis_flow.confirm(self.ctx, number, actor, None)
        if action == REASSIGN:
            return await crisis_flow.reassign(
                self.ctx, number, actor, await _member_actor(self.ctx, value.get(OWNER_INPUT))
            )
        if action == RESOLVE:
            remedy = value.get(REMEDY_INPUT) or None
            note = value.get(NOTE_INPUT)
            if not isinstance(remedy, str | None) or not isinstance(note, str | None):
                raise InvalidInput("usage.resolve")
            return await crisis_flow.propose_resolution(self.ctx, number, actor, remedy, note)
        if action == SNOOZE:
            until = self._snooze_until(activity, value.get(SNOOZE_INPUT))
            return await crisis_flow.snooze(self.ctx, number, actor, until)
        if action == STEPS_SAVE:
            done = {step.value for step in STEPS if value.get(STEP_INPUT + step.value) == "true"}
            return await crisis_flow.set_steps(self.ctx, number, actor, done)
        if action == CLOSING_SAVE:
            closed = {
                item.value
                for item in CLOSING_ITEMS
                if value.get(CLOSING_INPUT + item.value) == "true"
            }
            return await crisis_flow.set_closing(self.ctx, number, actor, closed)
        if action == PLAYBOOK:
            return await crisis_flow.show_playbook(self.ctx, number)
        if action == REOPEN:
            return await crisis_flow.reopen(self.ctx, number, actor)
        if action == CATEGORY:
            category = value.get(CATEGORY_INPUT)
            if not isinstance(category, str):
                raise InvalidInput("teams.card_only")
            return await crisis_flow.set_category(self.ctx, number, actor, category)
        raise InvalidInput("teams.card_only")

    def _snooze_until(self, activity: JsonDict, choice: object) -> datetime:
        now = self.ctx.clock.now()
        if choice == "1h":
            return now + timedelta(hours=1)
        if choice == "4h":
            return now + timedelta(hours=4)
        if choice != "tomorrow":
            raise InvalidInput("error.bad_snooze")
        try:
            zone = ZoneInfo(str(activity.get("localTimezone") or DEFAULT_TZ))
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(DEFAULT_TZ)
        tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
        return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=zone)

    async def _welcome(self, activity: JsonDict) -> None:
        """The bot was added to a team or a chat: say how to get started, once, there."""
        bot_id = (activity.get("recipient") or {}).get("id")
        added = [m.get("id") for m in activity.get("membersAdded") or [] if isinstance(m, dict)]
        if not bot_id or bot_id not in added:
            return
        conversation = str((activity.get("conversation") or {}).get("id") or "")
        service_url = str(activity.get("serviceUrl") or "")
        channel_data = activity.get("channelData") or {}
        channel = (channel_data.get("channel") or {}).get("id")
        welcome = await self._render(Message("teams.welcome"))
        try:
            await self._pace(conversation)
            if channel:
                # Installed in a team: the welcome starts a thread of its own in the channel.
                tenant = (channel_data.get("tenant") or {}).get("id")
                await self.connector.create_thread(
                    service_url, str(channel), tenant, str(bot_id), welcome
                )
            else:
                await self.connector.send(service_url, conversation, welcome)
        except (ConnectorError, OSError, TimeoutError) as exc:
            log.warning("Teams welcome not sent", conversation=conversation, error=str(exc))

    async def _render(self, answer: Answer) -> JsonDict:
        members: dict[int, RosterMember] = {}
        if isinstance(answer, commands.CommandReply):
            messages, members = answer.messages, answer.members
        else:
            messages = answer if isinstance(answer, list) else [answer]
        renderer = await Renderer.answering(
            self.ctx.db, self.ctx.settings.language, messages, members
        )
        text = "\n\n".join(renderer.render(message) for message in messages)
        return text_activity(text, renderer.entities)

    async def _tell_privately(self, activity: JsonDict, answer: Answer) -> None:
        out = await self._render(answer)
        service_url = str(activity.get("serviceUrl") or "")
        sender = str((activity.get("from") or {}).get("id") or "")
        bot_id = str((activity.get("recipient") or {}).get("id") or "")
        tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id") or (
            (activity.get("conversation") or {}).get("tenantId")
        )
        try:
            chat = await self.connector.personal_chat(service_url, tenant, bot_id, sender)
            await self._pace(chat)
            await self.connector.send(service_url, chat, out)
        except (ConnectorError, OSError, TimeoutError) as exc:
            # No 1:1 chat (the app is not installed for this person, say): an answer in the
            # thread is better than none.
            log.warning("Teams private answer failed", user=sender, error=str(exc))
            await self._reply(activity, answer)

    async def _reply(self, activity: JsonDict, answer: Answer) -> None:
        out = await self._render(answer)
        conversation = str((activity.get("conversation") or {}).get("id") or "")
        service_url = str(activity.get("serviceUrl") or "")
        await self._pace(conversation)
        try:
            await self.connector.reply(service_url, conversation, str(activity.get("id")), out)
        except (ConnectorError, OSError, TimeoutError) as exc:
            # The move itself is done and recorded; only this answer is lost.
            log.warning("Teams reply failed", conversation=conversation, error=str(exc))

    async def _pace(self, thread: str) -> None:
        deadline = time.monotonic() + _REPLY_PACING_LIMIT
        while True:
            try:
                self.connector.pace(thread)
                return
            except Paced as paced:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                await asyncio.sleep(min(paced.wait, left))


async def _member_actor(ctx: CoreContext, chosen: Any) -> Actor:
    """The person picked on the card (a roster member id), as the core knows people."""
    if not isinstance(chosen, str) or not chosen.isdigit():
        raise InvalidInput("usage.assign")
    async with ctx.db.sessions() as session:
        found = await members_by_id(session, [int(chosen)])
    member: RosterMember | None = found.get(int(chosen))
    if member is None or not member.identities:
        raise InvalidInput("error.cannot_own")
    on_teams = [i for i in member.identities if i.platform == PLATFORM]
    identity = (on_teams or member.identities)[0]
    return Actor(identity.platform, identity.external_id, member.display_name)


def _no_channel(token: str) -> Place | None:
    # Teams channels are chosen by saying `@crisisbot here <brand>` in them.
    return None
