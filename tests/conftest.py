"""Shared fixtures: a migrated database on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import FixedClock
from bot.context import CoreContext
from bot.migrations import upgrade_to_head
from bot.settings import Settings
from models.session import Database, async_url

BACKENDS = ["sqlite", "postgresql"]
PG_URL = os.environ.get("TEST_DATABASE_URL")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# structlog's default renderer draws exceptions with rich, locals and all: on a busy machine
# one such traceback takes seconds, longer than the tests wait for an answer. The server
# itself renders them as plain text (bot.log); the tests do the same.
structlog.configure(
    processors=[
        structlog.processors.add_log_level,
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        ),
    ]
)


async def reset_postgresql(url: str) -> None:
    """An empty `public` schema, so every test starts from nothing and migrates itself."""
    engine = create_async_engine(async_url(url))
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crisisbot.db'}"
    if not PG_URL:
        pytest.skip(
            "PostgreSQL: TEST_DATABASE_URL is not set (make test sets it when 5432 answers)"
        )
    await reset_postgresql(PG_URL)
    return PG_URL


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await upgrade_to_head(db)
    yield db
    await db.dispose()


def make_settings(**overrides: object) -> Settings:
    """Settings for tests: never read a developer's .env or environment by accident."""
    # The sandbox is on by default without Slack credentials; tests that want it say so.
    values: dict[str, object] = {
        "database_url": "sqlite:///:memory:",
        "language": "en",
        "sandbox": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ctx(database: Database, clock: FixedClock) -> CoreContext:
    return CoreContext(
        db=database,
        settings=make_settings(database_url=database.url),
        clock=clock,
        platforms=("slack",),
    )
