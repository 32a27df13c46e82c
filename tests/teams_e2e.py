"""The real server against the fake Bot Connector: acting as Teams, which posts activities
to `/api/messages` and takes the bot's answers on the connector."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot import alert_signature
from bot.app import CrisisBot
from bot.clock import Clock
from sandbox.fake_teams import FakeTeams, Thread
from tests.conftest import make_settings

ALERT_SECRET = "alert-secret"
CHANNEL = "19:crisis-channel@thread.tacv2"
TEAM = "19:team-general@thread.tacv2"
TENANT = "tenant-0001"
BOT = {"id": "28:crisisbot-app", "name": "crisisbot"}


@dataclass(frozen=True)
class User:
    id: str
    name: str
    aad: str

    @property
    def account(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}


ANNA = User("29:anna", "Anna Nowak", "aad-anna")
BOSS = User("29:boss", "Bob Boss", "aad-boss")
CARL = User("29:carl", "Carl Junior", "aad-carl")
_ids = itertools.count(1)


class TeamsBot:
    def __init__(self, bot: CrisisBot, fake: FakeTeams, http: aiohttp.ClientSession) -> None:
        self.bot = bot
        self.fake = fake
        self.http = http
        self.url = f"http://127.0.0.1:{bot.port}"
        for user in (ANNA, BOSS, CARL):
            fake.add_user(user.id, user.name, user.aad)

    def activity(
        self, user: User, conversation: str, channel: str = CHANNEL, **fields: Any
    ) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"user-{next(_ids)}",
            "timestamp": "2026-11-30T09:00:00.000Z",
            "serviceUrl": self.fake.service_url,
            "channelId": "msteams",
            "from": user.account,
            "conversation": {
                "isGroup": True,
                "conversationType": "channel",
                "id": conversation,
                "tenantId": TENANT,
            },
            "recipient": BOT,
            "localTimezone": "Europe/Warsaw",
            "channelData": {
                "teamsChannelId": channel,
                "teamsTeamId": TEAM,
                "channel": {"id": channel},
                "team": {"id": TEAM},
                "tenant": {"id": TENANT},
            },
            **fields,
        }

    def said(
        self, text: str, user: User, mentions: tuple[User, ...] = (), channel: str = CHANNEL
    ) -> dict[str, Any]:
        """`@crisisbot <text>` as Teams sends it: `@Name` in `text` becomes a mention."""
        entities = [{"type": "mention", "text": "<at>crisisbot</at>", "mentioned": BOT}]
        for person in mentions:
            tag = f"<at>{person.name}</at>"
            text = text.replace("@" + person.name.split()[0], tag, 1)
            entities.append(
                {
                    "type": "mention",
                    "text": tag,
                    "mentioned": {"id": person.id, "name": person.name},
                }
            )
        activity = self.activity(
            user,
            "",
            channel,
            text=f"<at>crisisbot</at> {text}\n",
            textFormat="plain",
            entities=entities,
        )
        activity["conversation"]["id"] = self.fake.user_post(channel, activity)
        return activity

    async def say(
        self,
        text: str,
        user: User = ANNA,
        mentions: tuple[User, ...] = (),
        channel: str = CHANNEL,
        **headers: str,
    ) -> str:
        """Say a command to the bot in a channel; returns the bot's answer."""
        activity = self.said(text, user, mentions, channel)
        status = await self.post(activity, **headers)
        assert status == 200, f"{text}: HTTP {status}"
        return self.answer_to(activity)["text"]

    async def submit(self, value: dict[str, Any], user: User = ANNA) -> dict[str, Any]:
        """Press an Action.Submit on a crisis card: Teams sends the button's data merged
        with the card's inputs as `value`, with no text. Returns the bot's answer (private)."""
        thread = self.thread(int(value["crisis"]))
        activity = self.activity(
            user,
            thread.conversation_id,
            thread.channel_id,
            value=value,
            replyToId=thread.root["id"],
        )
        before = len(self.fake.personal_chat(user.id))
        assert await self.post(activity) == 200
        # A click is answered in the person's 1:1 chat with the bot, never in the thread.
        assert not [c for c in self.fake.calls_to("reply") if c.activity_id == activity["id"]]
        [answer] = self.fake.personal_chat(user.id)[before:]
        return answer

    def answer_to(self, activity: dict[str, Any]) -> dict[str, Any]:
        [answer] = [
            call.body
            for call in self.fake.calls_to("reply")
            if call.activity_id == activity["id"] and call.status < 300
        ]
        return answer

    async def post(self, activity: dict[str, Any] | bytes, **headers: str) -> int:
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        async with self.http.post(
            self.url + "/api/messages",
            data=body,
            headers={"Content-Type": "application/json", **headers},
        ) as response:
            return response.status

    async def post_alert(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode()
        headers = alert_signature.sign(ALERT_SECRET, body, int(time.time()))
        async with self.http.post(self.url + "/alerts", data=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    def thread(self, crisis: int) -> Thread:
        """The crisis's thread, whatever the bot's language: its card's title names it."""
        for thread in self.fake.threads_in_channel():
            for attachment in thread.root.get("attachments") or []:
                title = attachment["content"]["body"][0]["text"]
                if f"#{crisis} " in title:
                    return thread
        raise LookupError(f"no thread of crisis #{crisis}")

    def texts(self, crisis: int) -> list[str]:
        """The bot's plain messages in a crisis thread, oldest first."""
        return [r["text"] for r in self.thread(crisis).replies if "text" in r]

    def cards(self, crisis: int) -> list[dict[str, Any]]:
        """The cards the bot posted in a crisis thread (playbook, summary), as they are now."""
        return [
            r["attachments"][0]["content"]
            for r in self.thread(crisis).replies
            if "attachments" in r
        ]

    def root_card(self, crisis: int) -> dict[str, Any]:
        return self.thread(crisis).root["attachments"][0]["content"]

    async def wait_texts(self, crisis: int, predicate: Any, what: str = "thread") -> list[str]:
        await self.fake.wait_for(lambda: predicate(self.texts(crisis)), what=what)
        return self.texts(crisis)


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


@asynccontextmanager
async def running_teams_bot(
    database_url: str, *, clock: Clock | None = None, **settings: Any
) -> AsyncIterator[TeamsBot]:
    async with FakeTeams() as fake:
        values: dict[str, Any] = {
            "database_url": database_url,
            "alert_webhook_secret": ALERT_SECRET,
            "host": "127.0.0.1",
            "port": 0,
            "sweep_interval": "0.2s",
            "teams_enabled": True,
        }
        values.update(settings)
        bot = CrisisBot(make_settings(**values), clock=clock)
        await bot.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield TeamsBot(bot, fake, http)
        finally:
            await bot.stop()
