"""The common cases of an intake batch in SQLAlchemy Core: an alert that joins an open
crisis without raising its severity or starting a spike (a comment in a storm, another post
about the same thing), and a post that opens a crisis of its own (no relapse, no spike).

The batch reads what such alerts depend on once, not per alert: the group keys of every
alert in the batch with their crises (one query), each brand's hourly counts, and the roster
with its open-crisis load. It decides each alert in Python exactly as `intake._ingest` would,
and writes the results in bulk when the batch ends, or before an alert that needs the full
path (a relapse, a spike, a higher severity). That alert runs the ORM path on what has been
written so far, and the batch reads again afterwards. The database's unique keys stay the
final word: a key another replica inserted meanwhile fails the batch's insert, and intake
retries each alert on its own.
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

from bot import crises, outbox, reminders, roster, timeline
from bot.actors import BOT, Actor
from bot.alert_input import AlertIn
from bot.categories import classify
from bot.context import CoreContext
from bot.grouping import Key, brand_group_key, keys_for, normal_brand
from bot.post_keys import post_key
from bot.settings import severity_rules
from bot.severity import Severity, SeverityInput, SeverityRules, assess
from bot.spikes import SpikeRule, baseline_hours, hour_of, spike_threshold
from models import (
    Alert,
    BrandHour,
    BrandSpike,
    Crisis,
    CrisisStatus,
    GroupKey,
    OutboxMessage,
    Reminder,
    ReminderKind,
    RosterMember,
)
from models.session import insert_ids

_ALERTS = Alert.__table__
_CRISES = Crisis.__table__
_KEYS = GroupKey.__table__
_MEMBERS = RosterMember.__table__
# The batch's new crises in one statement, their ids in the order they were decided.
_OUTBOX = OutboxMessage.__table__
_REMINDERS = Reminder.__table__


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


def crisis_values(
    alert: AlertIn, reporter: Actor, now: datetime, rules: SeverityRules, *, spike: bool
) -> dict[str, Any]:
    """The stored row of a crisis this alert opens (`spike`: a spike of its brand did)."""
    return {
        "status": CrisisStatus.open.value,
        "post_key": post_key(alert.url),
        "trigger": "spike" if spike else "post",
        "source": alert.source.value,
        "post_url": alert.url,
        "text": alert.text,
        "author_name": alert.author_name,
        "author_handle": alert.author_handle,
        "author_followers": alert.author_followers,
        "brand": alert.brand,
        "brand_key": normal_brand(alert.brand) if alert.brand else None,
        "language": alert.language,
        "sentiment": alert.sentiment,
        "category": classify(alert.text).value,
        "severity": assess(
            SeverityInput(
                reach=alert.reach or 0,
                followers=alert.author_followers or 0,
                sentiment=alert.sentiment,
                alerts=1,
            ),
            rules,
        ).value,
        "alert_count": 1,
        "total_reach": alert.reach or 0,
        "reported_by": reporter.label,
        "opened_at": now,
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
        self._roster: roster.Picker | None = None
        # How many alerts from the current one a read of keys covers (None: all of them).
        self._read_ahead: int | None = None
        # Keys that have a row in the database (so a claim updates it, not inserts it).
        self._stored_keys: set[str] = set()
        self._claims: dict[str, _Held] = {}
        self._mentions: defaultdict[tuple[str, datetime], int] = defaultdict(int)
        self._counts: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
        self._alerts: list[dict[str, Any]] = []
        # Timeline rows, each with the index in `_alerts` of the alert it names (if any).
        self._events: list[tuple[dict[str, Any], int | None]] = []
        # Outbox rows in the order one-at-a-time intake writes them; a crisis id stands for
        # the look for its waiting re-render of the root message and live summary (one per
        # crisis and write, from when it first had to follow, not one per alert).
        self._outbox: list[dict[str, Any] | int] = []
        self._summaries: dict[int, datetime] = {}
        self._reminders: list[dict[str, Any]] = []
        self._assigned: dict[int, datetime] = {}
        # New crises not inserted yet, with their rows; and the numbers the inserted ones
        # got, by the number that stood for them.
        self._unnumbered: list[tuple[CrisisView, dict[str, Any]]] = []
        self._numbered: dict[int, int] = {}
        # What the batch wrote has something for the delivery worker to send at once (a
        # storm's comments, whose re-renders wait for SUMMARY_INTERVAL, mostly do not).
        self.outbox_due = False

    def forget(self) -> None:
        """The full path changed the database: read it again before the next decision."""
        # A batch of relapses would otherwise read the keys of the rest of the batch again
        # after each one.
        self._read_ahead = _READ_AHEAD_AFTER_FULL_PATH
        self.keys.clear()
        self.crises.clear()
        self.brands.clear()
        self._stored_keys.clear()
        self._roster = None

    async def decide(
        self, index: int, reporter: Actor, now: datetime
    ) -> tuple[CrisisView, bool] | None:
        """Decide alert `index` if it joins an open crisis as it is or opens a new one, and
        return that crisis and whether it is new; None (and nothing done) when it needs the
        full path."""
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
        opened = crisis is None
        if crisis is None:
            if self._relapses(keys, now):
                return None
            crisis = await self._open(alert, reporter, keys, now)
        elif not self._join(crisis, alert, reporter, keys, now):
            return None
        if brand and counted is not None:
            counted.current += 1
            self._mentions[(brand, hour_of(now))] += 1
        return crisis, opened

    def _join(
        self, crisis: CrisisView, alert: AlertIn, reporter: Actor, keys: list[Key], now: datetime
    ) -> bool:
        """As `intake._group` for an alert that raises nothing; False (nothing done) when it
        would raise the crisis's severity."""
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
            return False
        crisis.alert_count, crisis.total_reach = alert_count, total_reach
        counts = self._counts[crisis.id]
        counts[0] += 1
        counts[1] += alert.reach or 0
        self._claim(crisis.id, keys, now)
        self._alerts.append(alert_values(alert, crisis.id, "comment", reporter, now))
        self._events.append(
            (
                timeline.row(crisis.id, "alert_grouped", reporter, now, url=alert.url),
                len(self._alerts) - 1,
            )
        )
        if crisis.id not in self._summaries:
            self._summaries[crisis.id] = now
            self._outbox.append(crisis.id)
        return True

    async def _open(
        self, alert: AlertIn, reporter: Actor, keys: list[Key], now: datetime
    ) -> CrisisView:
        """As `intake._open` with `crises.assign_owner`: the crisis, its keys, its post, the
        root message, its owner (or the word that there is none) and the escalation clock."""
        values = crisis_values(alert, reporter, now, self.rules, spike=False)
        team = await self._team()
        owner = team.pick()
        values["owner_id"] = owner.id if owner is not None else None
        values["owner_assigned_at"] = now if owner is not None else None
        # Numbered when the batch writes (all its new crises in one insert); until then a
        # number below zero stands for it wherever the batch refers to it.
        crisis_id = -1 - len(self._numbered) - len(self._unnumbered)
        crisis = CrisisView(
            crisis_id,
            values["category"],
            values["severity"],
            1,
            values["total_reach"],
            alert.author_followers,
            alert.sentiment,
            closed=False,
        )
        self.crises[crisis_id] = crisis
        self._unnumbered.append((crisis, values))
        self._claim(crisis_id, keys, now)
        self._alerts.append(alert_values(alert, crisis_id, "post", reporter, now))
        self._events.append(
            (
                timeline.row(
                    crisis_id, "opened", reporter, now, source=alert.source.value, url=alert.url
                ),
                None,
            )
        )
        self._enqueue(crisis_id, outbox.ROOT_POST, now, {})
        if owner is None:
            self._events.append((timeline.row(crisis_id, "no_owner", BOT, now), None))
        else:
            team.assigned(owner.id, None, now)
            # The member's row is updated when the batch writes; the full path, which reads
            # the same objects, already sees it.
            set_committed_value(owner, "last_assigned_at", now)
            self._assigned[owner.id] = now
            self._events.append(
                (
                    timeline.row(
                        crisis_id, "owner_assigned", BOT, now, member=owner.id, reason="new"
                    ),
                    None,
                )
            )
        leads: list[int] = []
        if values["severity"] == Severity.critical.value:
            leads = [m for m in team.leads() if m != values["owner_id"]]
            if leads:
                self._events.append((timeline.row(crisis_id, "leads_told", BOT, now), None))
        for message in crises.owner_news(crisis_id, values["owner_id"], leads):
            # The crisis's provisional number in "n" is replaced when the batch writes.
            self._enqueue(crisis_id, outbox.THREAD, now, message.to_json())
        self._reminders.append(
            reminders.row(
                crisis_id, ReminderKind.escalation, now + self.ctx.settings.ack_timeout, now
            )
        )
        return crisis

    def _enqueue(self, crisis_id: int, kind: str, now: datetime, data: dict[str, Any]) -> None:
        self._outbox += [
            outbox.row(platform, crisis_id, kind, now, data) for platform in self.ctx.platforms
        ]

    async def _team(self) -> roster.Picker:
        """The roster and its load, read once per batch (and again after the full path)."""
        if self._roster is None:
            self._roster = await roster.Picker.read(self.session)
        return self._roster

    def _relapses(self, keys: list[Key], now: datetime) -> bool:
        """As group_store.find_relapse: a closed crisis still holds one of the keys."""
        for key in keys:
            held = self.keys[key.key]
            if (
                held is not None
                and held.expires_at is not None
                and held.expires_at > now
                and self.crises[held.crisis_id].closed
            ):
                return True
        return False

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
                held is not None
                and held.crisis_id == crisis_id
                and held.expires_at == key.expires_at
            ):
                # Already so: a storm's batches would otherwise each rewrite the post's key.
                continue
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
        for row in rows.all():
            self.keys[row.key] = _Held(row.id, row.expires_at)
            self._stored_keys.add(row.key)
            if row.id not in self.crises:
                self.crises[row.id] = CrisisView(
                    row.id,
                    row.category,
                    row.severity,
                    row.alert_count,
                    row.total_reach,
                    row.author_followers,
                    row.sentiment,
                    closed=row.status == CrisisStatus.closed.value,
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
        await self._number_new_crises()
        if self._assigned:
            await session.execute(
                update(_MEMBERS)
                .where(_MEMBERS.c.id == bindparam("member"))
                .values(last_assigned_at=bindparam("at")),
                [{"member": member, "at": at} for member, at in self._assigned.items()],
            )
            self._assigned.clear()
        if self._mentions:
            dialect_insert = (
                pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
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
                update(_CRISES)
                .where(_CRISES.c.id == bindparam("crisis"))
                .values(
                    alert_count=_CRISES.c.alert_count + bindparam("alerts"),
                    total_reach=_CRISES.c.total_reach + bindparam("reach"),
                ),
                [
                    {"crisis": crisis_id, "alerts": alerts, "reach": reach}
                    for crisis_id, (alerts, reach) in self._counts.items()
                ],
            )
            self._mirror_counts()
            self._counts.clear()
        await self._write_claims()
        await self._write_outbox()
        if self._alerts:
            alert_ids = await insert_ids(session, _ALERTS, self._alerts)
            for event, alert in self._events:
                if alert is not None:
                    event["detail"] = {"alert": alert_ids[alert], **event["detail"]}
            self._alerts.clear()
        await timeline.add_rows(session, [event for event, _ in self._events])
        self._events.clear()
        if self._reminders:
            await session.execute(insert(_REMINDERS), self._reminders)
            self._reminders.clear()

    def crisis_number(self, crisis_id: int) -> int:
        """The crisis's number: itself, or (for a new crisis already written) the number
        the database gave the one `crisis_id` stood for."""
        return self._numbered.get(crisis_id, crisis_id)

    async def _number_new_crises(self) -> None:
        """Insert the new crises, and put their numbers wherever the batch refers to them."""
        if not self._unnumbered:
            return
        ids = await insert_ids(self.session, _CRISES, [values for _, values in self._unnumbered])
        numbers = {
            crisis.id: crisis_id
            for (crisis, _), crisis_id in zip(self._unnumbered, ids, strict=True)
        }
        self._unnumbered.clear()
        self._numbered.update(numbers)

        def number(crisis_id: int) -> int:
            return numbers.get(crisis_id, crisis_id)

        for crisis in self.crises.values():
            crisis.id = number(crisis.id)
        self.crises = {crisis.id: crisis for crisis in self.crises.values()}
        for held in [*self.keys.values(), *self._claims.values()]:
            if held is not None:
                held.crisis_id = number(held.crisis_id)
        self._counts = defaultdict(
            lambda: [0, 0], {number(key): value for key, value in self._counts.items()}
        )
        self._summaries = {number(key): since for key, since in self._summaries.items()}
        self._outbox = [
            entry if isinstance(entry, dict) else number(entry) for entry in self._outbox
        ]
        for row in [*self._alerts, *(event for event, _ in self._events), *self._reminders]:
            row["crisis_id"] = number(row["crisis_id"])
        for row in self._reminders:
            row["pending_for"] = number(row["pending_for"])
        for entry in self._outbox:
            if isinstance(entry, dict):
                entry["crisis_id"] = number(entry["crisis_id"])
                params = entry["data"].get("params")
                if params is not None and "n" in params:
                    params["n"] = number(params["n"])

    async def _write_outbox(self) -> None:
        rows: list[dict[str, Any]] = []
        for entry in self._outbox:
            if isinstance(entry, dict):
                rows.append(entry)
                self.outbox_due = True
                continue
            if rows:
                await self.session.execute(insert(_OUTBOX), rows)
                rows = []
            if await crises.summary_changed_of(
                self.session, self.ctx, entry, self._summaries.pop(entry)
            ):
                self.outbox_due = True
        if rows:
            await self.session.execute(insert(_OUTBOX), rows)
        self._outbox.clear()

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
