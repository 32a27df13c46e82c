"""Teams authentication: botbuilder's own Bot Framework JWT validation against OpenID
metadata and a signing key served here, on 127.0.0.1.

The metadata server runs on the test's event loop, the bot's loop too: if botbuilder's
blocking `requests` call ran on that loop, the metadata could never be served and the valid
token would hang instead of passing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
import pytest
from aiohttp import web
from botbuilder.schema import Activity
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from handlers.teams.auth import TeamsAuth, Unauthorized
from models import RosterMember
from tests.conftest import make_settings
from tests.helpers import count
from tests.teams_e2e import BOSS, TeamsBot, running_teams_bot

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"
KID = "test-signing-key"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
FORGER_KEY = _key()


@asynccontextmanager
async def openid_server() -> AsyncIterator[str]:
    """OpenID metadata and its JWKS, as login.botframework.com serves them."""
    jwk = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    jwk.update({"kid": KID, "use": "sig", "endorsements": ["msteams"]})
    app = web.Application()
    base: dict[str, str] = {}

    async def metadata(request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": base["url"] + "/keys"})

    async def keys(request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield base["url"] + "/openidconfiguration"
    finally:
        await runner.cleanup()


def token(service_url: str, *, key: Any = SIGNING_KEY, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "nbf": now - 10,
        "iat": now - 10,
        "exp": now + 600,
        "serviceurl": service_url,
        **claims,
    }
    return "Bearer " + jwt.encode(body, key, algorithm="RS256", headers={"kid": KID})


@asynccontextmanager
async def authenticated_bot(database_url: str, metadata_url: str) -> AsyncIterator[TeamsBot]:
    async with running_teams_bot(
        database_url,
        teams_app_id=APP_ID,
        teams_app_password="app-password",
        teams_openid_metadata_url=metadata_url,
    ) as teams:
        # Outgoing calls need a token from Entra ID; the fake connector takes this one.
        async def connector_token() -> str:
            return "token-for-the-connector"

        teams.bot.teams_connector.token_source = connector_token
        yield teams


async def _roster_add(teams: TeamsBot, authorization: str | None) -> int:
    activity = teams.said("roster add @Bob lead", BOSS, (BOSS,))
    headers = {"Authorization": authorization} if authorization else {}
    return await teams.post(activity, **headers)


async def test_a_valid_token_is_accepted(database_url: str) -> None:
    async with (
        openid_server() as metadata_url,
        authenticated_bot(database_url, metadata_url) as teams,
    ):
        assert await _roster_add(teams, token(teams.fake.service_url)) == 200
        assert await count(teams.bot.db, RosterMember) == 1
        [reply] = teams.fake.calls_to("reply")
        assert reply.body["text"] == "<at>Bob Boss</at> is on the roster as lead."
        assert reply.authorization == "Bearer token-for-the-connector"


@pytest.mark.parametrize(
    "bad",
    ["missing", "forged", "expired", "wrong audience", "wrong issuer", "other service url"],
)
async def test_a_bad_token_is_refused_and_nothing_is_written(database_url: str, bad: str) -> None:
    async with (
        openid_server() as metadata_url,
        authenticated_bot(database_url, metadata_url) as teams,
    ):
        url = teams.fake.service_url
        header = {
            "missing": None,
            "forged": token(url, key=FORGER_KEY),
            # Past botbuilder's five minutes of clock skew.
            "expired": token(url, exp=int(time.time()) - 600, nbf=int(time.time()) - 1200),
            "wrong audience": token(url, aud="someone-elses-bot"),
            "wrong issuer": token(url, iss="https://evil.example.com"),
            "other service url": token("https://evil.example.com/"),
        }[bad]
        assert await _roster_add(teams, header) == 401
        assert await count(teams.bot.db, RosterMember) == 0
        assert teams.fake.calls == []


async def test_unreachable_metadata_fails_closed_with_401(database_url: str) -> None:
    async with openid_server() as metadata_url:
        pass  # stopped: nothing answers there any more
    async with authenticated_bot(database_url, metadata_url) as teams:
        assert await _roster_add(teams, token(teams.fake.service_url)) == 401
        assert await count(teams.bot.db, RosterMember) == 0


async def test_without_an_app_id_the_bot_warns_and_takes_local_requests_only(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_teams_bot(database_url) as teams:
        assert "Teams runs WITHOUT authentication" in capsys.readouterr().out
        assert await _roster_add(teams, None) == 200
    auth = TeamsAuth(make_settings(teams_enabled=True))
    with pytest.raises(Unauthorized):
        await auth.check(Activity(), None, "203.0.113.7")


async def test_teams_is_off_unless_configured(database_url: str) -> None:
    async with running_teams_bot(database_url, teams_enabled=None) as teams:
        assert await _roster_add(teams, None) == 503
        assert await count(teams.bot.db, RosterMember) == 0
        assert teams.bot.ctx.platforms == ()
    # An app id alone turns it on, with authentication.
    assert make_settings(teams_app_id=APP_ID).teams_on
    assert TeamsAuth(make_settings(teams_app_id=APP_ID)).enabled


async def test_a_hanging_metadata_fetch_neither_blocks_the_server_nor_lets_through(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers.teams import auth

    monkeypatch.setattr(auth, "VALIDATION_TIMEOUT", 1.0)

    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/openidconfiguration", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    metadata_url = f"http://127.0.0.1:{runner.addresses[0][1]}/openidconfiguration"
    try:
        async with authenticated_bot(database_url, metadata_url) as teams:
            pending = asyncio.create_task(_roster_add(teams, token(teams.fake.service_url)))
            await asyncio.sleep(0.2)
            # While botbuilder waits for the keys, the server answers everything else.
            async with asyncio.timeout(0.5):
                async with teams.http.get(teams.url + "/healthz") as health:
                    assert health.status == 200
            assert not pending.done()
            assert await pending == 401
            assert await count(teams.bot.db, RosterMember) == 0
    finally:
        await runner.cleanup()
