"""The real server (`crisisbot serve`) as a separate process, on a database of its own."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from models.session import async_url

SIGNING_SECRET = "bench-slack-signing-secret"
ALERT_SECRET = "bench-alert-secret"
TOKEN = "xoxb-bench"
CHANNEL = "C0CRISIS"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test_bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgresql_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
    except OSError:
        return False
    return True


async def fresh_database(backend: str, workdir: Path, name: str, pg_url: str = PG_URL) -> str:
    """An empty database: a new SQLite file, or PostgreSQL's (test_bench unless told) with its
    public schema reset."""
    if backend == "sqlite":
        return _fresh_sqlite(workdir / f"{name}.db")
    await _create_if_missing(pg_url)
    engine = create_async_engine(async_url(pg_url))
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return pg_url


async def _create_if_missing(pg_url: str) -> None:
    """A new server has no test_bench yet: make it, from the server's `postgres` database."""
    url = make_url(async_url(pg_url))
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not found:
                await connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await engine.dispose()


def _fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set size so far (Linux VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A server process answering `/healthz`; stopped with SIGTERM like a deploy would."""

    def __init__(self, command: list[str], port: int, workdir: Path, env: dict[str, str]) -> None:
        self.command = command
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / f"server-{port}.log"
        self.env = {**os.environ, **env}
        # The working directory holds no .env, so a developer's settings cannot leak in.
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None
        self.spawned_at = datetime.now(UTC)
        self._killed = False

    @classmethod
    def crisisbot(cls, database_url: str, slack_api_url: str, workdir: Path, **env: str) -> Server:
        port = free_port()
        settings = {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
            "CRISIS_CHANNEL": CHANNEL,
            "ALERT_WEBHOOK_SECRET": ALERT_SECRET,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "warning",
            **env,
        }
        crisisbot = Path(sys.executable).with_name("crisisbot")
        return cls([str(crisisbot), "serve"], port, workdir, settings)

    @classmethod
    def bare(cls, workdir: Path) -> Server:
        port = free_port()
        command = [sys.executable, "-m", "bench.bare", str(port), ALERT_SECRET]
        return cls(command, port, workdir, {"PYTHONPATH": str(Path(__file__).parent.parent)})

    async def start(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        self.spawned_at = datetime.now(UTC)
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=self.env, cwd=self.workdir, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"the server exited:\n{self.log_tail()}")
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200 and (await response.json())["ready"]:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the server did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def peak_rss_mib(self) -> float:
        return peak_rss_mib(self.pid)

    async def metrics(self) -> dict[str, float]:
        """`/metrics` as {'name{labels}': value}."""
        async with aiohttp.ClientSession() as http, http.get(self.url + "/metrics") as response:
            body = await response.text()
        values: dict[str, float] = {}
        for line in body.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values

    async def kill(self) -> None:
        """SIGKILL, as a crash would: for a server whose figures are in, when a clean stop
        would only wait out a reminder sweep that is behind."""
        if self.process is not None and self.process.returncode is None:
            self._killed = True
            self.process.kill()
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self._killed:
            return
        if self.process.returncode is not None:
            raise RuntimeError(f"the server died during the run:\n{self.log_tail()}")
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

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
