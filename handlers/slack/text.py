"""Core messages as Slack mrkdwn: escaping, mentions, links and dates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actors import Actor
from bot.commands import Place
from bot.i18n import duration, fill, number, plural, template, translate
from bot.messages import Message, mentioned_members
from bot.roster import members_by_id
from handlers.slack import PLATFORM
from models import RosterMember

_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,30})(?:\|([^>]*))?>$")
_BARE_USER_ID = re.compile(r"^@?([UW][A-Z0-9]{6,30})$")
# Excerpts of people's posts in messages: enough to read, short enough to scan a thread.
EXCERPT = 500


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no live mentions, links or broken markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(url: str, label: str) -> str:
    # `|` and `>` end the URL part of a Slack link; percent-encoding keeps the link intact.
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{escape(label)}>"


def date(at: datetime) -> str:
    """A date Slack shows in each reader's own time zone."""
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def parse_person(token: str) -> Actor | None:
    """A user as slash-command text carries them: `<@U123|anna>` (escaped) or `U123`."""
    match = _USER_MENTION.match(token.strip())
    if match:
        return Actor(PLATFORM, match.group(1), match.group(2) or None)
    match = _BARE_USER_ID.match(token.strip())
    if match:
        return Actor(PLATFORM, match.group(1))
    return None


_CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]{2,30})(?:\|([^>]*))?>$")
_BARE_CHANNEL_ID = re.compile(r"^#?([CG][A-Z0-9]{6,30})$")


def parse_channel(token: str) -> Place | None:
    """A channel as slash-command text carries it: `<#C123|crisis>` (escaped) or `C123`."""
    token = token.strip()
    match = _CHANNEL_MENTION.match(token) or _BARE_CHANNEL_ID.match(token)
    return Place(PLATFORM, match.group(1)) if match else None


def mention(member: RosterMember | None) -> str:
    if member is None:
        return "?"
    user_id = member.identity(PLATFORM)
    return f"<@{user_id}>" if user_id else escape(member.display_name or f"#{member.id}")


class Renderer:
    """Renders core messages in one language, resolving roster members to mentions."""

    def __init__(self, language: str, members: dict[int, RosterMember]) -> None:
        self.language = language
        self.members = members

    @classmethod
    async def load(
        cls, session: AsyncSession, language: str, messages: Iterable[Message]
    ) -> Renderer:
        messages = list(messages)
        return cls(language, await members_by_id(session, mentioned_members(messages)))

    def t(self, key: str, **params: Any) -> str:
        return translate(self.language, key, **params)

    def value(self, value: Any) -> str:
        if isinstance(value, dict):
            if "member" in value:
                return mention(self.members.get(value["member"]))
            if "members" in value:
                return ", ".join(mention(self.members.get(m)) for m in value["members"])
            if "channel" in value:
                return f"<#{value['channel']}>"
            if "everyone" in value:
                return "<!channel>"
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
                return "\n".join("• " + escape(self.t(key)) for key in value["bullets"])
            if "link" in value and "label_key" in value["link"]:
                value = {"link": {**value["link"], "label": self.t(value["link"]["label_key"])}}
            if "link" in value:
                return link(value["link"]["url"], value["link"]["label"])
            if "time" in value:
                return date(datetime.fromisoformat(value["time"]))
            if "choice" in value:
                return escape(self.t(value["choice"]))
            if "code" in value:
                return "`" + escape(value["code"]).replace("`", "'") + "`"
            if "actor" in value:
                return self.actor(value["actor"])
        if isinstance(value, str):
            return escape(excerpt(value))
        return escape(str(value))

    def actor(self, label: str) -> str:
        platform, _, user_id = label.partition(":")
        if platform == PLATFORM:
            return f"<@{user_id}>"
        if platform in ("webhook", "bot", "customer"):
            return escape(self.t(f"actor.{platform}"))
        return escape(label)

    def render(self, message: Message) -> str:
        # The catalogue's own text is escaped too: usage lines such as `status <n>` must not
        # turn into Slack links.
        params = {name: self.value(value) for name, value in message.params.items()}
        return fill(escape(template(self.language, message.key)), params)
