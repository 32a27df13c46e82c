"""A fake Slack Web API served over real HTTP, for end-to-end tests and the local sandbox.

The bot talks to it through an unmodified ``AsyncWebClient(base_url=fake.base_url)``, so
everything between the bot's code and the socket (slack_sdk's encoding, retries, error
mapping) is exercised. State is kept the way Slack keeps it (channels holding messages
keyed by ``ts``, threads, edits, views) rather than as a bare call log, so that the
sandbox can later render a channel from it; the call log is there too, for assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

JsonDict = dict[str, Any]
MethodHandler = Callable[[JsonDict], JsonDict]
"""Answers one API method: takes the call's arguments, returns the body fields besides
``ok``, or raises `SlackError` to answer ``{"ok": false, "error": ...}``."""

BOT_ID = "B0001"
APP_ID = "A0001"
TEAM_NAME = "Crisis Test Team"

# Waits end as soon as their condition holds; the limit only bounds a failing test. It is
# generous because messages are paced per channel in real time (about one a second) and a
# loaded machine (CI, a shared runner) adds seconds on top.
WAIT_LIMIT = 15.0
_POLL_INTERVAL = 0.01

# slack_sdk sends these as JSON strings when it posts form data, and as structures when it
# posts JSON; handlers should only ever see the structures.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "files"})

_THREAD_KEYS = ("reply_count", "reply_users", "reply_users_count", "latest_reply")


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": error}``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class RecordedCall:
    method: str
    args: JsonDict
    """Every argument, from query, form and JSON body merged, minus ``token``."""
    token: str | None
    at: float
    """``time.monotonic()`` when the call was answered."""
    http_status: int
    response: JsonDict

    @property
    def ok(self) -> bool:
        return self.http_status == 200 and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        return None if self.ok else self.response.get("error")


@dataclass(frozen=True)
class RecordedResponse:
    """One POST to a response URL."""

    key: str
    body: JsonDict
    at: float
    """``time.monotonic()`` when the POST was answered."""
    http_status: int = 200


@dataclass
class _Fault:
    method: str | None
    status: int
    retry_after: int | None
    error: str
    remaining: int


def _is_reply(message: JsonDict) -> bool:
    # A thread parent carries its own ts as thread_ts; only replies point elsewhere.
    return message.get("thread_ts") not in (None, message["ts"])


@dataclass
class _Channel:
    messages: dict[str, JsonDict] = field(default_factory=dict)
    """Every message, replies included, by ts; ts only grows, so this is posting order."""
    edits: dict[str, list[JsonDict]] = field(default_factory=dict)

    def top_level(self) -> list[JsonDict]:
        return [
            m
            for m in self.messages.values()
            if not _is_reply(m) or m.get("subtype") == "thread_broadcast"
        ]

    def replies(self, parent_ts: str) -> list[JsonDict]:
        return [m for m in self.messages.values() if _is_reply(m) and m["thread_ts"] == parent_ts]


def _flag(value: Any) -> bool:
    # Form bodies carry booleans as strings.
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _opt_str(args: JsonDict, key: str) -> str | None:
    value = args.get(key)
    return str(value) if value not in (None, "") else None


def _ts_digits(ts: str) -> str:
    return ts.replace(".", "")


class FakeSlack:
    """A Slack workspace with one bot, answering the Web API methods the bot uses."""

    def __init__(
        self,
        token: str = "xoxb-test",
        *,
        bot_user_id: str = "UBOT",
        team_id: str = "T0001",
        users: dict[str, JsonDict] | None = None,
        channels: dict[str, JsonDict] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``users`` / ``channels``: directories of known ids, each mapped to fields that
        override the generated profile. Left empty, any id exists; once given, other ids
        answer ``user_not_found`` / ``channel_not_found``. ``clock`` drives message ts, so
        the sandbox's time travel shows in them."""
        self.token = token
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.users: dict[str, JsonDict] = dict(users or {})
        self.channels: dict[str, JsonDict] = dict(channels or {})
        self._clock = clock

        self.calls: list[RecordedCall] = []
        self.responses: list[RecordedResponse] = []
        self.ephemerals: list[JsonDict] = []
        self.views: dict[str, JsonDict] = {}
        self.expired_triggers: set[str] = set()
        self.down = False
        """While True every API call answers HTTP 503 (and is still recorded)."""

        self._state: dict[str, _Channel] = {}
        self._home_views: dict[str, str] = {}
        # Uploaded files by id: their name, title and (once uploaded) content.
        self.files: dict[str, JsonDict] = {}
        self._response_targets: dict[str, tuple[str, str | None]] = {}
        self._faults: list[_Fault] = []
        # Never reset, so ids and ts stay unique across reset() within one instance.
        self._seq = itertools.count(1)
        self._last_ts_us = 0

        self._runner: web.AppRunner | None = None
        self._origin: str | None = None

        self._methods: dict[str, MethodHandler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "reactions.add": self._reactions_add,
            "pins.add": self._pins_add,
        }

    # ---- server lifecycle -------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/response/{key}", self._handle_response)
        # files_upload_v2's second step posts the bytes here; the messages link to /files/.
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/files/{file_id}", self._handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeSlack is already started")
        runner = web.AppRunner(self.make_app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        # port=0 lets the OS pick, so read back what was actually bound.
        bound_port = runner.addresses[0][1]
        self._origin = f"http://{host}:{bound_port}"

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def serve_at(self, url: str) -> None:
        """Mounted in another server (the sandbox) rather than start()ed: the public URL
        its routes answer under, for base_url and response URLs."""
        self._origin = url.rstrip("/")

    def channel_ids(self) -> list[str]:
        """Channels that hold messages, in the order their first message came."""
        return list(self._state)

    @property
    def url(self) -> str:
        if self._origin is None:
            raise RuntimeError("FakeSlack is not started")
        return self._origin

    @property
    def base_url(self) -> str:
        # slack_sdk urljoin()s the method onto this, which drops the last path segment
        # unless the URL ends with a slash.
        return f"{self.url}/api/"

    # ---- test controls ----------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str = "ratelimited",
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls to ``method`` (None: to any method) fail."""
        self._faults.append(_Fault(method, status, retry_after, error, count))

    def set_handler(self, method: str, handler: MethodHandler) -> None:
        """Answer ``method`` with ``handler`` (adds a method or replaces a built-in one)."""
        self._methods[method] = handler

    def reset(self) -> None:
        """Forget calls, responses, messages, views and faults; keep the directories."""
        self.calls.clear()
        self.responses.clear()
        self.ephemerals.clear()
        self.views.clear()
        self.expired_triggers.clear()
        self.down = False
        self._state.clear()
        self._home_views.clear()
        self.files.clear()
        self._response_targets.clear()
        self._faults.clear()

    def response_url(
        self, key: str | None = None, *, channel: str | None = None, message_ts: str | None = None
    ) -> str:
        """A URL to put in a payload's ``response_url``. Bound to ``channel`` (and
        ``message_ts``), posts to it act on the channel state like Slack's do:
        ``replace_original`` / ``delete_original`` edit or delete that message and
        ``response_type: in_channel`` posts a new one."""
        if key is None:
            key = f"R{next(self._seq):08d}"
        if channel is not None:
            self._response_targets[key] = (channel, message_ts)
        return f"{self.url}/response/{key}"

    # ---- state ------------------------------------------------------------------------
    # Accessors return copies: a snapshot cannot change under an assertion, and a test
    # cannot change the fake's state by accident.

    def messages(self, channel: str) -> list[JsonDict]:
        """Top-level messages in posting order: what the channel shows, so thread replies
        are left out except those also sent to the channel (``reply_broadcast``)."""
        state = self._state.get(channel)
        return copy.deepcopy(state.top_level()) if state else []

    def replies(self, channel: str, thread_ts: str) -> list[JsonDict]:
        """The replies in a thread, oldest first, without the parent."""
        state = self._state.get(channel)
        return copy.deepcopy(state.replies(thread_ts)) if state else []

    def message(self, channel: str, ts: str) -> JsonDict | None:
        state = self._state.get(channel)
        found = state.messages.get(ts) if state else None
        return copy.deepcopy(found)

    def edits(self, channel: str, ts: str) -> list[JsonDict]:
        """Earlier versions of a message, oldest first (empty if never edited)."""
        state = self._state.get(channel)
        return copy.deepcopy(state.edits.get(ts, [])) if state else []

    def home_view(self, user_id: str) -> JsonDict | None:
        view_id = self._home_views.get(user_id)
        return copy.deepcopy(self.views[view_id]) if view_id else None

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def responses_for(self, key: str) -> list[RecordedResponse]:
        return [r for r in self.responses if r.key == key]

    def add_message(
        self,
        channel: str,
        *,
        user: str,
        text: str = "",
        blocks: list[JsonDict] | None = None,
        attachments: list[JsonDict] | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        metadata: JsonDict | None = None,
        files: list[JsonDict] | None = None,
    ) -> JsonDict:
        """Put a message in a channel as ``user`` posted it; chat.postMessage uses this
        with the bot user, the sandbox with people. Raises `SlackError`
        ``thread_not_found`` when ``thread_ts`` is no message in that channel."""
        state = self._state.setdefault(channel, _Channel())
        parent: JsonDict | None = None
        if thread_ts is not None:
            parent = state.messages.get(thread_ts)
            if parent is None:
                raise SlackError("thread_not_found")
            if _is_reply(parent):
                # Slack has no nested threads: a reply's ts files under its parent.
                thread_ts = parent["thread_ts"]
                parent = state.messages[thread_ts]

        ts = self._next_ts()
        message: JsonDict = {"type": "message", "ts": ts, "user": user, "text": text}
        message["team"] = self.team_id
        if user == self.bot_user_id:
            message["bot_id"] = BOT_ID
            message["app_id"] = APP_ID
        if blocks is not None:
            message["blocks"] = copy.deepcopy(blocks)
        if attachments:
            message["attachments"] = copy.deepcopy(attachments)
        if metadata:
            message["metadata"] = copy.deepcopy(metadata)
        if files:
            message["files"] = copy.deepcopy(files)
        if parent is not None and thread_ts is not None:
            message["thread_ts"] = thread_ts
            message["parent_user_id"] = parent["user"]
            if reply_broadcast:
                message["subtype"] = "thread_broadcast"
        state.messages[ts] = message
        if thread_ts is not None:
            self._refresh_thread(state, thread_ts)
        return copy.deepcopy(message)

    # ---- waiting ----------------------------------------------------------------------

    # A `timeout` argument (rather than asyncio.timeout around the call) keeps test lines
    # short and lets the failure message name the limit.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT_LIMIT,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """Poll until ``predicate()`` holds. A predicate that raises LookupError or
        TypeError counts as not yet true, so ``lambda: fake.messages(c)[0]["text"] == x``
        works before the message exists."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None
        while True:
            try:
                if predicate():
                    return
                last_error = None
            except (LookupError, TypeError) as exc:
                last_error = exc
            if loop.time() >= deadline:
                raised = f"\nlast attempt raised {last_error!r}" if last_error else ""
                raise AssertionError(f"{what} not met within {timeout}s{raised}\n{self.summary()}")
            await asyncio.sleep(_POLL_INTERVAL)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = WAIT_LIMIT,  # noqa: ASYNC109
        where: Callable[[RecordedCall], bool] | None = None,
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` calls to ``method`` (matching ``where``) were
        recorded; returns all matching calls."""

        def matching() -> list[RecordedCall]:
            return [c for c in self.calls_to(method) if where is None or where(c)]

        await self.wait_for(
            lambda: len(matching()) >= count, timeout, what=f"{count} call(s) to {method}"
        )
        return matching()

    async def wait_for_response(
        self,
        key: str,
        count: int = 1,
        timeout: float = WAIT_LIMIT,  # noqa: ASYNC109
    ) -> list[RecordedResponse]:
        await self.wait_for(
            lambda: len(self.responses_for(key)) >= count,
            timeout,
            what=f"{count} post(s) to response URL {key}",
        )
        return self.responses_for(key)

    def summary(self) -> str:
        """What the fake has seen, one line per call, for assertion messages."""
        lines = [f"recorded calls ({len(self.calls)}):"]
        for i, call in enumerate(self.calls, 1):
            args = json.dumps(call.args, default=str)
            if len(args) > 160:
                args = args[:157] + "..."
            outcome = "ok" if call.ok else f"{call.error} (HTTP {call.http_status})"
            lines.append(f"  {i}. {call.method} {args} -> {outcome}")
        lines.append(f"response URL posts ({len(self.responses)}):")
        for response in self.responses:
            body = json.dumps(response.body, default=str)
            if len(body) > 160:
                body = body[:157] + "..."
            lines.append(f"  {response.key} {body} -> HTTP {response.http_status}")
        return "\n".join(lines)

    # ---- HTTP -------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self._origin is None:
            # Mounted in another app rather than start()ed: learn the public origin here.
            self._origin = str(request.url.origin())
        method = request.match_info["method"]
        token = _bearer_token(request)
        args: JsonDict = {}
        answer: tuple[int, JsonDict, dict[str, str]]
        try:
            args = await _read_args(request)
        except SlackError as exc:
            answer = 200, {"ok": False, "error": exc.error}, {}
        else:
            args_token = args.pop("token", None)
            token = token or (str(args_token) if args_token else None)
            answer = self._answer(method, args, token)
        status, body, headers = answer
        self.calls.append(RecordedCall(method, args, token, time.monotonic(), status, body))
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, args: JsonDict, token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        if self.down:
            return 503, {"ok": False, "error": "service_unavailable"}, {}
        fault = self._take_fault(method)
        if fault is not None:
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            return fault.status, {"ok": False, "error": fault.error}, headers
        handler = self._methods.get(method)
        # Slack checks the method before the token, so a typo never looks like an auth bug.
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token != self.token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        try:
            result = handler(args)
        except SlackError as exc:
            return 200, {"ok": False, "error": exc.error}, {}
        return 200, {"ok": True, **result}, {}

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _handle_response(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.responses.append(RecordedResponse(key, {"raw": raw}, time.monotonic(), 400))
            return web.Response(status=400, text="invalid_payload")
        has_content = any(body.get(k) for k in ("text", "blocks", "attachments"))
        if not has_content and not _flag(body.get("delete_original")):
            self.responses.append(RecordedResponse(key, body, time.monotonic(), 400))
            return web.Response(status=400, text="no_text")
        self.responses.append(RecordedResponse(key, body, time.monotonic()))
        self._apply_response(key, body)
        # hooks.slack.com answers a bare "ok", not JSON.
        return web.Response(text="ok")

    def _apply_response(self, key: str, body: JsonDict) -> None:
        target = self._response_targets.get(key)
        if target is None:
            return
        channel, message_ts = target
        state = self._state.get(channel)
        original = state.messages.get(message_ts) if state and message_ts else None
        if _flag(body.get("delete_original")):
            if state is not None and original is not None:
                self._delete(state, original["ts"])
        elif _flag(body.get("replace_original")):
            if state is not None and original is not None:
                self._edit(state, original, body)
        elif body.get("response_type") == "in_channel":
            self.add_message(
                channel,
                user=self.bot_user_id,
                text=str(body.get("text") or ""),
                blocks=body.get("blocks"),
                attachments=body.get("attachments"),
                thread_ts=body.get("thread_ts"),
            )
        # Anything else is ephemeral: seen only by the user, so no channel state changes.

    # ---- state internals --------------------------------------------------------------

    def _next_ts(self) -> str:
        # Slack ts are epoch microseconds, unique per channel; unique globally is stricter.
        micros = max(int(self._clock() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _refresh_thread(self, state: _Channel, parent_ts: str) -> None:
        parent = state.messages.get(parent_ts)
        if parent is None:
            return
        replies = state.replies(parent_ts)
        if not replies:
            if parent.get("subtype") == "tombstone":
                del state.messages[parent_ts]
                return
            parent.pop("thread_ts", None)
            for key in _THREAD_KEYS:
                parent.pop(key, None)
            return
        users = list(dict.fromkeys(r["user"] for r in replies))
        parent["thread_ts"] = parent_ts
        parent["reply_count"] = len(replies)
        parent["reply_users"] = users
        parent["reply_users_count"] = len(users)
        parent["latest_reply"] = replies[-1]["ts"]

    def _edit(self, state: _Channel, message: JsonDict, changes: JsonDict) -> None:
        state.edits.setdefault(message["ts"], []).append(copy.deepcopy(message))
        if "text" in changes and changes["text"] is not None:
            message["text"] = str(changes["text"])
        for key in ("blocks", "attachments"):
            value = changes.get(key)
            if value is None:
                continue  # absent means "keep", as in Slack
            if value:
                message[key] = copy.deepcopy(value)
            else:
                message.pop(key, None)  # an empty list is how Slack callers remove them
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}

    def _delete(self, state: _Channel, ts: str) -> None:
        message = state.messages[ts]
        if _is_reply(message):
            del state.messages[ts]
            self._refresh_thread(state, message["thread_ts"])
        elif state.replies(ts):
            # Slack keeps a placeholder so the thread under a deleted parent stays reachable.
            thread = {k: message[k] for k in ("thread_ts", *_THREAD_KEYS) if k in message}
            state.messages[ts] = {
                "type": "message",
                "subtype": "tombstone",
                "ts": ts,
                "user": "USLACKBOT",
                "text": "This message was deleted.",
                "hidden": True,
                **thread,
            }
        else:
            del state.messages[ts]

    def _known_channel(self, args: JsonDict, key: str = "channel") -> str:
        channel = _opt_str(args, key)
        if channel is None:
            raise SlackError("channel_not_found")
        # User ids stand for the DM with that user; Slack would answer with a D... id,
        # but keying the DM by user id keeps tests' lookups obvious.
        is_dm = channel[0] in "UW"
        if self.channels and channel not in self.channels and not is_dm:
            raise SlackError("channel_not_found")
        return channel

    def _existing_message(self, args: JsonDict, ts_key: str) -> tuple[str, _Channel, JsonDict]:
        channel = self._known_channel(args)
        ts = _opt_str(args, ts_key)
        state = self._state.get(channel)
        message = state.messages.get(ts) if state is not None and ts is not None else None
        if state is None or message is None:
            raise SlackError("message_not_found")
        return channel, state, message

    def _content(self, args: JsonDict) -> tuple[str, list[JsonDict] | None, list[JsonDict] | None]:
        text = args.get("text")
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if blocks is not None and not isinstance(blocks, list):
            raise SlackError("invalid_blocks")
        if attachments is not None and not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        if not text and not blocks and not attachments:
            raise SlackError("no_text")
        return ("" if text is None else str(text)), blocks, attachments

    def _new_view(
        self, spec: JsonDict, *, view_id: str | None = None, pushed_onto: JsonDict | None = None
    ) -> JsonDict:
        view_id = view_id or f"V{next(self._seq):08d}"
        view: JsonDict = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "title": None,
            "close": None,
            "submit": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "external_id": "",
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
        }
        if pushed_onto is not None:
            view["previous_view_id"] = pushed_onto["id"]
            view["root_view_id"] = pushed_onto["root_view_id"]
        view.update(copy.deepcopy(spec))
        view["id"] = view_id
        view["hash"] = f"{int(self._clock())}.{next(self._seq):08d}"
        self.views[view_id] = view
        return view

    def _trigger(self, args: JsonDict) -> str:
        trigger_id = _opt_str(args, "trigger_id")
        if trigger_id is None:
            raise SlackError("invalid_arguments")
        if trigger_id in self.expired_triggers:
            raise SlackError("expired_trigger_id")
        return trigger_id

    def _view_spec(self, args: JsonDict) -> JsonDict:
        spec = args.get("view")
        if not isinstance(spec, dict):
            raise SlackError("invalid_arguments")
        return spec

    def _check_hash(self, args: JsonDict, view: JsonDict) -> None:
        expected = _opt_str(args, "hash")
        if expected is not None and expected != view["hash"]:
            raise SlackError("hash_conflict")

    # ---- API methods ------------------------------------------------------------------

    def _auth_test(self, args: JsonDict) -> JsonDict:
        # Bolt reads bot_id to decide the token is a bot's, then takes user_id as the bot
        # user it must ignore events from.
        return {
            "url": f"{self.url}/",
            "team": TEAM_NAME,
            "user": "crisisbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: JsonDict) -> JsonDict:
        channel = self._known_channel(args)
        text, blocks, attachments = self._content(args)
        metadata = args.get("metadata")
        message = self.add_message(
            channel,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            attachments=attachments,
            thread_ts=_opt_str(args, "thread_ts"),
            reply_broadcast=_flag(args.get("reply_broadcast")),
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, args: JsonDict) -> JsonDict:
        channel, state, message = self._existing_message(args, "ts")
        if message["user"] != self.bot_user_id:
            raise SlackError("cant_update_message")
        self._content(args)
        self._edit(state, message, args)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, args: JsonDict) -> JsonDict:
        channel, state, message = self._existing_message(args, "ts")
        if message["user"] != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._delete(state, message["ts"])
        return {"channel": channel, "ts": message["ts"]}

    def _chat_post_ephemeral(self, args: JsonDict) -> JsonDict:
        channel = self._known_channel(args)
        user = _opt_str(args, "user")
        if user is None or (self.users and user not in self.users):
            raise SlackError("user_not_found")
        text, blocks, attachments = self._content(args)
        message_ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "text": text,
                "blocks": blocks,
                "attachments": attachments,
                "thread_ts": _opt_str(args, "thread_ts"),
                "message_ts": message_ts,
            }
        )
        return {"message_ts": message_ts}

    def _chat_get_permalink(self, args: JsonDict) -> JsonDict:
        channel, _, message = self._existing_message(args, "message_ts")
        permalink = f"{self.url}/archives/{channel}/p{_ts_digits(message['ts'])}"
        if _is_reply(message):
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"channel": channel, "permalink": permalink}

    def _conversations_info(self, args: JsonDict) -> JsonDict:
        channel_id = self._known_channel(args)
        info: JsonDict = {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "created": int(self._clock()),
            "creator": self.bot_user_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        info.update(copy.deepcopy(self.channels.get(channel_id, {})))
        info.setdefault("name_normalized", info["name"])
        return {"channel": info}

    def _conversations_history(self, args: JsonDict) -> JsonDict:
        channel = self._known_channel(args)
        # Slack pages history newest first.
        return {"messages": list(reversed(self.messages(channel))), "has_more": False}

    def _conversations_replies(self, args: JsonDict) -> JsonDict:
        channel, _, parent = self._existing_message(args, "ts")
        thread_ts = parent.get("thread_ts") or parent["ts"]
        # Unlike replies(), Slack's answer starts with the parent.
        thread = [self.message(channel, thread_ts), *self.replies(channel, thread_ts)]
        return {"messages": thread, "has_more": False}

    def _users_info(self, args: JsonDict) -> JsonDict:
        user_id = _opt_str(args, "user")
        if user_id is None:
            raise SlackError("user_not_found")
        is_bot = user_id == self.bot_user_id
        if self.users and user_id not in self.users and not is_bot:
            raise SlackError("user_not_found")
        override = copy.deepcopy(self.users.get(user_id, {}))
        user: JsonDict = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": is_bot,
            "is_admin": False,
            "tz": "Europe/Warsaw",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
        }
        user.update({k: v for k, v in override.items() if k != "profile"})
        profile: JsonDict = {
            "real_name": user["real_name"],
            "display_name": user["name"],
            "email": f"{user['name']}@example.com",
        }
        profile.update(override.get("profile", {}))
        user["profile"] = profile
        return {"user": user}

    def _views_open(self, args: JsonDict) -> JsonDict:
        self._trigger(args)
        return {"view": copy.deepcopy(self._new_view(self._view_spec(args)))}

    def _views_push(self, args: JsonDict) -> JsonDict:
        self._trigger(args)
        # The pushing modal is not named in the call; use the newest modal as a stand-in.
        modals = [v for v in self.views.values() if v["type"] == "modal"]
        below = modals[-1] if modals else None
        return {"view": copy.deepcopy(self._new_view(self._view_spec(args), pushed_onto=below))}

    def _views_update(self, args: JsonDict) -> JsonDict:
        spec = self._view_spec(args)
        view_id = _opt_str(args, "view_id")
        external_id = _opt_str(args, "external_id")
        current = self.views.get(view_id) if view_id else None
        if current is None and external_id is not None:
            current = next(
                (v for v in self.views.values() if v["external_id"] == external_id), None
            )
        if current is None:
            raise SlackError("not_found")
        self._check_hash(args, current)
        lineage = {k: current[k] for k in ("previous_view_id", "root_view_id")}
        view = self._new_view({"type": current["type"], **spec, **lineage}, view_id=current["id"])
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, args: JsonDict) -> JsonDict:
        user_id = _opt_str(args, "user_id")
        if user_id is None:
            raise SlackError("invalid_arguments")
        spec = self._view_spec(args)
        # A user has one Home tab; republishing replaces it under the same id.
        view_id = self._home_views.get(user_id)
        if view_id is not None:
            self._check_hash(args, self.views[view_id])
        view = self._new_view({"type": "home", **spec}, view_id=view_id)
        self._home_views[user_id] = view["id"]
        return {"view": copy.deepcopy(view)}

    def _files_get_upload_url(self, args: JsonDict) -> JsonDict:
        filename = _opt_str(args, "filename")
        length = str(args.get("length", ""))
        if not filename or not length.isdigit() or int(length) <= 0:
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self._seq):08d}"
        self.files[file_id] = {
            "id": file_id,
            "name": filename,
            "length": int(length),
            "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "content": None,
        }
        return {"file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}

    def _files_complete_upload(self, args: JsonDict) -> JsonDict:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        shared = []
        for item in items:
            found = self.files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if found is None or found["content"] is None:
                # Slack answers this when step 2 (the upload itself) never happened.
                raise SlackError("file_not_found")
            found["title"] = str(item.get("title") or found["name"])
            shared.append(
                {
                    "id": found["id"],
                    "name": found["name"],
                    "title": found["title"],
                    "mimetype": found["mimetype"],
                    "size": len(found["content"]),
                    "url_private": f"{self.url}/files/{found['id']}",
                }
            )
        channel = _opt_str(args, "channel_id")
        if channel is not None:
            self._known_channel(args, "channel_id")
            self.add_message(
                channel,
                user=self.bot_user_id,
                text=str(args.get("initial_comment") or ""),
                thread_ts=_opt_str(args, "thread_ts"),
                files=shared,
            )
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        content = await request.read()
        if found is None:
            return web.Response(status=404, text="file not found")
        if len(content) != found["length"]:
            return web.Response(status=400, text="length does not match")
        found["content"] = content
        return web.Response(text=f"OK - {len(content)}")

    async def _handle_file(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if found is None or found["content"] is None:
            return web.Response(status=404, text="file not found")
        return web.Response(body=found["content"], content_type=found["mimetype"])

    def file_content(self, file_id: str) -> bytes:
        content = self.files[file_id]["content"]
        if content is None:
            raise LookupError(f"{file_id} was never uploaded")
        return bytes(content)

    def _reactions_add(self, args: JsonDict) -> JsonDict:
        _, _, message = self._existing_message(args, "timestamp")
        name = _opt_str(args, "name")
        if name is None:
            raise SlackError("invalid_name")
        reactions: list[JsonDict] = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reactions.append({"name": name, "users": [self.bot_user_id], "count": 1})
        elif self.bot_user_id in reaction["users"]:
            raise SlackError("already_reacted")
        else:
            reaction["users"].append(self.bot_user_id)
            reaction["count"] += 1
        return {}

    def _pins_add(self, args: JsonDict) -> JsonDict:
        channel, _, message = self._existing_message(args, "timestamp")
        pinned_to: list[str] = message.setdefault("pinned_to", [])
        if channel in pinned_to:
            raise SlackError("already_pinned")
        pinned_to.append(channel)
        return {}


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


async def _read_args(request: web.Request) -> JsonDict:
    """Query string, form body and JSON body merged, the body winning, as Slack does."""
    args: JsonDict = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            # File parts are not modelled; only the text fields reach the handlers.
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in _JSON_ARGS & args.keys():
        value = args[key]
        # Undecodable values stay strings, so the handler answers invalid_blocks and the like.
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args
