"""Assembly: one aiohttp server with every route, the delivery workers and the scheduler."""

from __future__ import annotations

import asyncio
import errno
import gc
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp
import structlog
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from bot.clock import Clock, ShiftedClock, SystemClock
from bot.context import CoreContext
from bot.delivery import DeliveryWorker
from bot.digest import DigestSchedule
from bot.inbox import Inbox
from bot.migrations import upgrade_to_head
from bot.reminder_sweep import ReminderSweeper
from bot.settings import Settings
from bot.wakeable import WakeableLoop
from handlers import alerts, charts, confirm_page, export, ops
from handlers.sources import exports
from handlers.sources import fetched as fetched_sources
from handlers.sources import routes as source_routes

# Re-exported for the command line, which reaches the edges only through this assembly.
from handlers.sources.exports import ExportUnreadable as ExportUnreadable
from handlers.sources.exports import ImportReport
from handlers.sources.fetched import FetchedSources
from models.session import Database

log = structlog.get_logger(__name__)


class CrisisBot:
    """The running bot: build with settings, `start()`, `stop()`."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        # Decided once: in sandbox mode the bot then gives itself (fake) Slack credentials.
        self.sandbox_mode = settings.sandbox_enabled
        clock = clock or (ShiftedClock() if self.sandbox_mode else SystemClock())
        self.database_url = (
            settings.sandbox_database_url if self.sandbox_mode else settings.database_url
        )
        self.db = Database(self.database_url)
        self.ctx = CoreContext(db=self.db, settings=settings, clock=clock)
        self.workers: list[DeliveryWorker] = []
        self.sweeper = ReminderSweeper(self.ctx)
        # Native sources' deliveries; pollers register their feeds on it too.
        self.inbox = Inbox(self.ctx)
        source_routes.register_feeds(self.inbox)
        self.digest = DigestSchedule(self.ctx)
        fetched_sources.register_feeds(self.inbox)
        self.fetched = FetchedSources(self.ctx, self.inbox)
        self.scheduler = AsyncIOScheduler()
        self.web = web.Application(client_max_size=1024 * 1024, middlewares=[_no_traceback])
        self._runner: web.AppRunner | None = None
        self._socket_mode: Any = None
        self._bolt: Any = None
        self._slack_http: aiohttp.ClientSession | None = None
        self._listener: socket.socket | None = None
        self.sandbox: Any = None
        self.teams_connector: Any = None
        self._teams_auth: Any = None

    async def start(self) -> None:
        if self.sandbox_mode:
            _delete_sqlite_file(self.database_url)
        await upgrade_to_head(self.db)
        if self.sandbox_mode:
            self._setup_sandbox()
        self._setup_slack()
        self._setup_teams()
        self.ctx.on_outbox = self._wake_workers
        self.web.router.add_post("/alerts", alerts.make_handler(self.ctx))
        source_routes.add_routes(self.web.router, self.ctx, self.inbox)
        self.fetched.add_routes(self.web.router)
        self.web.router.add_get(
            "/healthz",
            ops.make_health(
                self.ctx,
                slack_enabled=self._bolt is not None,
                teams_enabled=self.teams_connector is not None,
            ),
        )
        self.web.router.add_get("/metrics", ops.metrics)
        confirm_page.register(self.web.router, self.ctx)
        export.register(self.web.router, self.ctx)
        charts.register(self.web.router, self.ctx)
        for loop in self.loops:
            loop.start()
        # APScheduler is the clock: each tick wakes the reminder sweep and the delivery
        # workers, which do the work in their own tasks (stopped cleanly, never mid-commit).
        self.scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.settings.sweep_interval.total_seconds(),
            id="sweep-tick",
            max_instances=1,
            coalesce=True,
        )
        self.fetched.schedule(self.scheduler)
        self.scheduler.start()
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        if self._listener is not None:
            await web.SockSite(self._runner, self._listener).start()
        else:
            await web.TCPSite(self._runner, self.settings.host, self.settings.port).start()
        if self._socket_mode is not None:
            await self._socket_mode.connect_async()
        log.info(
            "crisisbot serving",
            host=self.settings.host,
            port=self.port,
            database=self.db.engine.dialect.name,
            slack="socket mode" if self._socket_mode else ("http" if self._bolt else "off"),
            teams=self._teams_mode,
        )

    @property
    def _teams_mode(self) -> str:
        if self.teams_connector is None:
            return "off"
        return "authenticated" if self.settings.teams_app_id else "local, unauthenticated"

    @property
    def port(self) -> int:
        if self._runner is None or not self._runner.addresses:
            return self.settings.port
        return int(self._runner.addresses[0][1])

    @property
    def loops(self) -> list[WakeableLoop]:
        return [self.sweeper, self.inbox, self.digest, *self.fetched.loops, *self.workers]

    def _tick(self) -> None:
        for loop in self.loops:
            loop.wake()

    def _wake_workers(self) -> None:
        for worker in self.workers:
            worker.wake()

    def _setup_sandbox(self) -> None:
        from handlers.sandbox.server import Sandbox

        if "host" not in self.settings.model_fields_set:
            # Anyone who reaches the sandbox can act as anyone: unless HOST says otherwise,
            # it listens on this machine only.
            self.settings.host = "127.0.0.1"
        # The bot's Slack client is built with the fake Web API's URL on this very server,
        # so the port (0: any free one) is bound before anything else.
        self._listener = socket.create_server((self.settings.host, self.settings.port))
        port = int(self._listener.getsockname()[1])
        self.sandbox = Sandbox(self.ctx, port, wake=self._tick)
        self.sandbox.mount(self.web)
        log.warning(
            "SANDBOX MODE: a fake Slack workspace, not Slack. Anyone who reaches this port "
            "can act as any roster member: keep it on your machine (SANDBOX=off to disable). "
            "It starts on a fresh database at every start (SANDBOX_DATABASE_URL); DATABASE_URL "
            "is not used",
            url=f"http://localhost:{port}/sandbox",
            database=make_url(self.database_url).render_as_string(hide_password=True),
        )

    def _setup_slack(self) -> None:
        settings = self.settings
        if not settings.slack_enabled:
            log.warning(
                "Slack delivery is OFF: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or "
                "SLACK_APP_TOKEN for Socket Mode). Alerts are still accepted and stored."
            )
            self.web.router.add_post("/slack/events", _slack_off)
            return
        from handlers.slack import PLATFORM
        from handlers.slack.app import build_app, http_session, web_client
        from handlers.slack.delivery import SlackDeliverer
        from handlers.slack.http import make_events_handler

        if not settings.crisis_channel:
            log.warning("CRISIS_CHANNEL is not set: crisis messages wait until it is")
        self.ctx.platforms = (*self.ctx.platforms, PLATFORM)
        # One connection pool for every Web API call (listeners and delivery alike).
        self._slack_http = http_session()
        self._bolt = build_app(self.ctx, self._slack_http)
        self.workers.append(
            DeliveryWorker(
                self.ctx,
                SlackDeliverer(
                    self.ctx,
                    web_client(self.ctx, retry_rate_limits=False, session=self._slack_http),
                ),
            )
        )
        if settings.slack_app_token is None:
            self.web.router.add_post("/slack/events", make_events_handler(self._bolt))
            return
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        # Socket Mode requests are not signed, so Bolt's signature check is off: the HTTP
        # route must not exist then, or anyone reaching the port could act as any user.
        self.web.router.add_post("/slack/events", _slack_socket_mode)
        self._socket_mode = AsyncSocketModeHandler(
            self._bolt, settings.slack_app_token.get_secret_value()
        )

    def _setup_teams(self) -> None:
        settings = self.settings
        if not settings.teams_on:
            log.warning(
                "Teams is OFF: set TEAMS_APP_ID and TEAMS_APP_PASSWORD (or TEAMS_ENABLED=true "
                "for a local emulator, without authentication)"
            )
            self.web.router.add_post("/api/messages", _teams_off)
            return
        from handlers.teams import PLATFORM
        from handlers.teams.activities import TeamsActivities
        from handlers.teams.auth import TeamsAuth
        from handlers.teams.connector import Connector, app_token_source
        from handlers.teams.delivery import TeamsDeliverer
        from handlers.teams.http import make_messages_handler

        if not settings.teams_app_id:
            log.warning(
                "Teams runs WITHOUT authentication (TEAMS_APP_ID is empty): /api/messages "
                "takes activities from this machine only, for a local emulator. Set "
                "TEAMS_APP_ID and TEAMS_APP_PASSWORD for a real Teams."
            )
        self.ctx.platforms = (*self.ctx.platforms, PLATFORM)
        self.teams_connector = Connector(app_token_source(settings))
        self.workers.append(
            DeliveryWorker(self.ctx, TeamsDeliverer(self.ctx, self.teams_connector))
        )
        self._teams_auth = TeamsAuth(settings)
        self.web.router.add_post(
            "/api/messages",
            make_messages_handler(
                self._teams_auth, TeamsActivities(self.ctx, self.teams_connector)
            ),
        )

    async def stop(self) -> None:
        """Stop taking requests, let the background rounds finish, then close the database."""
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.gather(*(loop.stop() for loop in self.loops))
        if self.ctx.intake_writer is not None:
            await self.ctx.intake_writer.drained()
        if self.sandbox is not None:
            await self.sandbox.close()
        if self._slack_http is not None:
            await self._slack_http.close()
        if self.teams_connector is not None:
            await self.teams_connector.close()
            self._teams_auth.close()
        await self.db.dispose()


@web.middleware
async def _no_traceback(request: web.Request, handler: Any) -> web.StreamResponse:
    """Whatever goes wrong inside, the caller gets a short JSON answer, never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        # The route's pattern, not the path: a path token (Trustpilot, generic) is a secret.
        resource = request.match_info.route.resource
        log.exception("request failed", route=resource.canonical if resource else request.path)
        return web.json_response({"error": "internal error; nothing was changed"}, status=500)


async def _slack_off(request: web.Request) -> web.Response:
    return web.json_response({"error": "Slack is not configured on this server"}, status=503)


async def _teams_off(request: web.Request) -> web.Response:
    return web.json_response({"error": "Teams is not configured on this server"}, status=503)


async def _slack_socket_mode(request: web.Request) -> web.Response:
    return web.json_response(
        {"error": "Slack uses Socket Mode on this server (SLACK_APP_TOKEN is set)"}, status=404
    )


def _delete_sqlite_file(url: str) -> None:
    """A fresh start for a SQLite file database; any other database is left as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(parsed.database + suffix).unlink(missing_ok=True)


class PortInUse(Exception):
    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} is in use: set PORT")
        self.port = port


async def import_export(settings: Settings, path: Path, source: str, brand: str) -> ImportReport:
    """`crisisbot import`: an export's rows into the inbox of the server's database (the
    running bot processes them). Raises ExportUnreadable when the file cannot be read."""
    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
        ctx = CoreContext(db=database, settings=settings, clock=SystemClock())
        return await exports.import_file(ctx, path, source, brand, fetched_sources.polled_parsers())
    finally:
        await database.dispose()


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM. Raises PortInUse when another process holds the port."""
    bot = CrisisBot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await bot.start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        await bot.stop()
        raise PortInUse(settings.port) from None
    # What exists once the bot is up (modules, mappers, compiled statements) lives as long as
    # the process: out of the collector's sight, a full collection no longer walks it and
    # pauses the event loop (by 100-150 ms each, under a burst of clicks). No collection
    # first: it would pause the reminder sweep's first round by about 90 ms, to free the
    # couple of thousand objects startup leaves behind. `crisisbot serve` starts the bot
    # with the collector off (see bot.cli): it is on from here.
    gc.freeze()
    gc.enable()
    try:
        await stop.wait()
    finally:
        log.info("crisisbot stopping")
        await bot.stop()
