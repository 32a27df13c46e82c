"""Schema migrations: `crisisbot db upgrade` and the upgrade `crisisbot serve` runs first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from models.session import Database

if TYPE_CHECKING:
    from alembic.config import Config

_ROOT = Path(__file__).resolve().parent.parent
# Any constant works; it only has to be the same in every replica.
_MIGRATION_LOCK_ID = 0x6372_6973_6973
# The newest revision in alembic/versions (tests/test_migrations.py checks that it is
# Alembic's head): a database already there starts without loading Alembic at all.
HEAD = "0016_outbox_due_at"


# Alembic keeps the running migration in module globals, so two migrations in one process
# would trample each other; replicas are separate processes and use the database's locks.
_IN_PROCESS = asyncio.Lock()


def alembic_config(database_url: str) -> Config:
    # Alembic takes about 50 ms to import, and only a database behind `HEAD` needs it.
    from alembic.config import Config

    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, config: Config) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def at_head(database: Database) -> bool:
    """Whether the database is at `HEAD` already (False for one without the version table)."""
    async with database.engine.connect() as connection:
        try:
            versions = await connection.scalars(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:
            # A fresh database: no version table yet.
            return False
        return list(versions) == [HEAD]


async def upgrade_to_head(database: Database) -> None:
    """Migrate to the newest revision; safe when several replicas start at once.

    On PostgreSQL an advisory lock makes the replicas take turns (the later ones find nothing
    left to do); SQLite's BEGIN IMMEDIATE does the same for processes sharing one file. A
    database at `HEAD` already is only read: no replica can take it past the head meanwhile.
    """
    if await at_head(database):
        return
    config = alembic_config(database.url)
    async with _IN_PROCESS, database.engine.connect() as connection:
        if database.is_postgresql:
            await connection.execute(
                text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
            )
        try:
            await connection.run_sync(_upgrade, config)
            await connection.commit()
        finally:
            if database.is_postgresql:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
                await connection.commit()
