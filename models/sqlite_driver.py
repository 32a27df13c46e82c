"""SQLAlchemy's aiosqlite driver, with one trip to aiosqlite's thread per statement.

aiosqlite runs each call to SQLite in a thread of its own and hands the answer back to the
event loop; SQLAlchemy's adapter makes four such calls for every statement (open a cursor,
execute, fetch the rows, close the cursor). Each trip costs more CPU than a small query itself
(a queue, a thread switch, a wake-up of the loop): `/crisis status` made fourteen. Here the
cursor is opened, executed, read and closed in one function run in that thread.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT


def _execute(
    connection: sqlite3.Connection, operation: Any, parameters: Any
) -> tuple[sqlite3.Cursor, list[Any] | None]:
    """In aiosqlite's thread: the closed cursor (its description, rowcount and lastrowid
    stay readable) and the rows, if the statement returns any."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        return cursor, cursor.fetchall() if cursor.description else None
    finally:
        cursor.close()


def _executemany(
    connection: sqlite3.Connection, operation: Any, seq_of_parameters: Any
) -> sqlite3.Cursor:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        return cursor
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    # Nothing to close in aiosqlite's thread: each statement's cursor is closed there.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            cursor, rows = await connection._execute(
                _execute, connection._conn, operation, parameters
            )
            self._cursor = cursor
            if rows is not None:
                self._rows = collections.deque(rows)
            return cursor

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            self._cursor = await connection._execute(
                _executemany, connection._conn, operation, seq_of_parameters
            )
            return self._cursor


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module to give `create_engine(module=...)` for `sqlite+aiosqlite` URLs."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        return _OneTripConnection(self, super().connect(*arg, **kw)._connection)
