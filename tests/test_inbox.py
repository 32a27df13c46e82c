"""The inbox: deliveries stored, parsed and processed; failures retried with backoff and
visible, never dropped; a poller's delivery stored inside its own transaction."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import inbox as inbox_module
from bot import native_intake
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.inbox import Inbox, store
from bot.intake import ingest
from bot.settings import Settings
from bot.source_items import ItemError, ItemKind, SourceItem
from models import Alert, BrandHour, Crisis, InboxDelivery, InboxItem
from tests.helpers import alert, count, slack_user


def comment(n: int, text: str, brand: str = "Sklep") -> dict[str, Any]:
    return {
        "id": f"c-{n}",
        "source": "forum",
        "url": f"https://forum.example.com/t/{n}",
        "text": text,
        "brand": brand,
    }


def forum_parser(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    return [
        SourceItem("forum", ItemKind.added, entry)
        if isinstance(entry, dict)
        else ItemError("not an object", entry)
        for entry in payload
    ]


def make_inbox(ctx: CoreContext) -> Inbox:
    inbox = Inbox(ctx)
    inbox.register("forum", forum_parser)
    return inbox


async def items(ctx: CoreContext) -> list[InboxItem]:
    async with ctx.db.sessions() as session:
        return list((await session.scalars(select(InboxItem).order_by(InboxItem.id))).all())


async def test_a_parser_failure_is_visible_and_retried_with_backoff(
    ctx: CoreContext, clock: FixedClock
) -> None:
    inbox = Inbox(ctx)
    calls: list[int] = []

    def flaky(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("the vendor changed its shape")
        return forum_parser(payload, settings)

    inbox.register("forum", flaky)
    await inbox.receive("forum", json.dumps([comment(1, "Oszuści, nie polecam!")]))
    assert await inbox.drain() == 0
    async with ctx.db.sessions() as session:
        delivery = await session.scalar(select(InboxDelivery))
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "ValueError: the vendor changed its shape"
    assert delivery.available_at == clock.now() + timedelta(seconds=2)
    assert await inbox.drain() == 0  # not before its next try
    clock.advance(timedelta(seconds=2))
    assert await inbox.drain() == 1
    [item] = await items(ctx)
    assert (item.outcome, item.crisis_id) == ("opened", 1)


async def test_an_item_that_fails_is_retried_not_dropped(
    ctx: CoreContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(ctx)
    real = native_intake.take_negatives
    failures = [RuntimeError("database hiccup"), RuntimeError("database hiccup")]

    async def failing(*args: Any, **kwargs: Any) -> list[native_intake.NativeResult | Exception]:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)

    monkeypatch.setattr(inbox_module.native_intake, "take_negatives", failing)
    await inbox.receive("forum", json.dumps([comment(1, "Oszuści, nie polecam!")]))
    await inbox.drain()
    [item] = await items(ctx)
    assert (item.status, item.attempts, item.last_error) == (
        "pending",
        1,
        "RuntimeError: database hiccup",
    )
    clock.advance(timedelta(seconds=2))
    await inbox.drain()
    [item] = await items(ctx)
    assert (item.status, item.attempts) == ("pending", 2)
    assert item.available_at == clock.now() + timedelta(seconds=4)
    clock.advance(timedelta(seconds=4))
    assert await inbox.drain() == 1
    [item] = await items(ctx)
    assert (item.status, item.outcome, item.last_error) == ("done", "opened", None)


async def test_a_poller_stores_its_page_inside_its_own_transaction(ctx: CoreContext) -> None:
    inbox = make_inbox(ctx)
    body = json.dumps([comment(1, "Oszuści, nie polecam!")])
    with pytest.raises(RuntimeError):
        async with ctx.db.transaction() as session:
            store(session, "forum", body, ctx.clock.now())
            raise RuntimeError("the cursor could not be saved")
    assert await count(ctx.db, InboxDelivery) == 0
    async with ctx.db.transaction() as session:
        store(session, "forum", body, ctx.clock.now())
    assert await inbox.drain() == 1
    assert await count(ctx.db, Crisis) == 1


async def test_malformed_items_are_recorded_with_their_reason(ctx: CoreContext) -> None:
    inbox = make_inbox(ctx)
    payload = [
        comment(1, "Oszuści, nie polecam!"),
        "garbage",
        {**comment(2, "Masakra"), "url": "not a url"},
    ]
    await inbox.receive("forum", json.dumps(payload))
    await inbox.drain()
    found = await items(ctx)
    assert [(i.outcome, i.last_error) for i in found] == [
        ("opened", None),
        ("refused", "not an object"),
        ("refused", "url: Value error, must be an http(s) URL"),
    ]
    assert found[1].data == {"item": "garbage"}


async def test_praise_is_brand_activity_but_never_a_spike(ctx: CoreContext) -> None:
    ctx.settings = ctx.settings.model_copy(update={"spike_min_count": 3})
    inbox = make_inbox(ctx)
    praise = [comment(n, "Dziękuję, wszystko super!") for n in range(10)]
    await inbox.receive("forum", json.dumps(praise))
    await inbox.drain()
    assert {i.outcome for i in await items(ctx)} == {"not_negative"}
    assert await count(ctx.db, Crisis) == 0
    async with ctx.db.sessions() as session:
        [hour] = (await session.scalars(select(BrandHour))).all()
    assert (hour.mentions, hour.not_negative) == (0, 10)
    # Three complaints are a spike of negative posts; the praise before them does not count.
    complaints = [comment(100 + n, "Oszuści, nie polecam!", brand="Sklep") for n in range(3)]
    await inbox.receive("forum", json.dumps(complaints))
    await inbox.drain()
    async with ctx.db.sessions() as session:
        hour = await session.scalar(select(BrandHour))
    assert hour is not None and (hour.mentions, hour.not_negative) == (3, 10)


async def test_an_unknown_feed_waits_visibly_until_it_is_registered(
    ctx: CoreContext, clock: FixedClock
) -> None:
    await Inbox(ctx).receive("forum", "[]")
    async with ctx.db.sessions() as session:
        delivery = await session.scalar(select(InboxDelivery))
    assert delivery is not None and delivery.last_error is None
    inbox = Inbox(ctx)
    await inbox.drain()
    async with ctx.db.sessions() as session:
        delivery = await session.scalar(select(InboxDelivery))
    assert delivery is not None
    assert delivery.last_error == "LookupError: no parser registered for feed 'forum'"
    clock.advance(timedelta(seconds=2))
    inbox.register("forum", forum_parser)
    await inbox.drain()
    async with ctx.db.sessions() as session:
        delivery = await session.scalar(select(InboxDelivery))
    assert delivery is not None and delivery.status == "parsed"


async def test_rows_claimed_when_stopping_are_given_back_at_once(ctx: CoreContext) -> None:
    inbox = make_inbox(ctx)
    await inbox.receive("forum", json.dumps([comment(n, "Oszuści!") for n in range(3)]))
    await inbox._parse_due()
    await inbox.stop()  # asked to stop just after claiming its batch
    assert await inbox._process_due() == 0
    # Another process (a new worker id) takes them without waiting for the lease to end.
    assert await make_inbox(ctx).drain() == 3


def reply(n: int, text: str) -> dict[str, Any]:
    return {**comment(n, text), "parent_url": "https://forum.example.com/t/launch"}


async def test_a_crowd_of_complaints_under_one_post_is_one_crisis_counting_each_once(
    ctx: CoreContext,
) -> None:
    inbox = make_inbox(ctx)
    complaints = [reply(n, f"Oszuści, nie polecam! ({n})") for n in range(40)]
    praise = reply(100, "Dziękuję, wszystko super!")
    # A redelivered complaint inside the same delivery, and praise in the middle of the run.
    await inbox.receive(
        "forum", json.dumps([*complaints[:20], praise, *complaints[20:], complaints[3]])
    )
    assert await inbox.drain() == 42
    await inbox.receive("forum", json.dumps(complaints[:10]))  # the source sends them again
    assert await inbox.drain() == 10
    async with ctx.db.sessions() as session:
        [crisis] = (await session.scalars(select(Crisis))).all()
    assert crisis.alert_count == 41  # 40 complaints and the praise under the post, once each
    assert await count(ctx.db, Alert) == 41
    outcomes = [(i.external_id, i.outcome) for i in await items(ctx)]
    assert outcomes[0] == ("c-0", "opened")
    assert outcomes[1:20] == [(f"c-{n}", "grouped") for n in range(1, 20)]
    assert outcomes[20] == ("c-100", "not_negative")
    assert outcomes[21:41] == [(f"c-{n}", "grouped") for n in range(20, 40)]
    assert outcomes[41] == ("c-3", "duplicate")
    assert outcomes[42:] == [(f"c-{n}", "duplicate") for n in range(10)]


async def test_one_complaint_the_intake_fails_waits_alone_while_the_others_are_done(
    ctx: CoreContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(ctx)
    real = inbox_module.native_intake.ingest_many
    failing = ["c-2"]

    async def one_fails(ctx: CoreContext, batch: Any) -> list[Any]:
        results = await real(ctx, [(a, r) for a, r in batch if a.id not in failing])
        ok = iter(results)
        return [RuntimeError("lost") if a.id in failing else next(ok) for a, _ in batch]

    monkeypatch.setattr(inbox_module.native_intake, "ingest_many", one_fails)
    await inbox.receive("forum", json.dumps([reply(n, "Oszuści, nie polecam!") for n in range(4)]))
    assert await inbox.drain() == 3
    states = [(i.external_id, i.status, i.outcome, i.last_error) for i in await items(ctx)]
    assert states == [
        ("c-0", "done", "opened", None),
        ("c-1", "done", "grouped", None),
        ("c-2", "pending", None, "RuntimeError: lost"),
        ("c-3", "done", "grouped", None),
    ]
    failing.clear()
    clock.advance(timedelta(seconds=2))
    assert await inbox.drain() == 1
    [*_, third, _] = await items(ctx)
    assert (third.status, third.outcome, third.attempts) == ("done", "grouped", 1)


def kinds_parser(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    return [SourceItem("forum", ItemKind(entry.pop("kind")), entry) for entry in payload]


@pytest.mark.parametrize("claimed", [1, 200], ids=["one-at-a-time", "one-batch"])
async def test_a_mixed_batch_has_the_outcomes_of_its_items_one_at_a_time(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch, claimed: int
) -> None:
    monkeypatch.setattr(inbox_module, "_BATCH", claimed)
    inbox = Inbox(ctx)
    inbox.register("forum", kinds_parser)
    launch = "https://forum.example.com/t/launch"
    sale = "https://forum.example.com/t/sale"
    # Before the batch: a crisis open under the launch post, and a comment the team reported
    # through POST /alerts themselves.
    await inbox.receive(
        "forum", json.dumps([{"kind": "added", **reply(1, "Oszuści, nie polecam!")}])
    )
    await inbox.drain()
    await ingest(ctx, alert(id="c-9", source="forum", url=launch + "#9"), slack_user("U1"))
    thanks = "Dziękuję, wszystko super!"
    batch = [
        {"kind": "added", **comment(9, thanks)},  # stored through POST /alerts
        {"kind": "added", **reply(2, thanks)},  # joins the open crisis under its post
        {"kind": "added", **comment(3, "Oszuści, nie polecam!"), "parent_url": sale},
        {"kind": "added", **comment(4, thanks), "parent_url": sale},  # the same post
        {"kind": "edited", "id": "c-2", "source": "forum", "text": "Jednak dziękuję."},
        {"kind": "removed", "id": "c-3", "source": "forum"},
        {"kind": "added", **comment(5, thanks)},  # under no crisis's post
        {"kind": "added", **comment(4, thanks), "parent_url": sale},  # again in the batch
        {"kind": "added", **reply(1, "Oszuści, nie polecam!")},  # again after the batch before
    ]
    await inbox.receive("forum", json.dumps(batch))
    await inbox.drain()
    found = await items(ctx)
    assert [(i.kind, i.external_id, i.outcome, i.crisis_id) for i in found[1:]] == [
        ("added", "c-9", "duplicate", None),
        ("added", "c-2", "not_negative", 1),
        ("added", "c-3", "opened", 2),
        ("added", "c-4", "not_negative", 2),
        ("edited", "c-2", "edited", 1),
        ("removed", "c-3", "removed", 2),
        ("added", "c-5", "not_negative", None),
        ("added", "c-4", "duplicate", None),
        ("added", "c-1", "duplicate", None),
    ]
    async with ctx.db.sessions() as session:
        counts = (await session.execute(select(Crisis.id, Crisis.alert_count))).all()
        edited = await session.scalar(select(Alert.text).where(Alert.external_id == "c-2"))
        hour = await session.scalar(select(BrandHour))
    # The launch crisis: its complaint, the reported comment and the praise under it.
    assert sorted(counts) == [(1, 3), (2, 2)]
    assert edited == "Jednak dziękuję."
    assert hour is not None and hour.not_negative == 3  # c-2, c-4 and c-5, once each


@pytest.mark.parametrize("claimed", [1, 200], ids=["one-at-a-time", "one-batch"])
async def test_an_edit_of_an_item_never_stored_is_taken_as_its_add(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch, claimed: int
) -> None:
    monkeypatch.setattr(inbox_module, "_BATCH", claimed)
    inbox = Inbox(ctx)
    inbox.register("forum", kinds_parser)
    thanks, angry = "Dziękuję, wszystko super!", "Oszuści, nie polecam!"
    batch = [
        {"kind": "added", **comment(1, thanks)},  # praise, stored nowhere
        {"kind": "edited", **comment(1, angry)},  # ... turned complaint: a crisis
        {"kind": "edited", **comment(1, angry + " Nigdy więcej.")},  # now it is stored
        {"kind": "edited", **comment(2, angry, brand="Inny")},  # its add never came
        {"kind": "added", **comment(2, angry, brand="Inny")},  # ... and comes late
        {"kind": "added", **reply(3, angry)},  # a crisis under the launch post
        {"kind": "added", **reply(4, thanks)},  # praise that joins it
        {"kind": "edited", **reply(4, angry)},  # stored: an edit in that crisis
        {"kind": "added", **comment(5, thanks, brand="Trzeci")},
        {"kind": "edited", **comment(5, "Poprawione")},  # still not negative
        {"kind": "edited", "id": "c-6", "source": "forum", "text": angry},  # no alert to take
        {"kind": "edited", **reply(7, thanks)},  # praise whose add never came: joins
        {"kind": "added", **reply(7, thanks)},  # ... and comes late
        {"kind": "edited", **comment(8, thanks, brand="Trzeci")},  # counted, stored nowhere
    ]
    await inbox.receive("forum", json.dumps(batch))
    await inbox.drain()
    found = [(i.kind, i.external_id, i.outcome, i.crisis_id) for i in await items(ctx)]
    assert found == [
        ("added", "c-1", "not_negative", None),
        ("edited", "c-1", "opened", 1),
        ("edited", "c-1", "edited", 1),
        ("edited", "c-2", "opened", 2),
        ("added", "c-2", "duplicate", 2),
        ("added", "c-3", "opened", 3),
        ("added", "c-4", "not_negative", 3),
        ("edited", "c-4", "edited", 3),
        ("added", "c-5", "not_negative", None),
        ("edited", "c-5", "edited", None),
        ("edited", "c-6", "edited", None),
        ("edited", "c-7", "not_negative", 3),
        ("added", "c-7", "duplicate", None),
        ("edited", "c-8", "not_negative", None),
    ]
    async with ctx.db.sessions() as session:
        crises = (await session.execute(select(Crisis.id, Crisis.alert_count, Crisis.text))).all()
        texts = dict((await session.execute(select(Alert.external_id, Alert.text))).all())
        praise = dict(
            (
                await session.execute(
                    select(BrandHour.brand, BrandHour.not_negative).where(
                        BrandHour.not_negative > 0
                    )
                )
            ).all()
        )
    assert sorted(crises) == [
        (1, 1, angry + " Nigdy więcej."),
        (2, 1, angry),
        (3, 3, angry),
    ]
    assert texts == {
        "c-1": angry + " Nigdy więcej.",
        "c-2": angry,
        "c-3": angry,
        "c-4": angry,
        "c-7": thanks,
    }
    # c-1, c-4 and c-7 under Sklep; c-5 and c-8 under Trzeci: each item once.
    assert praise == {"sklep": 3, "trzeci": 2}
    # Delivered again, the complaint by edit is not taken twice.
    await inbox.receive("forum", json.dumps([{"kind": "edited", **comment(1, angry)}]))
    await inbox.drain()
    last = (await items(ctx))[-1]
    assert (last.outcome, last.crisis_id) == ("edited", 1)


async def test_an_item_that_fails_in_a_run_waits_alone_and_the_run_counts_once(
    ctx: CoreContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(ctx)
    inbox.register("forum", kinds_parser)
    real = native_intake.apply_edit

    async def failing(*args: Any, **kwargs: Any) -> native_intake.NativeResult:
        if "Poprawione" in args:
            raise RuntimeError("the edit broke")
        return await real(*args, **kwargs)

    monkeypatch.setattr(inbox_module.native_intake, "apply_edit", failing)
    thanks = "Dziękuję, wszystko super!"
    await inbox.receive(
        "forum",
        json.dumps(
            [
                {"kind": "added", **reply(1, "Oszuści, nie polecam!")},
                {"kind": "added", **reply(2, thanks)},
                {"kind": "edited", "id": "c-1", "source": "forum", "text": "Poprawione"},
                {"kind": "added", **comment(3, thanks)},
            ]
        ),
    )
    assert await inbox.drain() == 3
    found = await items(ctx)
    assert [(i.external_id, i.status, i.outcome, i.last_error) for i in found] == [
        ("c-1", "done", "opened", None),
        ("c-2", "done", "not_negative", None),
        ("c-1", "pending", None, "RuntimeError: the edit broke"),
        ("c-3", "done", "not_negative", None),
    ]
    async with ctx.db.sessions() as session:
        hour = await session.scalar(select(BrandHour))
        crisis = await session.scalar(select(Crisis))
    # The run was rolled back once and taken again: c-2 and c-3 still count once each.
    assert hour is not None and hour.not_negative == 2
    assert crisis is not None and crisis.alert_count == 2
