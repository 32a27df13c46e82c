"""The Bot Connector REST API (what proactive messages and replies go through), paced by
Teams' limits and with its errors kept distinct: retry later or give up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from botframework.connector.auth import MicrosoftAppCredentials

from bot.rate_gate import RateGate
from bot.settings import Settings

JsonDict = dict[str, Any]
TokenSource = Callable[[], Awaitable[str | None]]
_TIMEOUT = aiohttp.ClientTimeout(total=10)


class ConnectorError(Exception):
    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail[:200]}")
        self.status = status
        self.retry_after = retry_after


class Paced(Exception):
    """Our own pacing: nothing more to this thread for `wait` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"paced for {wait:.2f}s")
        self.wait = wait


def app_token_source(settings: Settings) -> TokenSource:
    """A bearer token for the Bot Connector, or None in local mode (the emulator and a fake
    connector take unauthenticated calls)."""
    if not settings.teams_app_id:

        async def no_token() -> str | None:
            return None

        return no_token
    credentials = MicrosoftAppCredentials(
        settings.teams_app_id,
        settings.teams_app_password.get_secret_value() if settings.teams_app_password else "",
        channel_auth_tenant=settings.teams_app_tenant_id,
    )

    async def token() -> str | None:
        # MSAL is blocking (it caches the token and refreshes it when it expires).
        return await asyncio.to_thread(credentials.get_access_token)

    return token


class Connector:
    def __init__(self, token_source: TokenSource) -> None:
        self.token_source = token_source
        self._session: aiohttp.ClientSession | None = None
        # Teams, per bot and thread: 7 messages a second, 8 in 2 s, 60 in 30 s, 1,800 an
        # hour. Two buckets keep under all of them: the first bounds a second (2 + 4 per
        # second) and two seconds (8), the second thirty seconds (15 + 0.49 * 30 < 60)
        # and an hour.
        self.gates = (RateGate(rate=2.0, burst=4), RateGate(rate=0.49, burst=15))
        # About 30 requests a second per app and tenant, whatever the thread.
        self.app_gate = RateGate(rate=20.0, burst=20)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def pace(self, thread: str) -> None:
        """Take a send for `thread` now, or raise Paced with how long to wait."""
        wait = max(
            self.app_gate.wait("app"),
            *(gate.wait(thread) for gate in self.gates),
        )
        if wait > 0:
            raise Paced(wait)
        self.app_gate.take("app")
        for gate in self.gates:
            gate.take(thread)

    def hold(self, thread: str, seconds: float) -> None:
        for gate in self.gates:
            gate.close_for(thread, seconds)

    async def create_thread(
        self,
        service_url: str,
        channel_id: str,
        tenant_id: str | None,
        bot_id: str,
        activity: JsonDict,
    ) -> tuple[str, str]:
        """Start a new thread in a channel; returns its conversation id and root activity id."""
        body: JsonDict = {
            "isGroup": True,
            "bot": {"id": bot_id},
            "channelData": {"channel": {"id": channel_id}},
            "activity": activity,
        }
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"]["tenant"] = {"id": tenant_id}
        answer = await self._call("POST", service_url, "v3/conversations", body)
        activity_id = str(answer.get("activityId") or "")
        conversation = str(answer.get("id") or "")
        if not activity_id:
            raise ConnectorError(502, "no activityId in the answer")
        if ";messageid=" not in conversation:
            conversation = f"{channel_id};messageid={activity_id}"
        return conversation, activity_id

    async def personal_chat(
        self, service_url: str, tenant_id: str | None, bot_id: str, user_id: str
    ) -> str:
        """The 1:1 chat between the bot and one person (created, or the existing one)."""
        body: JsonDict = {"isGroup": False, "bot": {"id": bot_id}, "members": [{"id": user_id}]}
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"] = {"tenant": {"id": tenant_id}}
        answer = await self._call("POST", service_url, "v3/conversations", body)
        conversation = str(answer.get("id") or "")
        if not conversation:
            raise ConnectorError(502, "no conversation id in the answer")
        return conversation

    async def send(self, service_url: str, conversation_id: str, activity: JsonDict) -> str:
        answer = await self._call(
            "POST",
            service_url,
            f"v3/conversations/{_segment(conversation_id)}/activities",
            activity,
        )
        return str(answer.get("id") or "")

    async def reply(
        self, service_url: str, conversation_id: str, reply_to: str, activity: JsonDict
    ) -> str:
        path = f"v3/conversations/{_segment(conversation_id)}/activities/{_segment(reply_to)}"
        answer = await self._call("POST", service_url, path, {**activity, "replyToId": reply_to})
        return str(answer.get("id") or "")

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: JsonDict
    ) -> None:
        path = f"v3/conversations/{_segment(conversation_id)}/activities/{_segment(activity_id)}"
        await self._call("PUT", service_url, path, {**activity, "id": activity_id})

    async def member(self, service_url: str, conversation_id: str, user_id: str) -> JsonDict:
        path = f"v3/conversations/{_segment(conversation_id)}/members/{_segment(user_id)}"
        return await self._call("GET", service_url, path, None)

    async def _call(
        self, method: str, service_url: str, path: str, body: JsonDict | None
    ) -> JsonDict:
        headers = {}
        token = await self.token_source()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = service_url.rstrip("/") + "/" + path
        async with self._http().request(method, url, json=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 400:
                raise ConnectorError(response.status, text, _retry_after(response.headers))
            if not text:
                return {}
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                return {}
            return answer if isinstance(answer, dict) else {}


def _segment(value: str) -> str:
    # Conversation ids hold `:`, `@` and `;`: one path segment, percent-encoded.
    return quote(value, safe="")


def _retry_after(headers: Any) -> float | None:
    try:
        return max(0.5, float(headers.get("Retry-After", "")))
    except (TypeError, ValueError):
        return None
