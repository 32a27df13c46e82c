"""The inbox of native sources: every verified delivery is stored as it came, then processed.

A webhook stores its delivery in one short transaction and answers at once; a poller stores
each fetched page in the transaction that advances its cursor (`store`). The worker then
parses each stored delivery with its feed's parser into items (refused pieces are kept with
their reason) and feeds each item to the intake: deduplicated on (source, id), judged for
negativity, and retried with growing pauses when processing fails, never dropped. A crash
anywhere leaves the rows where they were: a restart picks them up. A feed may also register
a link reader, which asks its source's API for better links than the parser could build,
before the batch is taken and outside any transaction.

Rows are claimed with a lease (`available_at` in the future, `claimed_by`), so replicas
share the work without taking the same row, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import native_intake
from bot.alert_input import AlertIn, AlertInvalid, parse_alert
from bot.context import CoreContext
from bot.metrics import SOURCE_ITEMS
from bot.native_intake import NativeResult
from bot.negativity import judge
from bot.settings import Settings
from bot.source_items import ItemError, ItemKind, SourceItem
from bot.wakeable import WakeableLoop
from models import Alert, DeliveryStatus, InboxDelivery, InboxItem, ItemOutcome, ItemStatus
from models.session import among_pairs

log = structlog.get_logger(__name__)

# A feed's parser: the delivery's JSON and the settings in, items (or refusals) out. Pure, so
# a delivery can be parsed again after a failure.
Parser = Callable[[Any, Settings], list[SourceItem | ItemError]]
# A feed's link reader: the stored data (`alert`, `link`) of a batch's items that carry a
# `link`, changed in place where the source's API gives a better link than the built one.
# Called outside any transaction; it falls back to the built links itself, never raising.
LinkReader = Callable[[list[dict[str, Any]], Settings], Awaitable[None]]

# How long a claimed row is reserved for the worker processing it: a worker that dies holds
# its rows back this long, then another takes them.
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
_BATCH = 200
_ERROR_MAX = 2000


def backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempts, 10)))


def store(session: AsyncSession, feed: str, body: str, now: datetime) -> InboxDelivery:
    """Add one delivery to the inbox inside the caller's transaction (a poller advances its
    cursor in the same one). Wake the worker after the commit."""
    delivery = InboxDelivery(
        feed=feed,
        body=body,
        received_at=now,
        status=DeliveryStatus.pending.value,
        attempts=0,
        available_at=now,
    )
    session.add(delivery)
    return delivery


class Inbox(WakeableLoop):
    """Takes deliveries in and works them off: `register` a feed's parser, `receive` a
    delivery; the loop does the rest."""

    name = "inbox"

    def __init__(self, ctx: CoreContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.parsers: dict[str, Parser] = {}
        self.link_readers: dict[str, LinkReader] = {}
        self.worker_id = uuid.uuid4().hex[:16]

    def register(self, feed: str, parser: Parser, links: LinkReader | None = None) -> None:
        self.parsers[feed] = parser
        if links is not None:
            self.link_readers[feed] = links

    async def receive(self, feed: str, body: str) -> int:
        """Store a verified delivery in its own short transaction; the worker is woken."""
        async with self.ctx.db.transaction() as session:
            delivery = store(session, feed, body, self.ctx.clock.now())
            await session.flush()
            delivery_id = delivery.id
        self.wake()
        return delivery_id

    async def tick(self) -> None:
        await self.drain()

    async def drain(self) -> int:
        """Parse every due delivery and process every due item; returns how many items were
        finished (done or refused)."""
        finished = 0
        while not self.stopping:
            parsed = await self._parse_due()
            processed = await self._process_due()
            finished += processed
            if not parsed and not processed:
                return finished
        return finished

    async def _parse_due(self) -> int:
        ids = await self._claim(InboxDelivery, DeliveryStatus.pending.value)
        for index, delivery_id in enumerate(ids):
            if self.stopping:
                await self._release(InboxDelivery, ids[index:])
                break
            await self._parse(delivery_id)
        return len(ids)

    async def _process_due(self) -> int:
        ids = await self._claim(InboxItem, ItemStatus.pending.value)
        if not ids:
            return 0
        async with self.ctx.db.sessions() as session:
            claimed = list(
                (
                    await session.scalars(
                        select(InboxItem)
                        .where(InboxItem.id.in_(ids), InboxItem.claimed_by == self.worker_id)
                        .order_by(InboxItem.id)
                    )
                ).all()
            )
            # Which (source, id) were seen before: looked up once for the batch, then kept
            # up to date as its items are taken.
            holders = await self._seen_holders(session, claimed)
            # Which edited items are stored as alerts already (an edit of one that is not may
            # be a new complaint): looked up once for the batch.
            stored = await _stored_alerts(
                session, [item for item in claimed if item.kind == ItemKind.edited.value]
            )
        await self._read_links(claimed)
        finished = 0
        # Consecutive items of one kind go together: a run of negative ones through the
        # intake as one batch, a run of the others in one transaction. In order: what came
        # before a negative item is written before it opens a crisis, and the other way round.
        # The outcomes of a run of negative ones are written with the run after it.
        chunk: list[tuple[InboxItem, _Plan]] = []
        negatives: list[tuple[InboxItem, _Plan]] = []
        taken: list[_Taken] = []
        # The (source, id) of the items before this one in the batch.
        earlier: set[tuple[str, str]] = set()
        for index, item in enumerate(claimed):
            if self.stopping:
                await self._release(InboxItem, [i.id for i in claimed[index:]])
                break
            try:
                plan = _plan(item)
            except Exception as exc:
                log.exception("inbox item not judged", item=item.id)
                await self._postpone(InboxItem, item.id, exc)
                continue
            ident = (item.source or "", item.external_id or "")
            if plan.action is _Action.edit and plan.fields.get("negative") and ident not in stored:
                if ident in earlier:
                    # An item before it in the batch may have stored it: once they are all
                    # taken, the database says.
                    if negatives:
                        taken = await self._take_negatives(negatives, holders)
                        negatives = []
                    finished += await self._take_chunk(taken, chunk, holders)
                    taken, chunk = [], []
                    async with self.ctx.db.sessions() as session:
                        stored |= await _stored_alerts(session, [item])
                if ident not in stored:
                    plan = replace(plan, action=_Action.ingest, by_edit=True)
            elif (
                plan.action is _Action.edit
                and plan.alert is not None
                and ident not in stored
                and ident not in earlier
                and holders.get(_seen_key(item)) is None
            ):
                # Its add never reached us: the edit is the item's first sighting, taken as
                # that add would have been (brand activity; under an open crisis's post, it
                # joins the crisis).
                plan = replace(plan, action=_Action.keep)
            earlier.add(ident)
            if plan.action is _Action.ingest:
                finished += await self._take_chunk(taken, chunk, holders)
                taken, chunk = [], []
                negatives.append((item, plan))
            else:
                if negatives:
                    taken = await self._take_negatives(negatives, holders)
                    negatives = []
                chunk.append((item, plan))
        if negatives:
            taken = await self._take_negatives(negatives, holders)
        return finished + await self._take_chunk(taken, chunk, holders)

    async def _read_links(self, claimed: list[InboxItem]) -> None:
        """Better links for the batch's items from their sources' APIs, before any of them is
        taken (and outside any transaction: the database waits for no API)."""
        by_feed: dict[str, list[dict[str, Any]]] = {}
        for item in claimed:
            if item.feed in self.link_readers and item.data.get("link"):
                by_feed.setdefault(item.feed, []).append(item.data)
        for feed, data in by_feed.items():
            try:
                await self.link_readers[feed](data, self.ctx.settings)
            except Exception as exc:
                # The built links stand: a better link is worth no lost item.
                log.warning("inbox links not read", feed=feed, error=type(exc).__name__)

    async def _claim(self, table: type[InboxDelivery] | type[InboxItem], pending: str) -> list[int]:
        """Reserve up to a batch of due rows for this worker, oldest first."""
        return await claim_due(self.ctx, table, pending, self.worker_id, _BATCH)

    async def _release(self, table: type[InboxDelivery] | type[InboxItem], ids: list[int]) -> None:
        """Give back rows claimed but not started (the server is stopping): the next process
        takes them at once instead of after the lease."""
        async with self.ctx.db.transaction() as session:
            await session.execute(
                update(table)
                .where(table.id.in_(ids), table.claimed_by == self.worker_id)
                .values(claimed_by=None, available_at=self.ctx.clock.now())
            )

    async def _parse(self, delivery_id: int) -> None:
        try:
            async with self.ctx.db.transaction() as session:
                delivery = await session.get(InboxDelivery, delivery_id)
                if delivery is None or delivery.claimed_by != self.worker_id:
                    return
                parser = self.parsers.get(delivery.feed)
                if parser is None:
                    raise LookupError(f"no parser registered for feed {delivery.feed!r}")
                results = parser(json.loads(delivery.body), self.ctx.settings)
                now = self.ctx.clock.now()
                if results:
                    # Core's executemany: a delivery may hold a thousand items, and ORM
                    # objects for them would cost more than parsing them did.
                    await session.execute(
                        insert(InboxItem.__table__),
                        [_item_row(delivery, result, now) for result in results],
                    )
                delivery.status = DeliveryStatus.parsed.value
                delivery.parsed_at = now
                delivery.claimed_by = None
                delivery.last_error = None
        except Exception as exc:
            log.exception("inbox delivery not parsed", delivery=delivery_id)
            await self._postpone(InboxDelivery, delivery_id, exc)
            return
        for result in results:
            if isinstance(result, ItemError):
                SOURCE_ITEMS.labels(source=delivery.feed, outcome=ItemOutcome.refused.value).inc()

    async def _take_chunk(
        self,
        taken: list[_Taken],
        chunk: list[tuple[InboxItem, _Plan]],
        holders: dict[str, int | None],
    ) -> int:
        """The outcomes of negative items the intake took, then items that open nothing
        (kept, edits, removals, tests, refusals) with theirs, in one transaction. When it
        fails, it is rolled back: the outcomes are written on their own and the items taken
        again one by one (`_take_chunk_alone`), so one that fails is postponed alone."""
        if not taken and not chunk:
            return 0
        trial = dict(holders)
        try:
            async with self.ctx.db.transaction() as session:
                await _write_outcomes(session, [self._taken_outcome(*t) for t in taken])
                done = await self._apply_all(session, chunk, trial)
        except Exception:
            log.info("inbox items go again one at a time", items=len(chunk), exc_info=True)
            finished = await self._finish_all(taken)
            return finished + await self._take_chunk_alone(chunk, holders)
        holders.update(trial)
        for item, _, result in taken:
            self._counted(item, result)
        for item, result in done:
            self._counted(item, result)
        return len(taken) + len(done)

    async def _take_chunk_alone(
        self, chunk: list[tuple[InboxItem, _Plan]], holders: dict[str, int | None]
    ) -> int:
        """The items of a chunk in one transaction with a savepoint each: one that fails is
        postponed alone and the others commit together."""
        done: list[tuple[InboxItem, NativeResult]] = []
        failed: list[tuple[InboxItem, Exception]] = []
        seen: dict[str, int | None] = {}
        try:
            async with self.ctx.db.transaction() as session:
                for item, plan in chunk:
                    # Its own: what an item rolled back to its savepoint saw is forgotten.
                    mine: dict[str, int | None] = {}
                    try:
                        async with session.begin_nested():
                            ((_, result),) = await self._apply_all(session, [(item, plan)], mine)
                        seen.update(mine)
                    except IntegrityError:
                        # Another item with the same id was taken meanwhile.
                        result = NativeResult(ItemOutcome.duplicate)
                        async with session.begin_nested():
                            await self._record(session, item, result, seen=False, **plan.fields)
                    except Exception as exc:
                        log.exception("inbox item not processed", item=item.id)
                        failed.append((item, exc))
                        continue
                    done.append((item, result))
        except Exception as exc:
            log.exception("inbox items not processed", items=len(chunk))
            for item, _ in chunk:
                await self._postpone(InboxItem, item.id, exc)
            return 0
        holders.update(seen)
        for item, error in failed:
            await self._postpone(InboxItem, item.id, error)
        for item, result in done:
            self._counted(item, result)
        return len(done)

    async def _apply_all(
        self,
        session: AsyncSession,
        chunk: list[tuple[InboxItem, _Plan]],
        holders: dict[str, int | None],
    ) -> list[tuple[InboxItem, NativeResult]]:
        """The items' outcomes in this transaction, in order, each as if it came alone after
        the ones before it. What they need from the database is looked up once for all of
        them (which were seen, unless `holders` knows; the stored alerts; the open crises
        under their posts), and the brand counts and outcome rows are written once at the
        end. `holders` learns the items seen here."""
        if not chunk:
            return []
        unknown = [item for item, _ in chunk if _seen_key(item) not in holders]
        if unknown:
            holders.update(await self._seen_holders(session, unknown))
        batch = await native_intake.prepare(
            session,
            self.ctx,
            (ident for item, plan in chunk if (ident := _ident(item, plan)) is not None),
            (
                plan.alert.parent_url
                for _, plan in chunk
                if plan.action is _Action.keep and plan.alert and plan.alert.parent_url
            ),
        )
        done: list[tuple[InboxItem, NativeResult]] = []
        outcomes: list[dict[str, Any]] = []
        for item, plan in chunk:
            result, outcome = await self._apply(session, batch, holders, item, plan)
            done.append((item, result))
            outcomes.append(outcome)
        await native_intake.settle(session, batch)
        await _write_outcomes(session, outcomes)
        return done

    async def _apply(
        self,
        session: AsyncSession,
        batch: native_intake.Batch,
        holders: dict[str, int | None],
        item: InboxItem,
        plan: _Plan,
    ) -> tuple[NativeResult, dict[str, Any]]:
        """One item's outcome and the values its row takes. `holders`: which item each
        (source, id) has been seen under, kept up to date here."""
        if plan.action is _Action.refuse:
            return NativeResult(ItemOutcome.refused), self._refusal(item, plan.reason)
        if plan.action is _Action.test:
            result = NativeResult(ItemOutcome.test)
        elif plan.action is _Action.gone:
            result = await native_intake.record_gone(
                session,
                self.ctx,
                batch,
                plan.outcome,
                item.source or "",
                item.external_id or "",
                item.feed,
            )
        elif plan.action is _Action.edit:
            result = await native_intake.apply_edit(
                session,
                self.ctx,
                batch,
                item.source or "",
                item.external_id or "",
                plan.text,
                item.feed,
            )
        elif _seen_elsewhere(item, holders):
            result = NativeResult(ItemOutcome.duplicate)
        else:
            result = await native_intake.keep_not_negative(
                session, self.ctx, batch, _alert_of(plan), item.feed
            )
        seen = plan.action is _Action.keep and result.outcome is not ItemOutcome.duplicate
        if seen:
            holders[_seen_key(item)] = item.id
        return result, self._outcome(item, result, seen=seen, **plan.fields)

    async def _take_negatives(
        self, negatives: list[tuple[InboxItem, _Plan]], holders: dict[str, int | None]
    ) -> list[_Taken]:
        """New negative items: through the intake `POST /alerts` uses, together (its writer
        commits them in batches, each decided as if it came alone after the ones before it).
        Their outcomes are returned, to be written with the items after them: a crash
        before that retries them, and the intake finds them stored. An item that fails is
        postponed alone."""
        seen = [
            item for item, plan in negatives if not plan.by_edit and _seen_elsewhere(item, holders)
        ]
        fresh = [(item, plan) for item, plan in negatives if item not in seen]
        try:
            taken = await native_intake.take_negatives(
                self.ctx, [(_alert_of(plan), item.feed) for item, plan in fresh]
            )
        except Exception as exc:
            log.exception("inbox items not processed", items=len(negatives))
            for item, _ in negatives:
                await self._postpone(InboxItem, item.id, exc)
            return []
        results: dict[int, NativeResult | Exception] = {
            item.id: NativeResult(ItemOutcome.duplicate) for item in seen
        }
        results.update((item.id, result) for (item, _), result in zip(fresh, taken, strict=True))
        finished: list[_Taken] = []
        for item, plan in negatives:
            result = results[item.id]
            if isinstance(result, Exception):
                log.error("inbox item not processed", item=item.id, error=repr(result))
                await self._postpone(InboxItem, item.id, result)
                continue
            if result.outcome is not ItemOutcome.duplicate and not plan.by_edit:
                holders[_seen_key(item)] = item.id
            finished.append((item, plan, result))
        return finished

    def _taken_outcome(self, item: InboxItem, plan: _Plan, result: NativeResult) -> dict[str, Any]:
        seen = result.outcome is not ItemOutcome.duplicate and not plan.by_edit
        return self._outcome(item, result, seen=seen, **plan.fields)

    async def _finish_all(self, finished: list[_Taken]) -> int:
        """The outcomes of items taken by the intake in one transaction; when it fails (an
        item's id was taken meanwhile), each is recorded on its own."""
        if not finished:
            return 0
        try:
            async with self.ctx.db.transaction() as session:
                await _write_outcomes(session, [self._taken_outcome(*t) for t in finished])
        except Exception:
            log.warning("inbox outcomes rolled back; recorded one at a time", exc_info=True)
            done = 0
            for item, plan, result in finished:
                try:
                    await self._finish(item, result, seen=not plan.by_edit, **plan.fields)
                except Exception as exc:
                    log.exception("inbox item not processed", item=item.id)
                    await self._postpone(InboxItem, item.id, exc)
                    continue
                done += 1
            return done
        for item, _, result in finished:
            self._counted(item, result)
        return len(finished)

    async def _seen_holders(
        self, session: AsyncSession, items: list[InboxItem]
    ) -> dict[str, int | None]:
        """The item each of these items' (source, id) has been seen under (None: none)."""
        keys = {_seen_key(item) for item in items}
        rows = await session.execute(
            select(InboxItem.seen_key, InboxItem.id).where(InboxItem.seen_key.in_(keys))
        )
        holders: dict[str, int | None] = dict.fromkeys(keys)
        holders.update((key, holder) for key, holder in rows.all() if key is not None)
        return holders

    async def _finish(
        self, item: InboxItem, result: NativeResult, *, seen: bool = False, **fields: Any
    ) -> None:
        seen = seen and result.outcome is not ItemOutcome.duplicate
        try:
            async with self.ctx.db.transaction() as session:
                await self._record(session, item, result, seen=seen, **fields)
        except IntegrityError:
            if not seen:
                raise
            result = NativeResult(ItemOutcome.duplicate, result.crisis)
            async with self.ctx.db.transaction() as session:
                await self._record(session, item, result, seen=False, **fields)
        self._counted(item, result)

    async def _record(
        self,
        session: AsyncSession,
        item: InboxItem,
        result: NativeResult,
        *,
        seen: bool,
        **fields: Any,
    ) -> None:
        await _write_outcomes(session, [self._outcome(item, result, seen=seen, **fields)])

    def _outcome(
        self, item: InboxItem, result: NativeResult, *, seen: bool, **fields: Any
    ) -> dict[str, Any]:
        """The values of a finished item's row."""
        return {
            "item_id": item.id,
            "status": ItemStatus.done.value,
            "outcome": result.outcome.value,
            "crisis_id": result.crisis,
            "claimed_by": None,
            "last_error": None,
            "processed_at": self.ctx.clock.now(),
            "seen_key": _seen_key(item) if seen else None,
            **fields,
        }

    def _refusal(self, item: InboxItem, reason: str) -> dict[str, Any]:
        """The values of the row of an item that is no valid alert."""
        return {
            "item_id": item.id,
            "status": ItemStatus.refused.value,
            "outcome": ItemOutcome.refused.value,
            "claimed_by": None,
            "last_error": reason[:_ERROR_MAX],
            "processed_at": self.ctx.clock.now(),
        }

    def _counted(self, item: InboxItem, result: NativeResult) -> None:
        SOURCE_ITEMS.labels(source=item.feed, outcome=result.outcome.value).inc()
        if result.crisis is not None:
            self.ctx.on_outbox()

    async def _postpone(
        self, table: type[InboxDelivery] | type[InboxItem], row_id: int, exc: Exception
    ) -> None:
        async with self.ctx.db.transaction() as session:
            row: InboxDelivery | InboxItem | None = await session.get(table, row_id)
            if row is None or row.claimed_by != self.worker_id:
                return
            row.attempts += 1
            row.last_error = f"{exc.__class__.__name__}: {exc}"[:_ERROR_MAX]
            row.available_at = self.ctx.clock.now() + backoff(row.attempts)
            row.claimed_by = None


class _Action(enum.Enum):
    ingest = "ingest"  # new and negative: the core intake
    keep = "keep"  # new and not negative
    edit = "edit"
    gone = "gone"  # removed or hidden
    test = "test"
    refuse = "refuse"  # not a valid alert


@dataclass(frozen=True)
class _Plan:
    action: _Action
    alert: AlertIn | None = None
    text: str | None = None
    outcome: ItemOutcome = ItemOutcome.removed
    reason: str = ""
    # The verdict, stored with the outcome.
    fields: dict[str, Any] = field(default_factory=dict)
    # An edit taken as a new complaint: the item's (source, id) may have been seen under
    # the item that added it, which keeps that mark.
    by_edit: bool = False


# A negative item the intake took, with its outcome still to be written.
_Taken = tuple[InboxItem, _Plan, NativeResult]


def _plan(item: InboxItem) -> _Plan:
    """What to do with an item: decided from the item alone (its kind, its alert, the
    negativity verdict), before any transaction."""
    kind = ItemKind(item.kind)
    alert_data: dict[str, Any] = item.data.get("alert") or {}
    if kind is ItemKind.test:
        return _Plan(_Action.test)
    if kind in (ItemKind.removed, ItemKind.hidden):
        outcome = ItemOutcome.removed if kind is ItemKind.removed else ItemOutcome.hidden
        return _Plan(_Action.gone, outcome=outcome)
    stars = item.data.get("stars")
    stars = stars if isinstance(stars, int) else None
    if kind is ItemKind.edited:
        text = alert_data.get("text")
        text = text if isinstance(text, str) and text.strip() else None
        # Judged as well: an edit of an item never stored as a complaint (its add was not
        # negative, or never came) that is negative now is a new complaint.
        placeholder = text or (f"[{stars} stars]" if stars else None)
        try:
            alert = parse_alert({**alert_data, "text": placeholder})
        except AlertInvalid:
            return _Plan(_Action.edit, text=text)
        alert, fields = _judged(alert, stars)
        return _Plan(_Action.edit, alert=alert, text=text, fields=fields)
    try:
        alert = parse_alert(alert_data)
    except AlertInvalid as invalid:
        return _Plan(_Action.refuse, reason=invalid.error)
    alert, fields = _judged(alert, stars)
    return _Plan(_Action.ingest if fields["negative"] else _Action.keep, alert=alert, fields=fields)


def _judged(alert: AlertIn, stars: int | None) -> tuple[AlertIn, dict[str, Any]]:
    """The alert with our sentiment estimate, and the verdict's fields of its item's row."""
    verdict = judge(alert.text, sentiment=alert.sentiment, stars=stars, language=alert.language)
    fields = {"negative": verdict.negative, "score": verdict.score, "verdict": verdict.reason[:200]}
    return native_intake.with_verdict(alert, verdict), fields


def _alert_of(plan: _Plan) -> AlertIn:
    if plan.alert is None:
        raise ValueError(f"a {plan.action.value} plan carries no alert")
    return plan.alert


def _ident(item: InboxItem, plan: _Plan) -> tuple[str, str] | None:
    """The (source, id) whose stored alert the item's action reads, if any."""
    if plan.action is _Action.keep:
        alert = _alert_of(plan)
        return alert.source.value, alert.id
    if plan.action in (_Action.edit, _Action.gone):
        return item.source or "", item.external_id or ""
    return None


async def _write_outcomes(session: AsyncSession, outcomes: list[dict[str, Any]]) -> None:
    """Items' rows (`item_id` and the values they take): one executemany per set of
    columns."""
    by_columns: dict[frozenset[str], list[dict[str, Any]]] = {}
    for outcome in outcomes:
        by_columns.setdefault(frozenset(outcome), []).append(outcome)
    table = InboxItem.__table__
    for rows in by_columns.values():
        await session.execute(update(table).where(table.c.id == bindparam("item_id")), rows)


async def _stored_alerts(session: AsyncSession, items: list[InboxItem]) -> set[tuple[str, str]]:
    """The (source, id) of these items that are stored as alerts."""
    pairs = {(item.source, item.external_id) for item in items if item.source and item.external_id}
    if not pairs:
        return set()
    rows = await session.execute(
        select(Alert.source, Alert.external_id).where(
            among_pairs(session, Alert.source, Alert.external_id, pairs)
        )
    )
    return {(source, id_) for source, id_ in rows.all() if (source, id_) in pairs}


def _seen_elsewhere(item: InboxItem, holders: dict[str, int | None]) -> bool:
    return holders.get(_seen_key(item)) not in (None, item.id)


def _seen_key(item: InboxItem) -> str:
    return f"{item.source}:{item.external_id}"[:240]


def _item_row(
    delivery: InboxDelivery, result: SourceItem | ItemError, now: datetime
) -> dict[str, Any]:
    if isinstance(result, ItemError):
        return {
            "delivery_id": delivery.id,
            "feed": delivery.feed,
            "kind": "refused",
            "source": None,
            "external_id": None,
            "brand": None,
            "data": {"item": _as_json(result.item)},
            "status": ItemStatus.refused.value,
            "outcome": ItemOutcome.refused.value,
            "attempts": 0,
            "available_at": now,
            "last_error": result.reason[:_ERROR_MAX],
            "created_at": now,
            "processed_at": now,
        }
    alert = result.alert
    external_id = alert.get("id")
    return {
        "delivery_id": delivery.id,
        "feed": result.feed,
        "kind": result.kind.value,
        "source": str(alert.get("source") or "")[:32] or None,
        "external_id": str(external_id)[:200] if external_id is not None else None,
        "brand": str(alert["brand"])[:200] if alert.get("brand") else None,
        "data": {"alert": result.alert, "stars": result.stars}
        | ({"link": result.link} if result.link else {}),
        "status": ItemStatus.pending.value,
        "outcome": None,
        "attempts": 0,
        "available_at": now,
        "last_error": None,
        "created_at": now,
        "processed_at": None,
    }


def _as_json(value: Any) -> Any:
    """The refused item as JSON can hold it (it came from JSON, but a parser may wrap it)."""
    return json.loads(json.dumps(value, default=str))


async def claim_due(
    ctx: CoreContext, table: type[Any], pending: str, worker_id: str, batch: int
) -> list[int]:
    """Lease up to `batch` due rows of a work table (`status`, `available_at`, `claimed_by`)
    to one worker, oldest first: a conditional UPDATE, so two workers (or replicas) never
    take the same row, on SQLite and PostgreSQL alike."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        due = list(
            (
                await session.scalars(
                    select(table.id)
                    .where(table.status == pending, table.available_at <= now)
                    .order_by(table.id)
                    .limit(batch)
                )
            ).all()
        )
        if not due:
            return []
        await session.execute(
            update(table)
            .where(table.id.in_(due), table.status == pending, table.available_at <= now)
            .values(available_at=now + LEASE, claimed_by=worker_id)
        )
        claimed = await session.scalars(
            select(table.id)
            .where(table.id.in_(due), table.claimed_by == worker_id)
            .order_by(table.id)
        )
        return list(claimed.all())
