"""The sandbox's routes: the page, its state, and the visitor's moves as signed Slack
requests. Only mounted in sandbox mode."""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from bot import alert_signature, roster
from bot import inbox as inbox_store
from bot.clock import ShiftedClock
from bot.context import CoreContext
from bot.i18n import template
from handlers.alerts import secrets as alert_secrets
from handlers.sandbox.samples import (
    SAMPLES,
    SANDBOX_IG_ACCOUNT,
    SANDBOX_PAGE,
    SOURCE_SAMPLES,
    ZAPIER_FIELD_MAP,
)
from handlers.sources.meta import SIGNATURE_HEADER, meta_signature
from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack

JsonDict = dict[str, Any]
STATIC = Path(__file__).parent / "static"
ASSETS = frozenset(path.name for path in (*STATIC.glob("*.js"), *STATIC.glob("*.css")))
CHANNEL = "C0SANDBOX"
TEAM = (
    ("U0ANNA", "anna", "Anna Nowak", "lead"),
    ("U0BART", "bartek", "Bartek Wiśniewski", "senior"),
    ("U0CELINA", "celina", "Celina Zając", "senior"),
    ("U0DAREK", "darek", "Darek Kowalczyk", "junior"),
)
# Sources whose samples go in as the bot stores what it read: the pollers' pages, and a
# Google review (read from Google's API after a push signed by Google, neither of which the
# sandbox has).
STORED = frozenset({"brand24", "mention", "google"})
# How far one jump of the time-travel control may go.
MAX_JUMP = timedelta(days=7)
# The newest answers only the visitor sees that the page keeps showing.
EPHEMERALS = 6
# The words the page's script shows (the HTML's own are {{t:key}} placeholders).
SCRIPT_TEXTS = (
    "sandbox.ahead",
    "sandbox.only_you",
    "sandbox.empty",
    "sandbox.edited",
    "sandbox.replies",
    "sandbox.dismiss",
    "sandbox.optional",
    "sandbox.choose",
    "sandbox.cancel",
    "sandbox.submit",
    "sandbox.alert_sent",
    "sandbox.delivery_sent",
    "sandbox.not_answering",
    "sandbox.not_simulated",
)
_PLACEHOLDER = re.compile(r"\{\{t:([a-z_.]+)\}\}")


class BadRequest(Exception):
    """A move the sandbox refuses; carries a catalogue key."""


class Sandbox:
    """A fake Slack workspace for the bot, and the page that shows it."""

    def __init__(self, ctx: CoreContext, port: int, wake: Callable[[], None]) -> None:
        if not isinstance(ctx.clock, ShiftedClock):
            raise TypeError("the sandbox's time travel needs a ShiftedClock")
        self.ctx = ctx
        self.clock: ShiftedClock = ctx.clock
        self.wake = wake
        host = ctx.settings.host
        # The bot calls its own server: a wildcard address is reached on the loopback.
        loopback = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        if ":" in loopback:
            loopback = f"[{loopback}]"
        self.origin = f"http://{loopback}:{port}"
        self.token = "xoxb-sandbox-" + secrets.token_hex(12)
        self.signing_secret = secrets.token_hex(32)
        self.fake = FakeSlack(
            self.token,
            users={
                user: {"name": name, "real_name": real, "profile": {"display_name": name}}
                for user, name, real, _ in TEAM
            },
            clock=lambda: ctx.clock.now().timestamp(),
        )
        self.fake.serve_at(self.origin + "/sandbox")
        self._responses: dict[str, str] = {}
        self._triggers: dict[str, str] = {}
        self._closed_views: set[str] = set()
        self._sent = itertools.count(1)
        self._http: aiohttp.ClientSession | None = None
        self._configure(port)

    def _configure(self, port: int) -> None:
        """The bot's Slack side points at the fake, with credentials made up for it."""
        settings = self.ctx.settings
        settings.slack_bot_token = SecretStr(self.token)
        settings.slack_signing_secret = SecretStr(self.signing_secret)
        settings.slack_api_url = self.fake.base_url
        settings.crisis_channel = settings.crisis_channel or CHANNEL
        if settings.alert_webhook_secret is None:
            settings.alert_webhook_secret = SecretStr(secrets.token_hex(32))
        if settings.public_base_url is None:
            settings.public_base_url = f"http://localhost:{port}"
        # The native sources' sample deliveries are signed or addressed with these.
        if settings.meta_app_secret is None:
            settings.meta_app_secret = SecretStr(secrets.token_hex(16))
        if not settings.meta_page_brands:
            settings.meta_page_brands = (
                f"{SANDBOX_PAGE}=Sklep Kwiatek,{SANDBOX_IG_ACCOUNT}=Sklep Kwiatek"
            )
        if settings.trustpilot_webhook_token is None:
            settings.trustpilot_webhook_token = SecretStr(secrets.token_hex(16))
        settings.trustpilot_brand = settings.trustpilot_brand or "Bloom & Co"
        if settings.generic_webhook_token is None:
            settings.generic_webhook_token = SecretStr(secrets.token_hex(16))
        settings.generic_field_map = settings.generic_field_map or json.dumps(ZAPIER_FIELD_MAP)
        settings.google_brand = settings.google_brand or "Sklep Kwiatek"

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/sandbox", self._index)
        app.router.add_get("/sandbox/static/{name}", self._static)
        app.router.add_get("/sandbox/state", self._state)
        for path, handler in (
            ("command", self._command),
            ("action", self._action),
            ("submit", self._submit),
            ("close", self._close),
            ("alert", self._alert),
            ("team", self._team),
            ("time", self._time_travel),
        ):
            app.router.add_post(f"/sandbox/{path}", self._json(handler))
        # After the page's own routes: the fake's prefix would otherwise claim /sandbox itself.
        app.add_subapp("/sandbox/", self.fake.make_app())

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    # ---- pages ---------------------------------------------------------------------------

    def _t(self, key: str) -> str:
        return template(self.ctx.settings.language, key)

    async def _index(self, request: web.Request) -> web.Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        html = _PLACEHOLDER.sub(lambda m: escape(self._t(m.group(1))), html)
        html = html.replace("{{lang}}", self.ctx.settings.language)
        config = {
            "t": {key: self._t(key) for key in SCRIPT_TEXTS},
            "channel": self.ctx.settings.crisis_channel,
            "team": [{"id": u, "name": real, "level": level} for u, _, real, level in TEAM],
            "samples": [{"key": s.key, "label": s.label} for s in (*SAMPLES, *SOURCE_SAMPLES)],
        }
        # Inside a <script> element "</" would end it; JSON may escape the slash.
        html = html.replace("{{CONFIG}}", json.dumps(config).replace("</", "<\\/"))
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name)

    async def _state(self, request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        channels = []
        for channel in self.fake.channel_ids():
            messages = [
                {**message, "replies": self.fake.replies(channel, message["ts"])}
                for message in self.fake.messages(channel)
            ]
            channels.append({"id": channel, "messages": messages})
        async with self.ctx.db.sessions() as session:
            roster_empty = not await roster.active_members(session)
        return web.json_response(
            {
                "now": self.clock.now().isoformat(),
                "offset": self.clock.offset.total_seconds(),
                "roster_empty": roster_empty,
                "channels": channels,
                "ephemerals": self._ephemerals(user),
                "modals": self._modals(user),
            }
        )

    def _ephemerals(self, user: str) -> list[JsonDict]:
        mine = [r for r in self.fake.responses if self._responses.get(r.key) == user]
        return [
            {
                "key": f"{r.key}:{r.at}",
                "text": r.body.get("text", ""),
                "blocks": r.body.get("blocks"),
            }
            for r in mine[-EPHEMERALS:]
            if r.body.get("response_type", "ephemeral") == "ephemeral"
        ]

    def _modals(self, user: str) -> list[JsonDict]:
        views = []
        for call in self.fake.calls_to("views.open"):
            if not call.ok or self._triggers.get(str(call.args.get("trigger_id"))) != user:
                continue
            view_id = call.response["view"]["id"]
            if view_id not in self._closed_views:
                views.append(self.fake.views[view_id])
        return views

    # ---- the visitor's moves -------------------------------------------------------------

    def _json(self, handler: Callable[[JsonDict], Any]) -> Any:
        async def route(request: web.Request) -> web.Response:
            # JSON only, and from this page: a form on another site cannot send JSON
            # without asking first (CORS), so it cannot act here in the visitor's name.
            origin = request.headers.get("Origin")
            if request.content_type != "application/json" or (
                origin is not None and origin != str(request.url.origin())
            ):
                return web.json_response({"error": self._t("sandbox.error.json")}, status=403)
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise BadRequest("sandbox.error.json")
                return web.json_response(await handler(body))
            except ValueError:
                return web.json_response({"error": self._t("sandbox.error.json")}, status=400)
            except BadRequest as refused:
                return web.json_response({"error": self._t(str(refused))}, status=400)

        return route

    def _user(self, body: JsonDict) -> tuple[str, str]:
        user = body.get("user")
        for user_id, name, _, _ in TEAM:
            if user == user_id:
                return user_id, name
        raise BadRequest("sandbox.error.user")

    def _response_url(self, user: str, channel: str | None = None, ts: str | None = None) -> str:
        key = f"R{user}{next(self._sent)}"
        self._responses[key] = user
        return self.fake.response_url(key, channel=channel, message_ts=ts)

    def _trigger(self, user: str) -> str:
        trigger = slack_requests.new_trigger_id()
        self._triggers[trigger] = user
        return trigger

    async def _to_slack_events(self, request: slack_requests.SignedRequest) -> tuple[int, str]:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        async with self._http.post(
            self.origin + "/slack/events", data=request.body, headers=request.headers
        ) as response:
            return response.status, await response.text()

    async def _command(self, body: JsonDict) -> JsonDict:
        user, name = self._user(body)
        text = str(body.get("text", "")).strip()
        command, _, rest = text.partition(" ")
        if command != "/crisis":
            raise BadRequest("sandbox.error.command")
        response_url = self._response_url(user)
        status, _ = await self._to_slack_events(
            slack_requests.slash_command(
                self.signing_secret,
                text=rest.strip(),
                user_id=user,
                user_name=name,
                channel_id=str(self.ctx.settings.crisis_channel),
                response_url=response_url,
                trigger_id=self._trigger(user),
            )
        )
        return {"status": status, "response": response_url.rsplit("/", 1)[1]}

    async def _action(self, body: JsonDict) -> JsonDict:
        user, name = self._user(body)
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        message = self.fake.message(channel, ts)
        if message is None:
            raise BadRequest("sandbox.error.message")
        selection: JsonDict = {}
        for key in ("selected_option", "selected_options", "value"):
            if body.get(key) is not None:
                selection[key] = body[key]
        status, _ = await self._to_slack_events(
            slack_requests.block_action(
                self.signing_secret,
                action_id=str(body.get("action_id", "")),
                block_id=str(body.get("block_id", "")),
                action_type=str(body.get("action_type") or "button"),
                user_id=user,
                user_name=name,
                channel_id=channel,
                message_ts=ts,
                message=message,
                response_url=self._response_url(user, channel, ts),
                trigger_id=self._trigger(user),
                **selection,
            )
        )
        return {"status": status}

    def _open_view(self, user: str, view_id: str) -> JsonDict:
        if view_id not in {view["id"] for view in self._modals(user)}:
            raise BadRequest("sandbox.error.modal")
        return self.fake.views[view_id]

    async def _submit(self, body: JsonDict) -> JsonDict:
        user, name = self._user(body)
        view = self._open_view(user, str(body.get("view_id", "")))
        values = body.get("values")
        if not isinstance(values, dict):
            raise BadRequest("sandbox.error.values")
        status, text = await self._to_slack_events(
            slack_requests.view_submission(
                self.signing_secret,
                callback_id=view["callback_id"],
                user_id=user,
                user_name=name,
                state_values=values,
                private_metadata=view.get("private_metadata", ""),
                base_view=view,
            )
        )
        answer = json.loads(text) if text.strip() else {}
        if status == 200 and answer.get("response_action") != "errors":
            self._closed_views.add(view["id"])
        return {"status": status, "errors": answer.get("errors") or {}}

    async def _close(self, body: JsonDict) -> JsonDict:
        user, _ = self._user(body)
        self._closed_views.add(self._open_view(user, str(body.get("view_id", "")))["id"])
        return {}

    async def _alert(self, body: JsonDict) -> JsonDict:
        delivery = next((s for s in SOURCE_SAMPLES if s.key == body.get("sample")), None)
        if delivery is not None:
            return await self._delivery(
                delivery.feed, delivery.body(next(self._sent), int(self.clock.now().timestamp()))
            )
        sample = next((s for s in SAMPLES if s.key == body.get("sample")), None)
        if sample is None:
            raise BadRequest("sandbox.error.sample")
        created_at = self.clock.now().isoformat(timespec="seconds")
        raw = json.dumps(sample.alert(next(self._sent), created_at)).encode()
        secret = alert_secrets(self.ctx)[0]
        if self._http is None:
            self._http = aiohttp.ClientSession()
        async with self._http.post(
            self.origin + "/alerts",
            data=raw,
            headers=alert_signature.sign(secret, raw, int(time.time())),
        ) as response:
            return {"status": response.status, "answer": await response.json(content_type=None)}

    async def _delivery(self, feed: str, payload: JsonDict) -> JsonDict:
        """Post a native source's delivery to its route, signed or addressed as it would be.
        Its items are processed from the inbox after the answer."""
        settings = self.ctx.settings
        if feed in STORED:
            async with self.ctx.db.transaction() as session:
                inbox_store.store(session, feed, json.dumps(payload), self.ctx.clock.now())
            return {"status": 200, "answer": {"status": "delivered"}}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if feed == "meta" and settings.meta_app_secret is not None:
            headers[SIGNATURE_HEADER] = meta_signature(
                settings.meta_app_secret.get_secret_value(), raw
            )
            path = "/sources/meta"
        elif feed == "generic" and settings.generic_webhook_token is not None:
            path = f"/sources/generic/{settings.generic_webhook_token.get_secret_value()}"
        elif feed == "trustpilot" and settings.trustpilot_webhook_token is not None:
            path = f"/sources/trustpilot/{settings.trustpilot_webhook_token.get_secret_value()}"
        else:
            raise BadRequest("sandbox.error.sample")
        if self._http is None:
            self._http = aiohttp.ClientSession()
        async with self._http.post(self.origin + path, data=raw, headers=headers) as response:
            await response.read()
            return {"status": response.status, "answer": {"status": "delivered"}}

    async def _team(self, body: JsonDict) -> JsonDict:
        """Put the sample team on the roster, with the same commands a person would type,
        one after the other (the first lead may then add the others)."""
        lead = TEAM[0][0]
        for user, name, _, level in TEAM:
            key = f"team-{user}-{next(self._sent)}"
            await self._to_slack_events(
                slack_requests.slash_command(
                    self.signing_secret,
                    text=f"roster add <@{user}|{name}> {level}",
                    user_id=lead,
                    user_name=TEAM[0][1],
                    channel_id=str(self.ctx.settings.crisis_channel),
                    response_url=self.fake.response_url(key),
                )
            )
            await self.fake.wait_for_response(key, timeout=10)
        return {}

    async def _time_travel(self, body: JsonDict) -> JsonDict:
        minutes = body.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise BadRequest("sandbox.error.jump")
        jump = timedelta(minutes=minutes)
        if not timedelta() < jump <= MAX_JUMP:
            raise BadRequest("sandbox.error.jump")
        self.clock.advance(jump)
        # Due reminders fire now, not on the next tick.
        self.wake()
        return {"now": self.clock.now().isoformat()}
