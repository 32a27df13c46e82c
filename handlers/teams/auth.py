"""Who may post activities: botbuilder's own Bot Framework JWT validation, kept off the
event loop and failing closed."""

from __future__ import annotations

import asyncio
import ipaddress
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import structlog
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.settings import Settings

log = structlog.get_logger(__name__)

# botbuilder fetches the OpenID metadata and signing keys with `requests` and no timeout: a
# validation that takes longer than this is treated as a failed one.
VALIDATION_TIMEOUT = 10.0


class Unauthorized(Exception):
    """The activity is refused: no valid token (or, in local mode, not from this machine)."""


def botbuilder_configuration(settings: Settings) -> SimpleNamespace:
    """Settings in the shape botbuilder's ConfigurationBotFrameworkAuthentication reads."""
    values: dict[str, Any] = {
        "APP_ID": settings.teams_app_id or "",
        "APP_PASSWORD": (
            settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
        ),
        "APP_TENANTID": settings.teams_app_tenant_id or "",
        "APP_TYPE": "SingleTenant" if settings.teams_app_tenant_id else "MultiTenant",
    }
    if settings.teams_openid_metadata_url:
        values["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"] = settings.teams_openid_metadata_url
        values["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"] = settings.teams_token_issuer
    return SimpleNamespace(**values)


class TeamsAuth:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.teams_app_id is not None
        self._auth = ConfigurationBotFrameworkAuthentication(botbuilder_configuration(settings))
        # Threads of their own: a metadata fetch that hangs (botbuilder sets no timeout) ties
        # up these, not the threads the rest of the bot runs blocking work on.
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="teams-auth")

    async def check(self, activity: Activity, auth_header: str | None, remote: str | None) -> None:
        """Raise Unauthorized unless the request may act; never anything else."""
        if not self.enabled:
            # Unauthenticated mode is for an emulator on this machine, not for the world.
            if not _is_loopback(remote):
                raise Unauthorized("Teams runs without authentication: local requests only")
            return
        if not auth_header:
            raise Unauthorized("no Authorization header")
        try:
            validation = asyncio.get_running_loop().run_in_executor(
                self._threads, self._validate_blocking, activity, auth_header
            )
            await asyncio.wait_for(validation, VALIDATION_TIMEOUT)
        except Exception as exc:
            # Fail closed: metadata unreachable, a bad signature, an expired token and a
            # wrong audience all mean the same to the caller.
            log.warning("Teams activity refused", reason=f"{exc.__class__.__name__}: {exc}")
            raise Unauthorized(str(exc)) from exc

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _validate_blocking(self, activity: Activity, auth_header: str) -> None:
        # botbuilder's validation calls `requests` (blocking) inside coroutines: it runs to
        # completion on a loop of its own, in a worker thread.
        asyncio.run(self._auth.authenticate_request(activity, auth_header))


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False
