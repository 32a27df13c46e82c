"""Core messages as Teams text: markdown for messages and Adaptive Card TextBlocks, with
people mentioned through `<at>` tags and their `mention` entities."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import duration, fill, number, plural, template, translate
from bot.messages import Message, mentioned_members
from bot.roster import members_by_id
from handlers.teams import PLATFORM
from models import MemberIdentity, RosterMember
from models.session import Database

EXCERPT = 500
# The catalogue names commands the Slack way; in Teams they are said to the bot.
_SLASH_COMMAND = re.compile(r"/crisis\b")
_MARKDOWN = re.compile(r"([\\*_`\[\]])")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Make people's text inert: no markup, no live mentions, no links."""
    return _MARKDOWN.sub(r"\\\1", _html(text))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def teams_commands(text: str) -> str:
    return _SLASH_COMMAND.sub("@crisisbot", text)


async def members_by_label(session: AsyncSession, labels: Iterable[str]) -> dict[str, RosterMember]:
    """Roster members behind actor labels (`slack:U1`, `teams:<aad id>`), on any platform."""
    found: dict[str, RosterMember] = {}
    for label in set(labels):
        platform, _, user_id = label.partition(":")
        member = await session.scalar(
            select(RosterMember)
            .join(MemberIdentity)
            .where(MemberIdentity.platform == platform, MemberIdentity.external_id == user_id)
        )
        if member is not None:
            found[label] = member
    return found


def _refs(messages: list[Message]) -> tuple[set[int], set[str]]:
    """The members the messages mention, and the actors they name by label."""
    labels = {
        value["actor"]
        for message in messages
        for value in message.params.values()
        if isinstance(value, dict) and "actor" in value
    }
    return mentioned_members(messages), labels


class Renderer:
    """Renders core messages in one language. Mentions it writes are collected in
    `entities`, which must go out with the text (Teams shows a bare `<at>` as plain text)."""

    def __init__(
        self,
        language: str,
        members: dict[int, RosterMember],
        actors: dict[str, RosterMember] | None = None,
        *,
        card: bool = False,
    ) -> None:
        self.language = language
        self.members = members
        self.actors = actors or {}
        # Adaptive Card TextBlocks show dates in the reader's time zone; messages cannot.
        self.card = card
        self.entities: list[dict[str, Any]] = []
        # The channel a message goes to, so "everyone" can be a real channel mention.
        self.channel: str | None = None

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        language: str,
        messages: Iterable[Message],
        known: dict[int, RosterMember] | None = None,
    ) -> Renderer:
        """`known`: members already read (the others the messages mention are read here)."""
        ids, labels = _refs(list(messages))
        members = dict(known or {})
        members.update(await members_by_id(session, ids - members.keys()))
        return cls(language, members, await members_by_label(session, labels))

    @classmethod
    async def answering(
        cls,
        db: Database,
        language: str,
        messages: list[Message],
        members: dict[int, RosterMember],
    ) -> Renderer:
        """For an answer whose command already read `members`: a session is opened only
        when the answer mentions someone else."""
        ids, labels = _refs(messages)
        if ids <= members.keys() and not labels:
            return cls(language, members)
        async with db.sessions() as session:
            return await cls.load(session, language, messages, members)

    def t(self, key: str, **params: Any) -> str:
        return teams_commands(translate(self.language, key, **params))

    def mention(self, member: RosterMember | None) -> str:
        if member is None:
            return "?"
        name = member.display_name or f"#{member.id}"
        user_id = member.identity(PLATFORM)
        if not user_id:
            return escape(name)
        # `<at>` text carries no markup: Teams matches it against the entity's text.
        tag = "<at>" + name.replace("<", "").replace(">", "") + "</at>"
        entity = {"type": "mention", "text": tag, "mentioned": {"id": user_id, "name": name}}
        if entity not in self.entities:
            self.entities.append(entity)
        return tag

    def everyone(self) -> str:
        """The whole channel: a channel mention (everyone who follows it is notified) when
        the channel is known, else the word in bold."""
        name = self.t("teams.everyone")
        if not self.channel:
            return "**@" + escape(name) + "**"
        tag = f"<at>{name}</at>"
        mentioned = {"id": self.channel, "name": name, "conversationIdentityType": "channel"}
        entity = {"type": "mention", "text": tag, "mentioned": mentioned}
        if entity not in self.entities:
            self.entities.append(entity)
        return tag

    def value(self, value: Any) -> str:
        if isinstance(value, dict):
            if "member" in value:
                return self.mention(self.members.get(value["member"]))
            if "members" in value:
                return ", ".join(self.mention(self.members.get(m)) for m in value["members"])
            if "channel" in value:
                return escape(str(value["channel"]))
            if "everyone" in value:
                return self.everyone()
            if "duration" in value:
                seconds = value["duration"]
                if seconds < 0:
                    return self.t("duration.none")
                return duration(self.language, seconds)
            if "count" in value:
                return escape(plural(self.language, value["count"]["key"], value["count"]["n"]))
            if "number" in value:
                return number(self.language, value["number"])
            if "sentences" in value:
                return "".join(" " + self.render(Message.from_json(m)) for m in value["sentences"])
            if "bullets" in value:
                return "\n".join("- " + escape(self.t(key)) for key in value["bullets"])
            if "link" in value and "label_key" in value["link"]:
                value = {"link": {**value["link"], "label": self.t(value["link"]["label_key"])}}
            if "link" in value:
                url = value["link"]["url"].replace("(", "%28").replace(")", "%29")
                url = url.replace(" ", "%20")
                return f"[{escape(value['link']['label'])}]({url})"
            if "time" in value:
                return self.date(datetime.fromisoformat(value["time"]))
            if "choice" in value:
                return escape(self.t(value["choice"]))
            if "code" in value:
                return "`" + teams_commands(value["code"]).replace("`", "'") + "`"
            if "actor" in value:
                return self.actor(value["actor"])
        if isinstance(value, str):
            return escape(excerpt(value))
        return escape(str(value))

    def date(self, at: datetime) -> str:
        if self.card:
            iso = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}"
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def actor(self, label: str) -> str:
        platform = label.partition(":")[0]
        if label in self.actors:
            return self.mention(self.actors[label])
        if platform in ("webhook", "bot", "customer"):
            return escape(self.t(f"actor.{platform}"))
        return escape(label)

    def render(self, message: Message) -> str:
        params = {name: self.value(value) for name, value in message.params.items()}
        # The catalogue's own text is escaped for HTML only: usage lines such as
        # `status <n>` must show, and its rare markdown is meant.
        return fill(_html(teams_commands(template(self.language, message.key))), params)
