"""PostgreSQL's autovacuum analyses a table once enough of it has changed: by default it looks
every minute and analyses a table when 50 rows plus 10 % of it changed since the last time.
Without those statistics the planner guesses every equality on `platform`, `status` or
`lane` (one or two values each) at half a percent, takes any outbox index with those columns
for a one-row lookup, and reads every waiting row instead. A production server analyses its
tables; the one on this machine runs with autovacuum off, so where it is off the bench does
autovacuum's analyses itself, on autovacuum's default schedule, and says so in its notes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bench.server import PG_URL
from models.session import async_url

# autovacuum_naptime, autovacuum_analyze_threshold and autovacuum_analyze_scale_factor.
NAPTIME = 60.0
THRESHOLD = 50
SCALE_FACTOR = 0.1

_DUE = text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
    " WHERE s.n_mod_since_analyze > :threshold + :scale * greatest(c.reltuples, 0)"
)


class StandIn:
    def __init__(self) -> None:
        self.analysed = 0
        """Tables analysed (0 where the server's own autovacuum is on)."""
        self.needed = False


@contextlib.asynccontextmanager
async def stand_in(pg_url: str = PG_URL, naptime: float = NAPTIME) -> AsyncIterator[StandIn]:
    """Analyses the database's tables as autovacuum would, while the block runs, if the
    server's autovacuum is off."""
    engine = create_async_engine(async_url(pg_url), isolation_level="AUTOCOMMIT")
    state = StandIn()
    try:
        async with engine.connect() as connection:
            state.needed = await connection.scalar(text("SHOW autovacuum")) == "off"
        if not state.needed:
            yield state
            return

        async def launcher() -> None:
            while True:
                await asyncio.sleep(naptime)
                async with engine.connect() as connection:
                    due = await connection.scalars(
                        _DUE, {"threshold": THRESHOLD, "scale": SCALE_FACTOR}
                    )
                    for table in due.all():
                        # A benchmark may drop the schema meanwhile: that table is gone.
                        with contextlib.suppress(DBAPIError):
                            await connection.execute(text(f'ANALYZE "{table}"'))
                            state.analysed += 1

        task = asyncio.create_task(launcher())
        try:
            yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await engine.dispose()
