"""Alert intake: a reported post becomes a new crisis, joins an open one, or is a duplicate.

Everything for one alert happens in one transaction: storing it, counting the brand's
mentions, finding or opening its crisis (by open group keys the database keeps unique),
reopening a recently closed one it relapses (the relapse watch), acting on a spike, and
queueing what the platforms must show.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import brand_activity, crises, crisis_flow, group_store, intake_core, outbox, timeline
from bot.actors import BOT, Actor
from bot.alert_input import AlertIn, Source
from bot.context import CoreContext
from bot.crises import assign_owner
from bot.group_commit import GroupCommit
from bot.grouping import Key, brand_group_key, keys_for, normal_brand
from bot.messages import Message, choice_ref, member_ref, members_ref, number_ref
from bot.metrics import ALERTS_RECEIVED, CRISES_OPENED
from bot.roster import leads
from bot.settings import severity_rules
from bot.severity import Severity, SeverityInput, assess, at_least
from bot.spikes import Spike, SpikeRule
from models import Alert, Crisis, CrisisStatus
from models.session import among_pairs

log = structlog.get_logger(__name__)

# Two requests racing for the same post: the loser's insert hits a unique constraint (or
# finds the winner's key committed meanwhile) and it tries again, finding the winner's row.
# More rounds than this means something else is wrong.
_MAX_ROUNDS = 4


class IntakeStatus(enum.StrEnum):
    opened = "opened"
    grouped = "grouped"
    duplicate = "duplicate"
    # A new negative post reopened a crisis closed within the relapse window.
    reopened = "reopened"


@dataclass(frozen=True)
class IntakeResult:
    crisis: int
    status: IntakeStatus
    category: str
    severity: str


async def ingest(ctx: CoreContext, alert: AlertIn, reporter: Actor) -> IntakeResult:
    """Store the alert and decide its crisis. It goes to the process's intake writer, which
    commits it with whatever else has queued (group commit); the answer is its own."""
    (result,) = await ingest_many(ctx, [(alert, reporter)])
    if isinstance(result, BaseException):
        raise result
    return result


async def ingest_many(
    ctx: CoreContext, items: Sequence[tuple[AlertIn, Actor]]
) -> list[IntakeResult | Exception]:
    """Several alerts through the intake writer, one result (or error) each, in order."""
    if ctx.intake_writer is None:
        settings = ctx.settings
        ctx.intake_writer = GroupCommit(
            lambda batch: ingest_batch(ctx, batch),
            max_batch=settings.intake_batch_max,
            max_wait=settings.intake_batch_wait.total_seconds(),
        )
    return await ctx.intake_writer.submit(items)


async def ingest_one(ctx: CoreContext, alert: AlertIn, reporter: Actor) -> IntakeResult:
    """One alert in its own transaction, retried when it lost a race to a concurrent one."""
    for round_ in range(_MAX_ROUNDS):
        try:
            async with ctx.db.transaction() as session:
                result = await _ingest(session, ctx, alert, reporter)
        except (IntegrityError, group_store.LostRace):
            if round_ == _MAX_ROUNDS - 1:
                raise
            continue
        _count([(alert, result)])
        if result.status is not IntakeStatus.duplicate:
            ctx.on_outbox()
        return result
    raise AssertionError("unreachable")


async def ingest_batch(
    ctx: CoreContext, items: Sequence[tuple[AlertIn, Actor]]
) -> list[IntakeResult | Exception]:
    """Alerts in one transaction, each decided exactly as if it came alone after the ones
    before it. When the batch fails (a race lost to another replica, one bad alert), it is
    rolled back whole and each alert goes again on its own, so one failure fails only itself."""
    results: list[IntakeResult | Exception] = []
    try:
        async with ctx.db.transaction() as session:
            alerts = [alert for alert, _ in items]
            # Every alert's crisis by (source, id): stored before the batch (one query), or
            # earlier in it. An alert not among them is new, so its own lookup is skipped.
            earlier = await _stored_crises(session, alerts)
            stored = {ident: crisis.id for ident, crisis in earlier.items()}
            # Held here: the session keeps only weak references, and a duplicate's crisis
            # must not be read again, one query per duplicate.
            loaded = {crisis.id: crisis for crisis in earlier.values()}
            batch = intake_core.Batch(session, ctx, alerts)
            for index, (alert, reporter) in enumerate(items):
                ident = (alert.source.value, alert.id)
                known = stored.get(ident)
                if known is not None:
                    known = batch.crisis_number(known)
                    crisis: Crisis | intake_core.CrisisView | None = batch.crises.get(
                        known
                    ) or loaded.get(known)
                    if crisis is None:
                        crisis = await session.get_one(Crisis, known)
                    results.append(_result(crisis, IntakeStatus.duplicate))
                    continue
                decided = await batch.decide(index, reporter, ctx.clock.now())
                if decided is not None:
                    crisis_view, opened = decided
                    status = IntakeStatus.opened if opened else IntakeStatus.grouped
                    result = _result(crisis_view, status)
                else:
                    # Anything else takes the full path, on what the batch has written.
                    await batch.write()
                    result = await _ingest(session, ctx, alert, reporter, new=True)
                    await session.flush()
                    batch.forget()
                    batch.outbox_due = True
                stored[ident] = result.crisis
                results.append(result)
            await batch.write()
            results = [
                replace(result, crisis=batch.crisis_number(result.crisis))
                if isinstance(result, IntakeResult)
                else result
                for result in results
            ]
    except Exception as error:
        if _database_away(error):
            # Each alert alone would only wait for the same timeout again: all are refused
            # at once, and their senders retry.
            return [error] * len(items)
        if len(items) == 1:
            log.debug("alert retried on its own", exc_info=True)
        else:
            log.warning("intake batch rolled back; its alerts go one at a time", exc_info=True)
        return [await _ingest_alone(ctx, alert, reporter) for alert, reporter in items]
    _count(
        (alert, result)
        for (alert, _), result in zip(items, results, strict=True)
        if isinstance(result, IntakeResult)
    )
    if batch.outbox_due:
        ctx.on_outbox()
    return results


async def _ingest_alone(
    ctx: CoreContext, alert: AlertIn, reporter: Actor
) -> IntakeResult | Exception:
    try:
        return await ingest_one(ctx, alert, reporter)
    except Exception as error:
        return error


def _database_away(error: Exception) -> bool:
    if isinstance(error, OSError | TimeoutError | OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _count(decided: Iterable[tuple[AlertIn, IntakeResult]]) -> None:
    """Metrics and one log line per alert decision, once its transaction has committed."""
    for alert, result in decided:
        log.info("alert " + result.status.value, crisis=result.crisis, source=alert.source.value)
        ALERTS_RECEIVED.labels(status=result.status.value).inc()
        if result.status is IntakeStatus.opened:
            CRISES_OPENED.inc()


async def _stored_crises(
    session: AsyncSession, alerts: Sequence[AlertIn]
) -> dict[tuple[str, str], Crisis]:
    """The crises of those alerts that are already stored, by (source, id)."""
    pairs = {(alert.source.value, alert.id) for alert in alerts}
    if not pairs:
        return {}
    rows = await session.execute(
        select(Alert.source, Alert.external_id, Crisis)
        .join(Crisis, Alert.crisis_id == Crisis.id)
        .where(among_pairs(session, Alert.source, Alert.external_id, pairs))
    )
    return {
        (source, external_id): crisis
        for source, external_id, crisis in rows.all()
        if (source, external_id) in pairs
    }


async def _ingest(
    session: AsyncSession, ctx: CoreContext, alert: AlertIn, reporter: Actor, *, new: bool = False
) -> IntakeResult:
    """Decide one alert. `new`: the caller knows it is not stored yet."""
    if not new:
        existing = await session.scalar(
            select(Crisis)
            .join(Alert, Alert.crisis_id == Crisis.id)
            .where(Alert.source == alert.source.value, Alert.external_id == alert.id)
        )
        if existing is not None:
            return _result(existing, IntakeStatus.duplicate)

    settings = ctx.settings
    now = ctx.clock.now()
    brand = normal_brand(alert.brand) if alert.brand else None
    spike: Spike | None = None
    if brand:
        await brand_activity.count_mention(session, brand, now)
        spike = await brand_activity.new_spike(
            session,
            brand,
            now,
            settings.spike_baseline,
            SpikeRule(settings.spike_sigmas, settings.spike_min_count),
        )
    keys = keys_for(alert, now, settings.author_group_window)
    lookup = [key.key for key in keys] + ([brand_group_key(brand)] if brand else [])
    crisis = await group_store.find_open_crisis(session, lookup, now)
    if spike is not None and brand is not None and crisis is None:
        crisis = await _open_crisis_of_brand(session, brand)

    status: IntakeStatus | None = None
    if crisis is None:
        crisis, status = await _relapse(session, ctx, alert, reporter, keys)
    if crisis is None:
        crisis = await _open(session, ctx, alert, reporter, keys, spike)
        status = IntakeStatus.opened
    elif status is None:
        await _group(session, ctx, crisis, alert, reporter, keys)
        status = IntakeStatus.grouped
    if spike is not None and brand is not None:
        await _act_on_spike(session, ctx, crisis, brand, spike, now)
    return _result(crisis, status)


async def _relapse(
    session: AsyncSession, ctx: CoreContext, alert: AlertIn, reporter: Actor, keys: list[Key]
) -> tuple[Crisis | None, IntakeStatus | None]:
    """A crisis closed within the relapse window that this post is about (its post, or its
    author about the same brand): a negative post reopens it; any other is kept on it."""
    found = await group_store.find_relapse(session, [key.key for key in keys], ctx.clock.now())
    if found is None:
        return None, None
    key, crisis = found
    crisis = await crises.get(session, crisis.id, for_update=True)
    if crisis.crisis_status is not CrisisStatus.closed:
        # Reopened meanwhile by someone else: the post simply joins it.
        return crisis, None
    if alert.sentiment is not None and alert.sentiment >= 0:
        # Praise or a neutral remark after the fix is no relapse (a "thank you, solved").
        now = ctx.clock.now()
        crisis.alert_count += 1
        crisis.total_reach += alert.reach or 0
        row = alert_row(alert, crisis.id, "comment", reporter, now)
        session.add(row)
        await session.flush()
        timeline.record(
            session, crisis.id, "alert_after_close", reporter, now, alert=row.id, url=alert.url
        )
        return crisis, IntakeStatus.grouped
    await crisis_flow.relapse(session, ctx, crisis, key, alert.url)
    await _group(session, ctx, crisis, alert, reporter, keys)
    return crisis, IntakeStatus.reopened


def _result(crisis: Crisis | intake_core.CrisisView, status: IntakeStatus) -> IntakeResult:
    return IntakeResult(crisis.id, status, crisis.category, crisis.severity)


async def _open_crisis_of_brand(session: AsyncSession, brand: str) -> Crisis | None:
    """The open crisis a spike of this brand raises: the most severe, then the newest."""
    rows = await session.scalars(
        select(Crisis).where(Crisis.brand_key == brand, Crisis.status != CrisisStatus.closed.value)
    )
    candidates = list(rows.all())
    if not candidates:
        return None
    return max(candidates, key=lambda c: (Severity(c.severity).rank, c.id))


def alert_row(alert: AlertIn, crisis_id: int, role: str, reporter: Actor, now: datetime) -> Alert:
    """The stored row of an alert (a post or a comment of a crisis), as it came."""
    return Alert(**intake_core.alert_values(alert, crisis_id, role, reporter, now))


async def _open(
    session: AsyncSession,
    ctx: CoreContext,
    alert: AlertIn,
    reporter: Actor,
    keys: list[Key],
    spike: Spike | None,
) -> Crisis:
    now = ctx.clock.now()
    crisis = Crisis(
        **intake_core.crisis_values(
            alert, reporter, now, severity_rules(ctx.settings), spike=spike is not None
        )
    )
    session.add(crisis)
    await session.flush()
    await group_store.claim(session, crisis.id, keys, now, new_crisis=True)
    session.add(alert_row(alert, crisis.id, "post", reporter, now))
    timeline.record(
        session, crisis.id, "opened", reporter, now, source=alert.source.value, url=alert.url
    )
    # The root message first: everything else about the crisis goes into its thread.
    outbox.enqueue(session, ctx.platforms, crisis.id, outbox.ROOT_POST, now)
    await assign_owner(session, ctx, crisis, reason="new")
    return crisis


async def _group(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    alert: AlertIn,
    reporter: Actor,
    keys: list[Key],
) -> None:
    now = ctx.clock.now()
    # Counted in SQL, not in Python, so concurrent comments never overwrite each other's count.
    await session.execute(
        update(Crisis)
        .where(Crisis.id == crisis.id)
        .values(
            alert_count=Crisis.alert_count + 1,
            total_reach=Crisis.total_reach + (alert.reach or 0),
        )
    )
    await session.refresh(crisis, ["alert_count", "total_reach", "severity"])
    await group_store.claim(session, crisis.id, keys, now)
    row = alert_row(alert, crisis.id, "comment", reporter, now)
    session.add(row)
    await session.flush()
    timeline.record(session, crisis.id, "alert_grouped", reporter, now, alert=row.id, url=alert.url)
    severity = assess(
        SeverityInput(
            reach=crisis.total_reach,
            followers=max(crisis.author_followers or 0, alert.author_followers or 0),
            sentiment=alert.sentiment if alert.sentiment is not None else crisis.sentiment,
            alerts=crisis.alert_count,
        ),
        severity_rules(ctx.settings),
    )
    if severity.rank > Severity(crisis.severity).rank:
        await raise_severity(session, ctx, crisis, severity, now, reason="volume")
    # One live summary, edited at most every SUMMARY_INTERVAL, instead of a message per alert.
    await crises.summary_changed(session, ctx, crisis, now)


async def raise_severity(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    severity: Severity,
    now: datetime,
    *,
    reason: str,
) -> None:
    """The root message shows the new severity at once; the thread tells the owner (and, at
    critical, the leads)."""
    previous = crisis.severity
    crisis.severity = severity.value
    timeline.record(
        session, crisis.id, "severity_raised", BOT, now, to=severity.value, reason=reason
    )
    people: list[int] = [crisis.owner_id] if crisis.owner_id else []
    if severity is Severity.critical:
        people += [m.id for m in await leads(session) if m.id not in people]
    outbox.thread(
        session,
        ctx.platforms,
        crisis.id,
        Message(
            "thread.severity_raised",
            {
                "n": crisis.id,
                "who": members_ref(people) if people else "",
                "from": choice_ref("severity", previous),
                "to": choice_ref("severity", severity.value),
            },
        ),
        now,
    )
    await crises.changed(session, ctx, crisis, now)


async def _act_on_spike(
    session: AsyncSession,
    ctx: CoreContext,
    crisis: Crisis,
    brand: str,
    spike: Spike,
    now: datetime,
) -> None:
    """Once per brand and hour: the crisis holds the brand for a while (more mentions join
    it), is at least high, and the thread says why."""
    await brand_activity.mark_spike(session, brand, now, crisis.id)
    await group_store.claim(
        session,
        crisis.id,
        [Key(brand_group_key(brand), now + ctx.settings.spike_group_window)],
        now,
    )
    timeline.record(
        session, crisis.id, "spike", BOT, now, mentions=spike.mentions, brand=crisis.brand or brand
    )
    outbox.thread(
        session,
        ctx.platforms,
        crisis.id,
        Message(
            "thread.spike",
            {
                "n": crisis.id,
                "brand": crisis.brand or brand,
                "mentions": spike.mentions,
                "usual": number_ref(round(spike.baseline_mean, 1)),
                "owner": member_ref(crisis.owner_id) if crisis.owner_id else "",
            },
        ),
        now,
    )
    raised = at_least(Severity(crisis.severity), Severity.high)
    if raised.rank > Severity(crisis.severity).rank:
        await raise_severity(session, ctx, crisis, raised, now, reason="spike")


_HOST_SOURCES = {
    "facebook.com": Source.facebook,
    "fb.com": Source.facebook,
    "instagram.com": Source.instagram,
    "linkedin.com": Source.linkedin,
    "x.com": Source.x,
    "twitter.com": Source.x,
    "tiktok.com": Source.tiktok,
    "trustpilot.com": Source.trustpilot,
}


def guess_source(url: str) -> Source:
    """The network a URL belongs to, for posts people report by hand."""
    host = (urlsplit(url).hostname or "").lower()
    for suffix, source in _HOST_SOURCES.items():
        if host == suffix or host.endswith("." + suffix):
            return source
    if host.startswith(("google.", "maps.google.")) or ".google." in host:
        return Source.google_reviews
    return Source.other
