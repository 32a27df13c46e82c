"""The database: async engine and sessions from a `DATABASE_URL` as users write it."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    SQLColumnExpression,
    Table,
    and_,
    bindparam,
    event,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_only

from models.pool import FairQueuePool
from models.sqlite_driver import OneTripDBAPI

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


# libpq's `sslmode`, in the URLs managed PostgreSQL services hand out (`?sslmode=require`),
# is asyncpg's `ssl`, which takes the same modes.
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# What a PostgreSQL URL may carry besides: a socket directory or another port, and the
# statement cache size (0 behind PgBouncer in transaction mode).
_PG_QUERY = frozenset({"ssl", "host", "port", "prepared_statement_cache_size"})


def async_url(database_url: str) -> URL:
    """`sqlite:///x.db` and `postgresql://u@h/db` (or Heroku's `postgres://`, with any
    driver named: the app picks its own) with the async driver the app uses. A URL it could
    not use raises ValueError saying why, without the URL, which may hold a password."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ValueError("must be sqlite:///… or postgresql://…") from None
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"must be sqlite:///… or postgresql://…, not {backend}")
    url = url.set(drivername=_ASYNC_DRIVERS[backend])
    return _asyncpg_query(url) if backend == "postgresql" else url


def _asyncpg_query(url: URL) -> URL:
    query: dict[str, str] = {}
    for name, value in url.query.items():
        if not isinstance(value, str):
            raise ValueError(f"names {name} more than once")
        query[name] = value
    mode = query.pop("sslmode", None)
    if mode is not None and query.setdefault("ssl", mode) != mode:
        raise ValueError("has an sslmode and an ssl that disagree")
    if query.get("ssl", "disable") not in _SSL_MODES:
        raise ValueError(f"has an sslmode other than {', '.join(_SSL_MODES)}")
    unknown = sorted(set(query) - _PG_QUERY)
    if unknown:
        raise ValueError(
            f"has {', '.join(unknown)}, which the bot cannot pass on to PostgreSQL; it takes "
            "sslmode, host, port and prepared_statement_cache_size"
        )
    return url.set(query=query)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        # SQLite has one write lock and every transaction here takes it (BEGIN IMMEDIATE):
        # one connection per process makes the process's transactions queue for it in
        # arrival order, instead of each polling the lock (every 100 ms or so, the busy
        # handler's sleeps) while another holds it.
        options: dict[str, Any] = {
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 30,
            "poolclass": FairQueuePool,
        }
        if url.database in (None, "", ":memory:"):
            # An in-memory database is one connection already (SQLAlchemy's StaticPool).
            options = {}
        engine = create_async_engine(
            url,
            module=OneTripDBAPI(),
            connect_args={"timeout": 30},
            # The pool's own rollback on return is left to _reset_if_open: a session has
            # rolled back or committed already, and a second rollback is another trip.
            pool_reset_on_return=None,
            **{**options, **kwargs},
        )
        _make_sqlite_transactions_immediate(engine)
        return engine
    if url.drivername == _ASYNC_DRIVERS["postgresql"]:
        # asyncpg keeps its statements prepared, and PostgreSQL then plans one once for any
        # parameters (after five runs). Planned while a table was small (a new install's
        # first storm), a sequential scan stays the plan as the table grows, until the next
        # ANALYZE: planned for each run, a lookup stays an index lookup.
        kwargs.setdefault(
            "connect_args", {"server_settings": {"plan_cache_mode": "force_custom_plan"}}
        )
        kwargs.setdefault("poolclass", FairQueuePool)
    engine = create_async_engine(url, **kwargs)
    if url.drivername == _ASYNC_DRIVERS["postgresql"]:
        # Rows inserted without RETURNING (an intake batch's timeline rows and group keys)
        # go as one multi-row INSERT, as SQLAlchemy already sends those with RETURNING;
        # asyncpg's executemany has PostgreSQL execute the statement once per row.
        engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    _ping_idle_connections(engine)
    return engine


# A connection the pool had back for longer than this is asked whether the server still
# answers before it is used again.
PING_AFTER_IDLE = 1.0
_IDLE_SINCE = "crisisbot_idle_since"


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """The pool's pre-ping asks the server at every checkout: a round trip per session, in
    every intake batch and every Slack request (about 120 us of CPU each). A connection that
    was in use a moment ago needs none; one idle longer is pinged, and a dead one replaced,
    so a restarted server costs no request. A server that restarts within the second after
    a connection's last use fails that connection's next request once (the pool then
    replaces every connection older than the failure)."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(str(error)) from error


_BEGIN = "BEGIN IMMEDIATE"


def _make_sqlite_transactions_immediate(engine: AsyncEngine) -> None:
    # pysqlite starts transactions lazily and as readers; two writers that both read first
    # then deadlock with "database is locked". BEGIN IMMEDIATE takes the write lock up front,
    # so writers queue on the busy timeout instead (the recipe from SQLAlchemy's docs).
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to aiosqlite: one trip to its thread (the cursor ends there too), where a
        # statement through SQLAlchemy costs its bookkeeping besides; every session pays
        # this, reads included.
        try:
            await_only(connection.connection.driver_connection.execute_fetchall(_BEGIN))
        except sqlite3.Error as error:
            # As SQLAlchemy would raise it ("database is locked" is an OperationalError).
            raise DBAPIError.instance(
                _BEGIN, None, error, sqlite3.Error, dialect=connection.dialect
            ) from error

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _reset_if_open(dbapi_connection: Any, record: Any, state: PoolResetState) -> None:
        # A connection must never go back to the pool inside a transaction: it would keep
        # SQLite's write lock. SQLAlchemy cannot roll back outside the event loop's greenlet
        # (it discards such a connection instead), and neither can this.
        if state.asyncio_safe and record.driver_connection.in_transaction:
            dbapi_connection.rollback()


def _switch_to_wal(cursor: Any) -> None:
    """SQLite answers the switch to WAL "database is locked" at once, without waiting on the
    busy timeout, while another process (a replica starting at the same moment) switches the
    same new file: try again for a while."""
    deadline = time.monotonic() + 30
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Database:
    """The engine and a session factory; one per process."""

    def __init__(self, database_url: str, **engine_kwargs: Any) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def insert_ids(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement; their new ids, in the order of `rows`."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite gives each new row the rowid one above the largest in the table, and inserts
        # a statement's rows in order: sorted, the ids are in the order of the rows. SQLAlchemy
        # cannot know that, and keeps RETURNING in order by inserting one row per statement.
        returned = await session.execute(insert(table).returning(table.c.id), rows)
        return sorted(returned.scalars())
    returned = await session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return list(returned.scalars())


def among_pairs(
    session: AsyncSession,
    first: SQLColumnExpression[Any],
    second: SQLColumnExpression[Any],
    pairs: Collection[tuple[Any, Any]],
) -> ColumnElement[bool]:
    """Rows whose (first, second) may be one of `pairs`, in a form each database looks up in
    its index on the two columns whatever it knows of the table.

    SQLite reads `(first, second) IN (...)` of more than one pair by scanning the whole index:
    there each column is among the values it takes in them, which also holds for other
    combinations of those values (the caller leaves them out). PostgreSQL, in a table not
    analysed yet (autovacuum comes by a minute or more after a new install's first storm
    began), looks that form up by the first column alone and filters the second, reading
    every alert from the same source for each batch; pairs it reads from `unnest` it looks up
    whole, in one statement for any number of pairs."""
    if session.get_bind().dialect.name == "postgresql":
        types = [cast(ColumnElement[Any], column).type for column in (first, second)]
        wanted = (
            func.unnest(
                bindparam("first", [a for a, _ in pairs], type_=ARRAY(types[0]), unique=True),
                bindparam("second", [b for _, b in pairs], type_=ARRAY(types[1]), unique=True),
            )
            .table_valued("first", "second")
            .render_derived()
        )
        return tuple_(first, second).in_(select(wanted.c.first, wanted.c.second))
    return and_(first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs}))
