"""The schema: migrations match the models, and replicas can migrate at the same time."""

from __future__ import annotations

import asyncio
import os
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.migrations import HEAD, alembic_config, at_head, upgrade_to_head
from models import Base
from models.session import Database


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_do_not_drift(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_drift) == []

    # Alembic's own `check`, as a developer would run it.
    def check(connection: Connection) -> None:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.check(config)

    async with database.engine.connect() as connection:
        await connection.run_sync(check)


def test_head_is_the_newest_migration() -> None:
    # A new migration moves bot.migrations.HEAD too, or `crisisbot serve` would skip it.
    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [HEAD]


async def test_a_database_behind_head_is_migrated(database: Database) -> None:
    assert await at_head(database)
    async with database.engine.begin() as connection:
        # As the database was before the newest migration (0016).
        await connection.execute(
            text("UPDATE alembic_version SET version_num = '0015_outbox_due_rows'")
        )
        for index in ("ix_outbox_due_at", "ix_outbox_kind_due_at"):
            await connection.execute(text(f"DROP INDEX {index}"))
        await connection.execute(
            text("CREATE INDEX ix_outbox_due ON outbox (platform, status, lane, id)")
        )
        await connection.execute(
            text("CREATE INDEX ix_outbox_kind ON outbox (platform, kind, lane, status, id)")
        )
    assert not await at_head(database)
    await upgrade_to_head(database)
    assert await at_head(database)
    async with database.engine.connect() as connection:
        indexes = await connection.run_sync(
            lambda c: {index["name"] for index in inspect(c).get_indexes("outbox")}
        )
    assert {"ix_outbox_due_at", "ix_outbox_kind_due_at", "ix_outbox_crisis"} <= indexes
    assert not {"ix_outbox_due", "ix_outbox_kind"} & indexes


async def test_two_replicas_migrating_at_once_both_succeed(database_url: str) -> None:
    # Two processes, as two replicas starting together would be.
    env = {**os.environ, "DATABASE_URL": database_url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "db",
            "upgrade",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    replicas = [Database(database_url), Database(database_url)]
    try:
        async with replicas[0].engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
        assert {"crises", "alerts", "roster_members", "outbox", "timeline_events"} <= tables
        assert len(version) == 1
        # Running again is a no-op.
        await upgrade_to_head(replicas[1])
    finally:
        for db in replicas:
            await db.dispose()
