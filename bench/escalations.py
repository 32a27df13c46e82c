"""Escalations fired per second, in-process: unacknowledged crises whose escalation reminders
are all due, swept by the reminder sweep as the server runs it, on a roster of seniors and
leads. Every rung of the ladder is there: unowned crises get an owner, owned ones the next
senior, those every senior had go to the leads, and those the leads were called for go to
the whole channel.

    python -m bench.escalations [--database sqlite|postgresql] [--count N] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.server import PG_URL, fresh_database
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.log import configure
from bot.migrations import upgrade_to_head
from bot.reminder_sweep import ReminderSweeper
from bot.reminders import row as reminder_row
from bot.settings import Settings
from models import (
    Crisis,
    Reminder,
    ReminderKind,
    RosterMember,
    TimelineEvent,
)
from models.session import Database

COUNT = 2000
SENIORS = 6
LEADS = 2
_CHUNK = 5000


@dataclass(frozen=True)
class EscalationResult:
    due: int
    fired: int
    seconds: float
    # Escalations by the rung they reached: owner_assigned, escalated_to_leads, ...
    rungs: dict[str, int]

    @property
    def rate(self) -> float:
        return self.fired / self.seconds if self.seconds else float("nan")


async def seed(db: Database, count: int, now: datetime) -> None:
    """The roster, and `count` open crises with their escalation due at `now`: a fifth
    unowned, the rest owned by a senior; every seventh has been through every senior, and
    every eleventh of those had the leads called as well."""
    async with db.transaction() as session:
        members = [
            RosterMember(display_name=f"Senior {k}", level="senior", active=True, added_at=now)
            for k in range(SENIORS)
        ] + [
            RosterMember(display_name=f"Lead {k}", level="lead", active=True, added_at=now)
            for k in range(LEADS)
        ]
        session.add_all(members)
        await session.flush()
        seniors = [m.id for m in members[:SENIORS]]
        start = (await session.scalar(select(func.max(Crisis.id))) or 0) + 1
    opened = now - timedelta(minutes=15)
    for offset in range(0, count, _CHUNK):
        crises: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        reminders: list[dict[str, Any]] = []
        for n in range(offset, min(offset + _CHUNK, count)):
            crisis_id = start + n
            had = seniors if n % 7 == 0 else [] if n % 5 == 0 else [seniors[n % SENIORS]]
            crises.append(
                {
                    "id": crisis_id,
                    "status": "open",
                    "post_key": f"facebook:esc-{crisis_id}",
                    "source": "facebook",
                    "post_url": f"https://www.facebook.com/bench/posts/esc-{crisis_id}",
                    "text": "Seeded for the escalation benchmark.",
                    "category": "delivery_delay",
                    "severity": "medium",
                    "owner_id": had[-1] if had else None,
                    "owner_assigned_at": opened if had else None,
                    "reported_by": "bench",
                    "opened_at": opened,
                }
            )
            events += [
                {
                    "crisis_id": crisis_id,
                    "kind": "owner_assigned",
                    "actor": "bot:crisisbot",
                    "at": opened,
                    "detail": {"member": member, "reason": "escalated"},
                }
                for member in had
            ]
            if n % 77 == 0:
                events.append(
                    {
                        "crisis_id": crisis_id,
                        "kind": "escalated_to_leads",
                        "actor": "bot:crisisbot",
                        "at": opened,
                        "detail": {},
                    }
                )
            reminders.append(reminder_row(crisis_id, ReminderKind.escalation, now, opened))
        async with db.transaction() as session:
            await session.execute(insert(Crisis), crises)
            if events:
                await session.execute(insert(TimelineEvent), events)
            await session.execute(insert(Reminder), reminders)


async def run(url: str, count: int = COUNT) -> EscalationResult:
    """Seed, then time one sweep of everything due (the database was migrated)."""
    # As the benchmarked server runs (LOG_LEVEL=warning): a line per escalation is not the
    # sweep's cost.
    configure("warning")
    db = Database(url)
    try:
        now = datetime.now(UTC)
        await seed(db, count, now)
        ctx = CoreContext(
            db=db,
            settings=Settings(_env_file=None, database_url=url, language="en", sandbox=False),  # type: ignore[call-arg]
            clock=FixedClock(now + timedelta(seconds=1)),
            platforms=("slack",),
        )
        started = time.perf_counter()
        fired = await ReminderSweeper(ctx).sweep()
        seconds = time.perf_counter() - started
        async with db.sessions() as session:
            rows = await session.execute(
                select(TimelineEvent.kind, func.count())
                .where(
                    TimelineEvent.at == ctx.clock.now(),
                    TimelineEvent.kind.in_(
                        ("owner_assigned", "escalated_to_leads", "escalated_to_channel")
                    ),
                )
                .group_by(TimelineEvent.kind)
            )
            rungs = {str(kind): int(n) for kind, n in rows.all()}
    finally:
        await db.dispose()
    return EscalationResult(count, fired, seconds, rungs)


async def _main(backend: str, count: int, pg_url: str) -> EscalationResult:
    with tempfile.TemporaryDirectory(prefix="crisisbot-escalations-") as workdir:
        url = await fresh_database(backend, Path(workdir), "escalations", pg_url)
        database = Database(url)
        try:
            await upgrade_to_head(database)
        finally:
            await database.dispose()
        return await run(url, count)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.escalations",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--pg-url", default=PG_URL, help="its public schema is reset")
    args = parser.parse_args()
    result = asyncio.run(_main(args.database, args.count, args.pg_url))
    print(
        f"{args.database}: {result.fired:,} of {result.due:,} escalations fired in "
        f"{result.seconds:.2f} s: {result.rate:,.0f}/s; {result.rungs}"
    )


if __name__ == "__main__":
    main()
