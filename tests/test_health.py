"""Health: not ready while the database is away, ready again by itself, never a 5xx crash.

PostgreSQL only: the test puts a TCP proxy between the bot and the server and cuts it, as a
restarting or unreachable database server would. (An embedded SQLite file has no server to
lose.)"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text

import models.session
from models.pool import FairQueuePool
from models.session import Database
from tests.conftest import PG_URL, reset_postgresql
from tests.e2e import post, running_bot


class CuttableProxy:
    """A TCP proxy to the PostgreSQL server that can be cut and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._pipes |= {writer, up_writer}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in self._pipes:
            pipe.close()
        self._pipes.clear()
        await self._server.wait_closed()

    async def restore(self) -> None:
        await self.start()


async def health(slack: object) -> tuple[int, dict[str, object]]:
    async with slack.http.get(slack.url + "/healthz") as response:  # type: ignore[attr-defined]
        return response.status, await response.json()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: TEST_DATABASE_URL is not set")
async def test_not_ready_while_the_database_is_away_and_back_by_itself() -> None:
    assert PG_URL
    await reset_postgresql(PG_URL)
    target = urlsplit(PG_URL)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    url = PG_URL.replace(f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}")
    try:
        async with running_bot(url) as slack:
            assert await health(slack) == (
                200,
                {"status": "ok", "ready": True, "database": "ok", "slack": "on", "teams": "off"},
            )
            assert (await slack.post_alert(post()))[0] == 202
            await proxy.cut()
            status, body = await health(slack)
            assert status == 200 and body["ready"] is False
            assert str(body["database"]).startswith("unreachable")
            # Alerts are refused with a clear, retryable answer, not a crash.
            status, answer = await slack.post_alert(post(id="2", url="https://x.com/s/2"))
            assert status == 503 and "retry" in str(answer["error"])
            await proxy.restore()
            for _ in range(50):
                status, body = await health(slack)
                if body["ready"]:
                    break
                await asyncio.sleep(0.1)
            assert body["ready"] is True
            status, answer = await slack.post_alert(post(id="2", url="https://x.com/s/2"))
            assert status == 202 and answer["crisis"] == 2
    finally:
        with contextlib.suppress(Exception):
            await proxy.cut()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: TEST_DATABASE_URL is not set")
async def test_an_idle_connection_to_a_restarted_server_is_replaced_before_it_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert PG_URL
    target = urlsplit(PG_URL)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    url = PG_URL.replace(f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}")
    database = Database(url)
    try:
        async with database.sessions() as session:
            assert await session.scalar(text("SELECT 1")) == 1
        # The server restarts while the pool holds that connection.
        await proxy.cut()
        await proxy.restore()
        # Idle longer than PING_AFTER_IDLE: asked first, found dead and replaced.
        monkeypatch.setattr(models.session, "PING_AFTER_IDLE", 0.0)
        async with database.sessions() as session:
            assert await session.scalar(text("SELECT 2")) == 2
    finally:
        await database.dispose()
        with contextlib.suppress(Exception):
            await proxy.cut()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: TEST_DATABASE_URL is not set")
async def test_a_postgresql_url_as_hosting_services_write_it_connects() -> None:
    assert PG_URL
    # Heroku's scheme and libpq's sslmode, as managed services hand them out (prefer: TLS
    # when the server offers it, as libpq's default; the test server does not).
    written = urlunsplit(urlsplit(PG_URL)._replace(scheme="postgres", query="sslmode=prefer"))
    database = Database(written)
    # PostgreSQL's pool serves its waiters in turn too (tests/test_pool.py).
    assert isinstance(database.engine.pool, FairQueuePool)
    try:
        async with database.sessions() as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()
