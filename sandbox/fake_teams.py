"""A fake Bot Connector (the Teams side of the Bot Framework) over real HTTP on 127.0.0.1,
for end-to-end tests and the local sandbox.

It answers the routes a bot calls: `POST /v3/conversations` (a new channel thread, or a
1:1 chat with one person), `POST /v3/conversations/{id}/activities[/{activityId}]` (send,
reply), `PUT …/{activityId}` (update in place) and `GET …/members/{userId}`. It keeps
channels as Teams does (threads keyed by their root activity, replies, edits) and records
every call. Faults: `down` answers 503 to everything; `fail_next` answers the next calls
with a status (429 with Retry-After, 412, 502, …).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from aiohttp import web

from sandbox.fake_slack import WAIT_LIMIT

JsonDict = dict[str, Any]
_POLL_INTERVAL = 0.01


@dataclass(frozen=True)
class ConnectorCall:
    method: str
    """"POST" or "PUT" or "GET"."""
    route: str
    """`conversations`, `send`, `reply`, `update` or `member`."""
    conversation_id: str | None
    activity_id: str | None
    body: JsonDict
    authorization: str | None
    at: float
    status: int


@dataclass
class _Fault:
    route: str | None
    status: int
    retry_after: float | None
    remaining: int


@dataclass
class Thread:
    channel_id: str
    root: JsonDict
    replies: list[JsonDict] = field(default_factory=list)

    @property
    def conversation_id(self) -> str:
        return f"{self.channel_id};messageid={self.root['id']}"


class FakeTeams:
    def __init__(self) -> None:
        self.calls: list[ConnectorCall] = []
        self.threads: dict[str, Thread] = {}
        """Root activity id -> thread."""
        self.edits: dict[str, list[JsonDict]] = {}
        """Activity id -> every version it was updated to, oldest first."""
        self.chats: dict[str, list[JsonDict]] = {}
        """Conversations outside channels (personal and group chats) -> what was sent there."""
        self.users: dict[str, JsonDict] = {}
        """Teams user id -> the member the connector tells (with `aadObjectId`)."""
        self.down = False
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1_700_000_000_000)
        self._runner: web.AppRunner | None = None
        self._port = 0

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._conversations)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{uid}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    def add_user(self, user_id: str, name: str, aad_object_id: str) -> None:
        self.users[user_id] = {"id": user_id, "name": name, "aadObjectId": aad_object_id}

    def user_post(self, channel_id: str, activity: JsonDict) -> str:
        """A person's top-level post in a channel: it starts a thread of its own (the bot's
        answer is a reply in it). Returns the thread's conversation id."""
        thread = Thread(channel_id, copy.deepcopy(activity))
        self.threads[activity["id"]] = thread
        return thread.conversation_id

    @staticmethod
    def personal_chat_id(user_id: str) -> str:
        return f"a:1:personal-{user_id}"

    def personal_chat(self, user_id: str) -> list[JsonDict]:
        """What the bot said to one person in their 1:1 chat, oldest first."""
        return self.chats.get(self.personal_chat_id(user_id), [])

    def fail_next(
        self, route: str | None, *, status: int = 429, retry_after: float | None = 1, count: int = 1
    ) -> None:
        """Answer the next `count` calls to `route` (None: any) with `status`."""
        self._faults.append(_Fault(route, status, retry_after, count))

    # What the channel looks like.

    def threads_in_channel(self) -> list[Thread]:
        """Threads the bot started (people's own posts left out)."""
        return [t for t in self.threads.values() if t.root.get("from") is None]

    def thread_of(self, card_text: str) -> Thread:
        """The thread whose root card mentions `card_text` (e.g. "Crisis #2 ")."""
        for thread in self.threads.values():
            if card_text in str(thread.root):
                return thread
        raise LookupError(f"no thread with {card_text!r}")

    def calls_to(self, route: str) -> list[ConnectorCall]:
        return [call for call in self.calls if call.route == route]

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT_LIMIT,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """Poll until `predicate()` holds; LookupError and IndexError count as not yet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                if predicate():
                    return
            except (LookupError, TypeError):
                pass
            if loop.time() >= deadline:
                raise AssertionError(f"{what} not met within {timeout}s\n{self.summary()}")
            await asyncio.sleep(_POLL_INTERVAL)

    def summary(self) -> str:
        lines = [f"{len(self.calls)} connector calls:"]
        for call in self.calls[-15:]:
            lines.append(f"  {call.status} {call.method} {call.route} {call.conversation_id}")
        return "\n".join(lines)

    # The routes.

    def _record(
        self, request: web.Request, route: str, body: JsonDict, status: int, cid: str | None = None
    ) -> None:
        self.calls.append(
            ConnectorCall(
                method=request.method,
                route=route,
                conversation_id=cid,
                activity_id=request.match_info.get("aid"),
                body=body,
                authorization=request.headers.get("Authorization"),
                at=time.monotonic(),
                status=status,
            )
        )

    async def _fault(
        self, request: web.Request, route: str, cid: str | None
    ) -> web.Response | None:
        body = await _json(request)
        if self.down:
            self._record(request, route, body, 503, cid)
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        for fault in self._faults:
            if fault.route in (None, route):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                self._record(request, route, body, fault.status, cid)
                headers = (
                    {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                )
                return web.json_response(
                    {"error": {"code": "Throttled" if fault.status == 429 else "Fault"}},
                    status=fault.status,
                    headers=headers,
                )
        return None

    def _new_id(self) -> str:
        return str(next(self._ids))

    async def _conversations(self, request: web.Request) -> web.Response:
        failed = await self._fault(request, "conversations", None)
        if failed is not None:
            return failed
        body = await _json(request)
        channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        members = body.get("members")
        if not channel_id and isinstance(members, list) and len(members) == 1:
            # A 1:1 chat between the bot and one person: the same id every time, as Teams does.
            user_id = str((members[0] or {}).get("id") or "")
            if not user_id or body.get("isGroup"):
                self._record(request, "conversations", body, 400)
                return web.json_response({"error": {"code": "BadArgument"}}, status=400)
            chat_id = self.personal_chat_id(user_id)
            self.chats.setdefault(chat_id, [])
            self._record(request, "conversations", body, 201, chat_id)
            return web.json_response({"id": chat_id}, status=201)
        activity = body.get("activity")
        if not channel_id or not isinstance(activity, dict):
            self._record(request, "conversations", body, 400)
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        root = {**copy.deepcopy(activity), "id": self._new_id()}
        thread = Thread(channel_id, root)
        self.threads[root["id"]] = thread
        self._record(request, "conversations", body, 201, channel_id)
        return web.json_response(
            {"id": thread.conversation_id, "activityId": root["id"]}, status=201
        )

    def _thread(self, conversation_id: str) -> Thread | None:
        _, _, root_id = conversation_id.partition(";messageid=")
        return self.threads.get(root_id)

    async def _send(self, request: web.Request) -> web.Response:
        cid = unquote(request.match_info["cid"])
        route = "reply" if "aid" in request.match_info else "send"
        failed = await self._fault(request, route, cid)
        if failed is not None:
            return failed
        body = await _json(request)
        if ";messageid=" not in cid and not cid.startswith("19:") and body.get("type") == "message":
            activity = {**copy.deepcopy(body), "id": self._new_id()}
            self.chats.setdefault(cid, []).append(activity)
            self._record(request, route, body, 201, cid)
            return web.json_response({"id": activity["id"]}, status=201)
        thread = self._thread(cid)
        if thread is None or body.get("type") != "message":
            self._record(request, route, body, 404 if thread is None else 400, cid)
            return web.json_response({"error": {"code": "ConversationNotFound"}}, status=404)
        activity = {**copy.deepcopy(body), "id": self._new_id()}
        thread.replies.append(activity)
        self._record(request, route, body, 201, cid)
        return web.json_response({"id": activity["id"]}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        cid = unquote(request.match_info["cid"])
        aid = unquote(request.match_info["aid"])
        failed = await self._fault(request, "update", cid)
        if failed is not None:
            return failed
        body = await _json(request)
        thread = self._thread(cid)
        target = None
        if thread is not None:
            candidates = [thread.root, *thread.replies]
            target = next((a for a in candidates if a["id"] == aid), None)
        if target is None:
            self._record(request, "update", body, 404, cid)
            return web.json_response({"error": {"code": "ActivityNotFound"}}, status=404)
        target.clear()
        target.update({**copy.deepcopy(body), "id": aid})
        self.edits.setdefault(aid, []).append(copy.deepcopy(body))
        self._record(request, "update", body, 200, cid)
        return web.json_response({"id": aid})

    async def _member(self, request: web.Request) -> web.Response:
        cid = unquote(request.match_info["cid"])
        failed = await self._fault(request, "member", cid)
        if failed is not None:
            return failed
        user = self.users.get(unquote(request.match_info["uid"]))
        self._record(request, "member", {}, 200 if user else 404, cid)
        if user is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(user)


async def _json(request: web.Request) -> JsonDict:
    # read() keeps the body, so the fault check and the route can both look at it.
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
