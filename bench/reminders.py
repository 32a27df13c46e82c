"""Benchmark 4: many pending reminders falling due over a few minutes, seeded straight into
the database before the server starts; then a restart with a backlog already overdue.

Lateness is the reminder's `fired_at` (set in the transaction that fires it) minus its
`due_at`: what the bot controls. Delivering the reminders to Slack is paced at about one
message a second per channel, so with every crisis in one channel Slack sees only a
trickle of them during the run; that is Slack's limit, not the sweep's."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench.fake import RateLimitedSlack
from bench.server import CHANNEL, Server
from bot.reminders import row as reminder_row
from models import (
    Crisis,
    MemberIdentity,
    PlatformPost,
    Reminder,
    ReminderKind,
    ReminderStatus,
    RosterMember,
    TimelineEvent,
)
from models.session import Database

_CHUNK = 5000


@dataclass
class ReminderResult:
    reminders: int
    fired: int
    lateness: list[float]
    """Of the fired ones."""
    unfired: list[float]
    """How late each one still pending at the end already was: a lower bound."""
    duplicates: int
    sweeps: int
    sweep_seconds: float
    """Sum of the sweeps' durations (from crisisbot_reminder_sweep_seconds)."""
    drain_seconds: float
    """From the first due time (or the server's start) until the last one fired."""
    peak_rss_mib: float

    def pct(self, q: float) -> tuple[float, bool]:
        """The q-th percentile over every reminder, and whether it is only a lower bound:
        while some never fired, each percentile may still grow."""
        ranked = sorted([*self.lateness, *self.unfired])
        if not ranked:
            return math.nan, False
        rank = min(len(ranked), max(1, math.ceil(q / 100 * len(ranked))))
        return ranked[rank - 1], bool(self.unfired)


async def seed(
    db: Database,
    fake: RateLimitedSlack,
    count: int,
    first_due: datetime,
    spread: timedelta,
    now: datetime,
) -> list[int]:
    """`count` acknowledged crises, each with its root message in the fake Slack and one
    follow-up reminder created at `now`, due evenly from `first_due` over `spread`. Returns
    the crisis ids."""
    async with db.transaction() as session:
        lead_id = await session.scalar(select(RosterMember.id).limit(1))
        if lead_id is None:
            lead_id = await session.scalar(
                insert(RosterMember)
                .values(display_name="Lead", level="lead", active=True, added_at=now)
                .returning(RosterMember.id)
            )
            await session.execute(
                insert(MemberIdentity).values(
                    member_id=lead_id, platform="slack", external_id="ULEAD"
                )
            )
        start_id = (await session.scalar(select(func.max(Crisis.id))) or 0) + 1
    ids = list(range(start_id, start_id + count))
    step = spread / count
    for offset in range(0, count, _CHUNK):
        chunk = ids[offset : offset + _CHUNK]
        crises, posts, reminders = [], [], []
        for position, crisis_id in enumerate(chunk, offset):
            root = fake.add_message(CHANNEL, user=fake.bot_user_id, text=f"crisis #{crisis_id}")
            crises.append(
                {
                    "id": crisis_id,
                    "status": "acknowledged",
                    "post_key": f"facebook:seed-{crisis_id}",
                    "source": "facebook",
                    "post_url": f"https://www.facebook.com/bench/posts/seed-{crisis_id}",
                    "text": "Seeded for the reminder benchmark.",
                    "category": "delivery_delay",
                    "severity": "medium",
                    "owner_id": lead_id,
                    "owner_assigned_at": now,
                    "reported_by": "bench",
                    "opened_at": now,
                    "acknowledged_at": now,
                }
            )
            posts.append(
                {
                    "crisis_id": crisis_id,
                    "platform": "slack",
                    "kind": "root",
                    "channel": CHANNEL,
                    "message_ref": root["ts"],
                    "posted_at": now,
                }
            )
            reminders.append(
                reminder_row(crisis_id, ReminderKind.follow_up, first_due + step * position, now)
            )
        async with db.transaction() as session:
            await session.execute(insert(Crisis), crises)
            await session.execute(insert(PlatformPost), posts)
            await session.execute(insert(Reminder), reminders)
    return ids


async def watch(
    server: Server,
    db: Database,
    ids: list[int],
    seeded_at: datetime,
    start: datetime,
    wait_until: float,
) -> ReminderResult:
    """Wait until the seeded reminders fired (or `wait_until`, monotonic), then read what
    happened from the database and the server's metrics. Lateness counts from the due time,
    or from `start` (the server's start) for those already overdue then."""
    low, high = ids[0], ids[-1]
    seeded = (Reminder.crisis_id >= low) & (Reminder.crisis_id <= high)
    seeded &= Reminder.created_at <= seeded_at
    while time.monotonic() < wait_until:
        # The server's own count first: a count(*) over the reminders every half second took
        # 9-10 s of PostgreSQL's CPU per run from the server being measured. The database
        # has the last word once that count says they all fired.
        fired = (await server.metrics()).get("crisisbot_reminders_fired_total", 0)
        if fired >= len(ids):
            async with db.sessions() as session:
                left = await session.scalar(
                    select(func.count()).where(
                        seeded, Reminder.status == ReminderStatus.pending.value
                    )
                )
            if not left:
                break
        await asyncio.sleep(0.5)
    after = await server.metrics()
    async with db.sessions() as session:
        rows = (
            await session.execute(select(Reminder.due_at, Reminder.fired_at).where(seeded))
        ).all()
        reminded = (
            await session.execute(
                select(TimelineEvent.crisis_id, func.count())
                .where(
                    TimelineEvent.kind.in_(("reminded", "reminder_skipped")),
                    TimelineEvent.crisis_id >= low,
                    TimelineEvent.crisis_id <= high,
                )
                .group_by(TimelineEvent.crisis_id)
                .having(func.count() > 1)
            )
        ).all()
    end = datetime.now(UTC)
    # Those already overdue at the start count from the start.
    lateness = [
        max(0.0, (fired - max(due, start)).total_seconds())
        for due, fired in rows
        if fired is not None
    ]
    unfired = [(end - max(due, start)).total_seconds() for due, fired in rows if fired is None]
    fired_at = [fired for _, fired in rows if fired is not None]
    first = max(min(due for due, _ in rows), start)
    # Each phase has a server process of its own, so its metrics count that phase only.
    sweeps = "crisisbot_reminder_sweep_seconds"
    return ReminderResult(
        reminders=len(rows),
        fired=len(fired_at),
        lateness=lateness,
        unfired=unfired,
        duplicates=sum(count - 1 for _, count in reminded),
        sweeps=int(after.get(f"{sweeps}_count", 0)),
        sweep_seconds=after.get(f"{sweeps}_sum", 0),
        drain_seconds=(max(fired_at) - first).total_seconds() if fired_at else float("nan"),
        peak_rss_mib=server.peak_rss_mib(),
    )
