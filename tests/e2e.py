"""The real server (every route, Bolt, the delivery worker) against the fake Slack Web API."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot import alert_signature
from bot.app import CrisisBot
from bot.clock import Clock
from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack
from tests.conftest import make_settings

SIGNING_SECRET = "slack-signing-secret"
ALERT_SECRET = "alert-secret"
CHANNEL = "C0CRISIS"
TOKEN = "xoxb-test"


class SlackBot:
    """A running bot, the fake Slack it talks to, and ways to act as Slack and alert tools."""

    def __init__(self, bot: CrisisBot, fake: FakeSlack, http: aiohttp.ClientSession) -> None:
        self.bot = bot
        self.fake = fake
        self.http = http
        self.url = f"http://127.0.0.1:{bot.port}"

    async def post_alert(
        self, payload: Any, *, secret: str = ALERT_SECRET, timestamp: int | None = None
    ) -> tuple[int, dict[str, Any]]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = alert_signature.sign(secret, body, timestamp or int(time.time()))
        return await self.raw_alert(body, headers)

    async def raw_alert(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        async with self.http.post(self.url + "/alerts", data=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def command(self, text: str, user: str = "UANNA", *, user_name: str = "anna") -> str:
        """Run `/crisis <text>` as `user`; returns the ephemeral answer's text."""
        key = f"cmd-{len(self.fake.responses)}-{time.monotonic_ns()}"
        request = slack_requests.slash_command(
            SIGNING_SECRET,
            text=text,
            user_id=user,
            user_name=user_name,
            channel_id=CHANNEL,
            response_url=self.fake.response_url(key),
        )
        status = await self.slack(request)
        assert status == 200, f"/crisis {text}: HTTP {status}"
        [response] = await self.fake.wait_for_response(key)
        assert response.body.get("response_type") == "ephemeral"
        return str(response.body["text"])

    async def click(
        self,
        action_id: str,
        crisis: int,
        user: str = "UANNA",
        *,
        message: dict[str, Any] | None = None,
        block_id: str = "crisis_actions",
        answer: bool = True,
        **selection: Any,
    ) -> str:
        """Use a control on a message (the crisis's root message unless `message` is given);
        returns the ephemeral answer's text (or "" when `answer` is False)."""
        key = f"act-{len(self.fake.responses)}-{time.monotonic_ns()}"
        request = self.click_request(
            action_id, crisis, key, user, message=message, block_id=block_id, **selection
        )
        assert await self.slack(request) == 200
        if not answer:
            return ""
        [response] = await self.fake.wait_for_response(key)
        return str(response.body["text"])

    def click_request(
        self,
        action_id: str,
        crisis: int,
        key: str,
        user: str = "UANNA",
        *,
        message: dict[str, Any] | None = None,
        block_id: str = "crisis_actions",
        **selection: Any,
    ) -> slack_requests.SignedRequest:
        """A click on a control, signed, not sent yet; its answer comes under `key`."""
        message = message or self.root(crisis)
        return slack_requests.block_action(
            SIGNING_SECRET,
            action_id=action_id,
            value=None if selection else str(crisis),
            user_id=user,
            channel_id=CHANNEL,
            message_ts=message["ts"],
            message=message,
            block_id=block_id,
            response_url=self.fake.response_url(key),
            **selection,
        )

    async def submit(
        self, view: dict[str, Any], user: str, state_values: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Submit a modal the bot opened; returns the HTTP status and Bolt's answer body."""
        request = slack_requests.view_submission(
            SIGNING_SECRET,
            callback_id=view["callback_id"],
            user_id=user,
            state_values=state_values,
            private_metadata=view.get("private_metadata", ""),
            base_view=view,
        )
        async with self.http.post(
            self.url + "/slack/events", data=request.body, headers=request.headers
        ) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else {}

    async def slack(self, request: slack_requests.SignedRequest) -> int:
        async with self.http.post(
            self.url + "/slack/events", data=request.body, headers=request.headers
        ) as response:
            return response.status

    def roots(self) -> list[dict[str, Any]]:
        return self.fake.messages(CHANNEL)

    def root(self, crisis: int) -> dict[str, Any]:
        for message in self.roots():
            header = message.get("blocks", [{}])[0].get("text", {}).get("text", "")
            if header.split(" ")[1] == f"#{crisis}":
                return message
        raise LookupError(f"no root message for crisis #{crisis}")

    def thread(self, crisis: int) -> list[dict[str, Any]]:
        return self.fake.replies(CHANNEL, self.root(crisis)["ts"])

    async def wait_thread(self, crisis: int, count: int) -> list[dict[str, Any]]:
        await self.fake.wait_for(
            lambda: len(self.thread(crisis)) >= count, what=f"thread #{crisis}"
        )
        return self.thread(crisis)


@asynccontextmanager
async def running_bot(
    database_url: str, *, clock: Clock | None = None, **settings: Any
) -> AsyncIterator[SlackBot]:
    async with FakeSlack(TOKEN) as fake:
        values: dict[str, Any] = {
            "database_url": database_url,
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake.base_url,
            "crisis_channel": CHANNEL,
            "alert_webhook_secret": ALERT_SECRET,
            "host": "127.0.0.1",
            "port": 0,
            "sweep_interval": "0.2s",
        }
        values.update(settings)
        bot = CrisisBot(make_settings(**values), clock=clock)
        await bot.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield SlackBot(bot, fake, http)
        finally:
            await bot.stop()


def post(**fields: Any) -> dict[str, Any]:
    """An alert body as a social-listening tool sends it."""
    post_id = str(fields.get("id", "fb-100"))
    body: dict[str, Any] = {
        "id": post_id,
        "source": "facebook",
        "url": "https://www.facebook.com/sklep/posts/100",
        "text": "Zamówiłam kurtkę trzy tygodnie temu i nadal czekam na paczkę. Kurier nic nie wie!",
        "author": {
            "name": "Anna Kowalska",
            # A different author per post: one author's posts about a brand group together.
            "handle": "anna.k" if post_id == "fb-100" else f"user.{post_id}",
            "followers": 2300,
        },
        "reach": 12000,
        "sentiment": -0.8,
        "brand": "Sklep",
        "language": "pl",
        "created_at": "2026-11-23T08:15:00+01:00",
    }
    body.update(fields)
    return body
