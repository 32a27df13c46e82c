"""The common case of an intake batch in SQLAlchemy Core: an alert that joins an open crisis
without raising its severity or starting a spike (a comment in a storm, another post about
the same thing).

The batch reads what such alerts depend on once, not per alert: the group keys of every
alert in the batch with their crises (one query), and each brand's hourly counts. It decides
each alert in Python exactly as `intake._ingest` would, and writes the results in bulk when
the batch ends, or before an alert that needs the full path (a new crisis, a relapse, a
spike, a higher severity). That alert runs the ORM path on what has been written so far,
and the batch reads again afterwards. The database's unique keys stay the final word: a key
another replica inserted meanwhile fails the batch's insert, and intake retries each alert
on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot import crises
from bot.actors import Actor
from bot.alert_input import AlertIn
from bot.context import CoreContext
from bot.grouping import Key, brand_group_key, keys_for, normal_brand
from bot.settings import severity_rules
from bot.severity import Severity, SeverityInput, assess
from bot.spikes import SpikeRule, baseline_hours, hour_of, spike_threshold
from models import Alert, BrandHour, BrandSpike, Crisis, CrisisStatus, GroupKey, TimelineEvent

_ALERTS = Alert.__table__
_TIMELINE = TimelineEvent.__table__
_KEYS = GroupKey.__table__


_READ_AHEAD_AFTER_FULL_PATH = 16


@dataclass
class CrisisView:
    """What deciding an alert reads of its crisis, kept current through the batch."""

    id: int
    category: str
    severity: str
    alert_count: int
    total_reach: int
    author_followers: int | None
    sentiment: float | None
    closed: bool


@dataclass
class _Held:
    crisis_id: int
    expires_at: datetime | None


@dataclass
class _BrandHour:
    # This many mentions in the hour are a spike (spikes.detect).
    threshold: float
    # This hour's mentions, the ones this batch counted included.
    current: int
    spiked: bool


def alert_values(
    alert: AlertIn, crisis_id: int, role: str, reporter: Actor, now: datetime
) -> dict[str, Any]:
    """The stored row of an alert (a post or a comment of a crisis), as it came."""
    return {
        "source": alert.source.value,
        "external_id": alert.id,
        "crisis_id": crisis_id,
        "role": role,
        "url": alert.url,
        "parent_url": alert.parent_url,
        "text": alert.text,
        "author_name": alert.author_name,
        "author_handle": alert.author_handle,
        "author_followers": alert.author_followers,
        "brand": alert.brand,
        "sentiment": alert.sentiment,
        "reach": alert.reach,
        "language": alert.language,
        "posted_at": alert.created_at,
        "received_at": now,
        "reported_by": reporter.label,
        "payload": alert.model_dump(mode="json", exclude_none=True),
    }


class Batch:
    """One intake batch's view of the database, and the writes it has not made yet."""

    def __init__(self, session: AsyncSession, ctx: CoreContext, alerts: Sequence[AlertIn]) -> None:
        self.session = session
        self.ctx = ctx
        self.alerts = alerts
        self.rules = severity_rules(ctx.settings)
        self.spike_rule = SpikeRule(ctx.settings.spike_sigmas, ctx.settings.spike_min_count)
        # Every key read so far: who holds it (None: nobody).
        self.keys: dict[str, _Held | None] = {}
        self.crises: dict[int, CrisisView] = {}
        self.brands: dict[tuple[str, datetime], _BrandHour] = {}
        # How many alerts from the current one a read of keys covers (None: all of them).
        self._read_ahead: int | None = None
        # Keys that have a row in the database (so a claim updates it, not inserts it).
        self._stored_keys: set[str] = set()
        self._claims: dict[str, _Held] = {}
        self._mentions: defaultdict[tuple[str, datetime], int] = defaultdict(int)
        self._counts: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
        self._alerts: list[dict[str, Any]] = []
        self._grouped: list[tuple[int, datetime, str, str]] = []
        # Crises whose root message and live summary must follow, from when they had to: one
        # look for a waiting re-render per crisis and write, not per alert.
        self._summaries: dict[int, datetime] = {}

    def forget(self) -> None:
        """The full path changed the database: read it again before the next decision."""
        # A batch of new crises would otherwise read the keys of the rest of the batch again
        # after each one.
        self._read_ahead = _READ_AHEAD_AFTER_FULL_PATH
        self.keys.clear()
        self.crises.clear()
        self.brands.clear()
        self._stored_keys.clear()

    async def group(self, index: int, reporter: Actor, now: datetime) -> CrisisView | None:
        """Decide alert `index` if it simply joins an open crisis, and return that crisis;
        None (and nothing done) when it needs the full path."""
        alert = self.alerts[index]
        settings = self.ctx.settings
        brand = normal_brand(alert.brand) if alert.brand else None
        keys = keys_for(alert, now, settings.author_group_window)
        lookup = [key.key for key in keys] + ([brand_group_key(brand)] if brand else [])
        if any(key not in self.keys for key in lookup):
            await self._read_keys(index, now)
        counted: _BrandHour | None = None
        if brand:
            counted = await self._brand_hour(brand, now)
            if counted.current + 1 >= counted.threshold and not counted.spiked:
                return None
        crisis = self._open_crisis(lookup, now)
        if crisis is None:
            return None
        alert_count = crisis.alert_count + 1
        total_reach = crisis.total_reach + (alert.reach or 0)
        severity = assess(
            SeverityInput(
                reach=total_reach,
                followers=max(crisis.author_followers or 0, alert.author_followers or 0),
                sentiment=alert.sentiment if alert.sentiment is not None else crisis.sentiment,
                alerts=alert_count,
            ),
            self.rules,
        )
        if severity.rank > Severity(crisis.severity).rank:
            return None

        if brand and counted is not None:
            counted.current += 1
            self._mentions[(brand, hour_of(now))] += 1
        crisis.alert_count, crisis.total_reach = alert_count, total_reach
        counts = self._counts[crisis.id]
        counts[0] += 1
        counts[1] += alert.reach or 0
        self._claim(crisis.id, keys, now)
        self._alerts.append(alert_values(alert, crisis.id, "comment", reporter, now))
        self._grouped.append((crisis.id, now, reporter.label, alert.url))
        self._summaries.setdefault(crisis.id, now)
        return crisis

    def _open_crisis(self, lookup: list[str], now: datetime) -> CrisisView | None:
        """As group_store.find_open_crisis: the open crisis holding the first of the keys."""
        for key in lookup:
            held = self.keys[key]
            if held is None or (held.expires_at is not None and held.expires_at <= now):
                continue
            crisis = self.crises[held.crisis_id]
            if not crisis.closed:
                return crisis
        return None

    def _claim(self, crisis_id: int, keys: list[Key], now: datetime) -> None:
        """As group_store.claim for a crisis that already exists."""
        for key in keys:
            held = self.keys.get(key.key)
            if (
                held is None
                or held.crisis_id == crisis_id
                or (held.expires_at is not None and held.expires_at <= now)
                or self.crises[held.crisis_id].closed
            ):
                claimed = _Held(crisis_id, key.expires_at)
                self.keys[key.key] = claimed
                self._claims[key.key] = claimed

    async def _read_keys(self, index: int, now: datetime) -> None:
        """The holders of the keys of this alert and of every later one in the batch."""
        wanted: set[str] = set()
        window = self.ctx.settings.author_group_window
        end = None if self._read_ahead is None else index + self._read_ahead
        for alert in self.alerts[index:end]:
            wanted.update(key.key for key in keys_for(alert, now, window))
            if alert.brand:
                wanted.add(brand_group_key(normal_brand(alert.brand)))
        wanted.difference_update(self.keys)
        rows = await self.session.execute(
            select(
                GroupKey.key,
                GroupKey.expires_at,
                Crisis.id,
                Crisis.category,
                Crisis.severity,
                Crisis.alert_count,
                Crisis.total_reach,
                Crisis.author_followers,
                Crisis.sentiment,
                Crisis.status,
            )
            .join(Crisis, Crisis.id == GroupKey.crisis_id)
            .where(GroupKey.key.in_(wanted))
        )
        for key in wanted:
            self.keys[key] = None
        for key, expires_at, crisis_id, *facts, status in rows.all():
            self.keys[key] = _Held(crisis_id, expires_at)
            self._stored_keys.add(key)
            if crisis_id not in self.crises:
                self.crises[crisis_id] = CrisisView(
                    crisis_id, *facts, closed=status == CrisisStatus.closed.value
                )

    async def _brand_hour(self, brand: str, now: datetime) -> _BrandHour:
        """As brand_activity.new_spike reads them: the baseline hours and this hour."""
        hour = hour_of(now)
        known = self.brands.get((brand, hour))
        if known is not None:
            return known
        hours = baseline_hours(now, self.ctx.settings.spike_baseline)
        rows = await self.session.execute(
            select(BrandHour.hour, BrandHour.mentions).where(
                BrandHour.brand == brand,
                BrandHour.hour >= (hours[0] if hours else hour),
                BrandHour.hour <= hour,
            )
        )
        counts = {at: mentions for at, mentions in rows.all()}
        spiked = await self.session.get(BrandSpike, (brand, hour)) is not None
        known = _BrandHour(
            spike_threshold([counts.get(at, 0) for at in hours], self.spike_rule)[1],
            counts.get(hour, 0) + self._mentions.get((brand, hour), 0),
            spiked,
        )
        self.brands[(brand, hour)] = known
        return known

    async def write(self) -> None:
        """Everything decided since the last write, in bulk, in the order it was decided."""
        session = self.session
        for crisis_id, since in self._summaries.items():
            await crises.summary_changed_of(session, self.ctx, crisis_id, since)
        self._summaries.clear()
        if self._mentions:
            dialect_insert = (
                pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            )
            for (brand, hour), mentions in self._mentions.items():
                statement = dialect_insert(BrandHour).values(
                    brand=brand, hour=hour, mentions=mentions
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[BrandHour.brand, BrandHour.hour],
                        set_={"mentions": BrandHour.mentions + mentions},
                    )
                )
            self._mentions.clear()
        if self._counts:
            await session.execute(
                update(Crisis.__table__)
                .where(Crisis.__table__.c.id == bindparam("crisis"))
                .values(
                    alert_count=Crisis.__table__.c.alert_count + bindparam("alerts"),
                    total_reach=Crisis.__table__.c.total_reach + bindparam("reach"),
                ),
                [
                    {"crisis": crisis_id, "alerts": alerts, "reach": reach}
                    for crisis_id, (alerts, reach) in self._counts.items()
                ],
            )
            self._mirror_counts()
            self._counts.clear()
        await self._write_claims()
        if self._alerts:
            ids = (
                await session.execute(
                    insert(_ALERTS).returning(_ALERTS.c.id, sort_by_parameter_order=True),
                    self._alerts,
                )
            ).scalars()
            await session.execute(
                insert(_TIMELINE),
                [
                    {
                        "crisis_id": crisis_id,
                        "kind": "alert_grouped",
                        "actor": actor,
                        "actor_member_id": None,
                        "at": at,
                        "detail": {"alert": alert_id, "url": url},
                    }
                    for alert_id, (crisis_id, at, actor, url) in zip(
                        ids, self._grouped, strict=True
                    )
                ],
            )
            self._alerts.clear()
            self._grouped.clear()

    async def _write_claims(self) -> None:
        if not self._claims:
            return
        new = [
            {"key": key, "crisis_id": held.crisis_id, "expires_at": held.expires_at}
            for key, held in self._claims.items()
            if key not in self._stored_keys
        ]
        moved = [
            {"k": key, "crisis": held.crisis_id, "until": held.expires_at}
            for key, held in self._claims.items()
            if key in self._stored_keys
        ]
        if new:
            await self.session.execute(insert(_KEYS), new)
        if moved:
            await self.session.execute(
                update(_KEYS)
                .where(_KEYS.c.key == bindparam("k"))
                .values(crisis_id=bindparam("crisis"), expires_at=bindparam("until")),
                moved,
            )
        identities = self.session.identity_map
        for key, held in self._claims.items():
            loaded = identities.get(identity_key(GroupKey, key))
            if loaded is not None:
                set_committed_value(loaded, "crisis_id", held.crisis_id)
                set_committed_value(loaded, "expires_at", held.expires_at)
        self._stored_keys.update(self._claims)
        self._claims.clear()

    def _mirror_counts(self) -> None:
        """Crises the session holds show the counts just written (the full path reads them)."""
        identities = self.session.identity_map
        for crisis_id in self._counts:
            loaded = identities.get(identity_key(Crisis, crisis_id))
            view = self.crises.get(crisis_id)
            if loaded is not None and view is not None:
                set_committed_value(loaded, "alert_count", view.alert_count)
                set_committed_value(loaded, "total_reach", view.total_reach)
