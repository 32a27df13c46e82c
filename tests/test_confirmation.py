"""The customer's confirmation link: made when a resolution is proposed, answered on a
public page, refused without side effects when expired, tampered with, replayed or moved to
another crisis."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot import crisis_flow, roster
from bot.actors import WEBHOOK
from bot.clock import FixedClock
from bot.context import CoreContext
from bot.intake import ingest
from handlers import confirm_page
from models import ConfirmationLink, Crisis, OutboxMessage, Reminder, RosterLevel, TimelineEvent
from tests.helpers import alert, slack_user

BASE = "https://crisis.example.com"
ANNA = slack_user("UANNA", "anna")
NOTE = "Internal: refund 199 zł approved by Marek from accounting"


@pytest.fixture
def link_ctx(ctx: CoreContext) -> CoreContext:
    ctx.settings.public_base_url = BASE
    return ctx


@pytest.fixture
async def page(link_ctx: CoreContext) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    confirm_page.register(app.router, link_ctx)
    async with TestClient(TestServer(app)) as client:
        yield client


async def awaiting(ctx: CoreContext, n: int, **fields: Any) -> str:
    """Crisis #n opened, acknowledged by Anna and a resolution proposed; returns the link
    the owner got in the thread."""
    async with ctx.db.transaction() as session:
        if await roster.find_member(session, ANNA) is None:
            await roster.add(session, ANNA, ANNA, RosterLevel.senior, ctx.clock.now())
            member = await roster.find_member(session, ANNA)
            assert member is not None
            member.display_name = "Anna Nowak"
    data = {"id": f"p{n}", "url": f"https://facebook.com/sklep/posts/{n}", **fields}
    result = await ingest(ctx, alert(**data), WEBHOOK)
    assert result.crisis == n
    await crisis_flow.acknowledge(ctx, n, ANNA)
    await crisis_flow.propose_resolution(ctx, n, ANNA, "refund", NOTE)
    key, params = (await thread(ctx, n))[-1]
    assert key == "thread.confirmation_link"
    url = params["link"]["link"]["url"]
    assert url.startswith(BASE + "/confirm/")
    return url.removeprefix(BASE)


async def thread(ctx: CoreContext, n: int) -> list[tuple[str, dict[str, Any]]]:
    async with ctx.db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.crisis_id == n, OutboxMessage.kind == "thread")
            .order_by(OutboxMessage.id)
        )
        return [(row.data["key"], row.data["params"]) for row in rows]


async def snapshot(ctx: CoreContext) -> list[Any]:
    """Everything an answer could change."""
    async with ctx.db.sessions() as session:
        crises = (await session.scalars(select(Crisis).order_by(Crisis.id))).all()
        links = (await session.scalars(select(ConfirmationLink))).all()
        reminders = (await session.scalars(select(Reminder))).all()
        return [
            [(c.id, c.status, c.closed_at) for c in crises],
            [(link.id, link.outcome, link.answered_at) for link in links],
            [(r.id, r.status, r.due_at) for r in reminders],
            len((await session.scalars(select(TimelineEvent))).all()),
            len((await session.scalars(select(OutboxMessage))).all()),
        ]


async def status(ctx: CoreContext, n: int) -> str:
    async with ctx.db.sessions() as session:
        crisis = await session.get(Crisis, n)
        assert crisis is not None
        return crisis.status


async def post(client: TestClient[Any, Any], path: str, **form: str) -> tuple[int, str]:
    async with client.post(path, data=form) as response:
        return response.status, await response.text()


async def get(client: TestClient[Any, Any], path: str) -> tuple[int, str]:
    async with client.get(path) as response:
        return response.status, await response.text()


async def test_the_page_asks_in_the_customers_language_and_shows_nothing_internal(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    path = await awaiting(link_ctx, 1, language="pl")
    before = await snapshot(link_ctx)
    code, html = await get(page, path)
    assert code == 200
    assert "Sklep" in html and "opóźniona dostawa" in html and "Facebook" in html
    assert "Czy problem został rozwiązany?" in html and "Nie, jeszcze nie" in html
    for secret in ("Marek", "Internal", "199", "Anna", "anna", "refund"):
        assert secret not in html
    # Looking at the page changes nothing; only the form's POST answers.
    assert await snapshot(link_ctx) == before
    assert f'action="{path}"' in html and 'method="post"' in html

    path = await awaiting(link_ctx, 2, language="en", text="The jacket I got is not as described")
    code, html = await get(page, path)
    assert "Is your problem solved?" in html and "not as described" in html


async def test_yes_closes_the_crisis_stops_reminders_and_works_once(
    link_ctx: CoreContext, page: TestClient[Any, Any], clock: FixedClock
) -> None:
    path = await awaiting(link_ctx, 1)
    clock.advance(timedelta(hours=3))
    code, html = await post(page, path, answer="yes", comment="")
    assert code == 200 and "Dziękujemy" in html
    assert await status(link_ctx, 1) == "closed"
    async with link_ctx.db.sessions() as session:
        pending = await session.scalar(select(Reminder).where(Reminder.pending_for == 1))
        events = (await session.scalars(select(TimelineEvent.actor))).all()
    assert pending is None
    assert events[-1] == "customer:confirmation_link"
    key, params = (await thread(link_ctx, 1))[-1]
    assert key == "thread.customer_confirmed"
    assert params["at"] == {"time": clock.now().isoformat()}

    # A replay (or a second click) is refused and changes nothing.
    before = await snapshot(link_ctx)
    for answer in ("yes", "no"):
        code, html = await post(page, path, answer=answer)
        assert code == 410 and "już użyty" in html
    code, html = await get(page, path)
    assert code == 410
    assert await snapshot(link_ctx) == before


async def test_not_yet_goes_back_to_acknowledged_tells_the_owner_and_keeps_reminding(
    link_ctx: CoreContext, page: TestClient[Any, Any], clock: FixedClock
) -> None:
    path = await awaiting(link_ctx, 1)
    code, html = await post(page, path, answer="no", comment="Pieniądze jeszcze nie doszły")
    assert code == 200 and "Wkrótce" in html
    assert await status(link_ctx, 1) == "acknowledged"
    key, params = (await thread(link_ctx, 1))[-1]
    assert key == "thread.customer_not_yet"
    assert params["comment"] == "Pieniądze jeszcze nie doszły"
    assert params["owner"] == {"member": 1}
    async with link_ctx.db.sessions() as session:
        reminder = await session.scalar(select(Reminder).where(Reminder.pending_for == 1))
    assert reminder is not None and reminder.kind == "follow_up"
    assert reminder.due_at == clock.now() + link_ctx.settings.reminder_interval
    # The link answered its question; the owner's next proposal brings a new one.
    code, _ = await post(page, path, answer="yes")
    assert code == 410 and await status(link_ctx, 1) == "acknowledged"
    await crisis_flow.propose_resolution(link_ctx, 1, ANNA, None, None)
    new_path = (await thread(link_ctx, 1))[-1][1]["link"]["link"]["url"].removeprefix(BASE)
    assert new_path != path
    assert (await post(page, new_path, answer="yes"))[0] == 200
    assert await status(link_ctx, 1) == "closed"


async def test_expired_links_are_refused_without_side_effects(
    link_ctx: CoreContext, page: TestClient[Any, Any], clock: FixedClock
) -> None:
    path = await awaiting(link_ctx, 1)
    clock.advance(timedelta(days=14))
    before = await snapshot(link_ctx)
    code, html = await post(page, path, answer="yes")
    assert code == 410 and "wygasł" in html
    assert (await get(page, path))[0] == 410
    assert await snapshot(link_ctx) == before
    assert await status(link_ctx, 1) == "awaiting_confirmation"


async def test_tampered_and_cross_crisis_links_are_refused_and_leak_nothing(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    first = await awaiting(link_ctx, 1)
    second = await awaiting(link_ctx, 2, brand="Other Shop")
    link_id, crisis_id, expires, signature = first.removeprefix("/confirm/").split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_sig = second.removeprefix("/confirm/").split(".")[3]
    forged = [
        f"/confirm/{link_id}.{crisis_id}.{expires}.{flipped}",  # signature changed
        f"/confirm/{link_id}.2.{expires}.{signature}",  # moved to crisis #2
        f"/confirm/2.{crisis_id}.{expires}.{signature}",  # another link's id
        f"/confirm/{link_id}.{crisis_id}.{int(expires) + 86400}.{signature}",  # longer life
        f"/confirm/{link_id}.{crisis_id}.{expires}.{other_sig}",  # crisis #2's signature
        "/confirm/1.1.99999999999.x",
        "/confirm/" + "9" * 40,
    ]
    before = await snapshot(link_ctx)
    for path in forged:
        for code, html in (await get(page, path), await post(page, path, answer="yes")):
            assert code == 404, path
            assert "not valid" in html
            assert "Sklep" not in html and "Other Shop" not in html
            shown = html.split("</style>")[1]
            assert not re.search(r"crisis|#\d|Traceback", shown, re.IGNORECASE)
    assert await snapshot(link_ctx) == before
    # The genuine links still work, each for its own crisis.
    assert (await post(page, second, answer="yes"))[0] == 200
    assert [await status(link_ctx, n) for n in (1, 2)] == ["awaiting_confirmation", "closed"]


async def test_bad_answers_and_stale_links_change_nothing(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    path = await awaiting(link_ctx, 1)
    before = await snapshot(link_ctx)
    assert (await post(page, path, answer="maybe"))[0] == 404
    code, html = await post(page, path, answer="no", comment="x" * 2001)
    assert code == 400 and "za długi" in html
    assert await snapshot(link_ctx) == before
    # The owner recorded the confirmation themselves: the customer's link has nothing to ask.
    await crisis_flow.confirm(link_ctx, 1, ANNA, None)
    code, html = await get(page, path)
    assert code == 410 and "nie jest już aktualne" in html


async def test_the_page_cannot_be_framed_cached_or_leak_its_url(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    path = await awaiting(link_ctx, 1)
    async with page.get(path) as response:
        headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


async def test_a_configured_secret_signs_the_links(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    from pydantic import SecretStr

    link_ctx.settings.confirmation_secret = SecretStr("first-secret")
    path = await awaiting(link_ctx, 1)
    link_ctx.settings.confirmation_secret = SecretStr("rotated-secret")
    assert (await get(page, path))[0] == 404
    link_ctx.settings.confirmation_secret = SecretStr("first-secret")
    assert (await get(page, path))[0] == 200


async def test_error_pages_speak_the_customers_language_not_the_browsers(
    link_ctx: CoreContext, page: TestClient[Any, Any], clock: FixedClock
) -> None:
    english = await awaiting(link_ctx, 1, text="My parcel is three weeks late", language="en")
    polish = await awaiting(link_ctx, 2)
    clock.advance(timedelta(days=14))
    for path, words in ((english, "has expired"), (polish, "wygasł")):
        for method in (get, post):
            async with page.request(
                "POST" if method is post else "GET",
                path,
                data={"answer": "yes"} if method is post else None,
                headers={"Accept-Language": "de-DE,de;q=0.9"},
            ) as response:
                html = await response.text()
            assert response.status == 410 and words in html, (path, method)
    # A link that is no link at all has no customer: the browser's language decides.
    async with page.get("/confirm/1.1.1.x", headers={"Accept-Language": "pl-PL"}) as response:
        assert response.status == 404 and "nieprawidłowy" in await response.text()


async def test_a_review_is_never_asked_to_be_removed(
    link_ctx: CoreContext, page: TestClient[Any, Any]
) -> None:
    review = await awaiting(
        link_ctx, 1, source="trustpilot", url="https://www.trustpilot.com/reviews/1", language="en"
    )
    social = await awaiting(link_ctx, 2, language="en")
    code, html = await post(page, review, answer="yes")
    assert code == 200 and "update your review" in html and "remove" not in html
    code, html = await post(page, social, answer="yes")
    assert code == 200 and "update or remove your post" in html
