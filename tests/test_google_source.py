"""Google Business Profile reviews: Pub/Sub pushes signed with our own key, checked against
our own certificates endpoint, the reviews read from a fake Business Profile API."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select

from models import Crisis, GoogleNotification
from sandbox.fake_sources import (
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET,
    GOOGLE_REFRESH_TOKEN,
    FakeSources,
    new_signing_key,
    sign_token,
)
from tests.e2e import SlackBot, running_bot
from tests.helpers import count
from tests.sources import items_finished

AUDIENCE = "https://crisis.example.com/sources/google"
PUSHER = "gbp-push@crisis-project.iam.gserviceaccount.com"
LOCATION = "accounts/1100000000001/locations/2200000000002"


def review(review_id: str, stars: str, comment: str | None, **fields: Any) -> dict[str, Any]:
    """A review as the Business Profile API returns it."""
    body: dict[str, Any] = {
        "name": f"{LOCATION}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {"displayName": "Marta Wiśniewska", "isAnonymous": False},
        "starRating": stars,
        "createTime": "2026-11-23T08:15:00.123456789Z",
        "updateTime": "2026-11-23T08:15:00.123456789Z",
    }
    if comment is not None:
        body["comment"] = comment
    body.update(fields)
    return body


def push(message_id: str, data: dict[str, Any] | str) -> bytes:
    """A Pub/Sub push body: the notification base64-encoded in message.data."""
    raw = data if isinstance(data, str) else json.dumps(data)
    encoded = base64.b64encode(raw.encode()).decode()
    return json.dumps(
        {
            "message": {
                "attributes": {},
                "data": encoded,
                "messageId": message_id,
                "message_id": message_id,
                "publishTime": "2026-11-23T08:15:01.000Z",
            },
            "subscription": "projects/crisis-project/subscriptions/gbp-push",
        }
    ).encode()


def new_review(review_id: str) -> dict[str, Any]:
    return {"type": "NEW_REVIEW", "review": f"{LOCATION}/reviews/{review_id}"}


@asynccontextmanager
async def google_bot(database_url: str) -> AsyncIterator[tuple[SlackBot, FakeSources]]:
    async with FakeSources() as fake:
        settings = {
            "google_pubsub_audience": AUDIENCE,
            "google_pubsub_service_account": PUSHER,
            "google_certs_url": fake.certs_url,
            "google_token_url": fake.url("google/token"),
            "google_business_api_url": fake.url("google/v4"),
            "google_oauth_client_id": GOOGLE_CLIENT_ID,
            "google_oauth_client_secret": GOOGLE_CLIENT_SECRET,
            "google_oauth_refresh_token": GOOGLE_REFRESH_TOKEN,
            "google_brand": "Sklep",
        }
        async with running_bot(database_url, **settings) as slack:
            yield slack, fake


async def send(slack: SlackBot, body: bytes, token: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with slack.http.post(
        slack.url + "/sources/google", data=body, headers=headers
    ) as response:
        return response.status, await response.text()


async def stored(slack: SlackBot) -> int:
    async with slack.bot.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(GoogleNotification)) or 0)


async def test_a_one_star_review_opens_a_crisis_and_a_redelivered_push_counts_once(
    database_url: str,
) -> None:
    async with google_bot(database_url) as (slack, fake):
        fake.reviews[f"{LOCATION}/reviews/AbC1"] = review(
            "AbC1", "ONE", "Zamówienie nie dotarło, obsługa nie odbiera telefonu."
        )
        token = fake.push_token(AUDIENCE, PUSHER)
        body = push("9100000000000001", new_review("AbC1"))
        assert await send(slack, body, token) == (204, "")
        # Pub/Sub redelivers the same message, then Google notifies again under a new id.
        assert (await send(slack, body, token))[0] == 204
        again = push(
            "9100000000000002",
            {"notificationType": "NEW_REVIEW", "reviewName": f"{LOCATION}/reviews/AbC1"},
        )
        assert (await send(slack, again, token))[0] == 204
        items = await items_finished(slack.bot.db, 2)
        assert await stored(slack) == 2
        assert [(i.source, i.outcome) for i in items] == [
            ("google_reviews", "opened"),
            ("google_reviews", "duplicate"),
        ]
        assert items[0].external_id == f"{LOCATION}/reviews/AbC1"
        assert items[0].data["stars"] == 1
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
        text = str(slack.root(1)["blocks"])
        assert "Zamówienie nie dotarło" in text and "Marta Wiśniewska" in text


async def test_push_tokens_that_are_not_our_subscriptions_are_refused(
    database_url: str,
) -> None:
    async with google_bot(database_url) as (slack, fake):
        body = push("9100000000000003", new_review("AbC2"))
        now = int(time.time())
        other_key = new_signing_key()
        refused = {
            "no token": None,
            "wrong audience": fake.push_token("https://elsewhere.example.com", PUSHER),
            "wrong email": fake.push_token(AUDIENCE, "someone@evil.example.com"),
            "unverified": fake.push_token(AUDIENCE, PUSHER, email_verified=False),
            "expired": fake.push_token(AUDIENCE, PUSHER, iat=now - 7200, exp=now - 3600),
            "wrong key": sign_token(
                {
                    "iss": "https://accounts.google.com",
                    "aud": AUDIENCE,
                    "email": PUSHER,
                    "email_verified": True,
                    "iat": now,
                    "exp": now + 3600,
                },
                other_key,
            ),
            "wrong issuer": fake.push_token(AUDIENCE, PUSHER, iss="https://evil.example.com"),
        }
        for case, token in refused.items():
            status, text = await send(slack, body, token)
            assert status == 401, case
            assert "error" in json.loads(text), case
        assert await stored(slack) == 0
        # The same body with a good token is taken.
        assert (await send(slack, body, fake.push_token(AUDIENCE, PUSHER)))[0] == 204
        assert await stored(slack) == 1


async def test_praise_edits_deletions_and_malformed_notifications(database_url: str) -> None:
    async with google_bot(database_url) as (slack, fake):
        token = fake.push_token(AUDIENCE, PUSHER)
        name = f"{LOCATION}/reviews/AbC3"
        fake.reviews[name] = review("AbC3", "FIVE", "Super obsługa, polecam!")
        assert (await send(slack, push("m-1", new_review("AbC3")), token))[0] == 204
        [praise] = await items_finished(slack.bot.db, 1)
        assert (praise.outcome, praise.negative) == ("not_negative", False)
        assert await count(slack.bot.db, Crisis) == 0
        # The customer comes back and lowers the stars: praise turned complaint opens a crisis.
        fake.reviews[name] = review("AbC3", "TWO", "Jednak paczka przyszła uszkodzona.")
        edited = {"type": "UPDATED_REVIEW", "review_name": name}
        assert (await send(slack, push("m-2", edited), token))[0] == 204
        # A review deleted before we read it is recorded as removed.
        assert (await send(slack, push("m-3", new_review("Gone1")), token))[0] == 204
        assert (await send(slack, push("m-4", "not json at all"), token))[0] == 204
        items = await items_finished(slack.bot.db, 4)
        assert [(i.kind, i.outcome, i.crisis_id) for i in items] == [
            ("added", "not_negative", None),
            ("edited", "opened", 1),
            ("removed", "removed", None),
            ("refused", "refused", None),
        ]
        assert items[3].last_error == "the Pub/Sub message data is not base64 JSON"
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
        assert "Jednak paczka przyszła uszkodzona." in str(slack.root(1)["blocks"])
        # The same update delivered again is the same complaint, not a second crisis.
        assert (await send(slack, push("m-5", edited), token))[0] == 204
        items = await items_finished(slack.bot.db, 5)
        assert (items[4].outcome, items[4].crisis_id) == ("edited", 1)
        assert await count(slack.bot.db, Crisis) == 1
        # Not a Pub/Sub push at all: refused, nothing stored.
        status, text = await send(slack, b'{"hello": 1}', token)
        assert status == 400 and "message" in json.loads(text)["error"]
        assert await stored(slack) == 5


async def test_a_failing_business_profile_api_is_retried_and_its_error_kept(
    database_url: str,
) -> None:
    async with google_bot(database_url) as (slack, fake):
        fake.reviews[f"{LOCATION}/reviews/AbC4"] = review("AbC4", "ONE", None)
        fake.fail("google", 503, times=1000)
        token = fake.push_token(AUDIENCE, PUSHER)
        assert (await send(slack, push("m-5", new_review("AbC4")), token))[0] == 204
        note = await notification_when(slack, lambda n: n.attempts >= 1)
        assert note.status == "pending"
        assert note.last_error == "Google OAuth API answered 503: the service is failing"
        fake.failures["google"].clear()
        [item] = await items_finished(slack.bot.db, 1, within=30)
        note = await notification_when(slack, lambda n: n.status == "fetched")
        assert note.last_error is None
        # A review with stars and no text: judged by its stars.
        assert (item.outcome, item.data["alert"]["text"]) == ("opened", "[1 stars]")


async def notification_when(
    slack: SlackBot, check: Callable[[GoogleNotification], bool], within: float = 20.0
) -> GoogleNotification:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with slack.bot.db.sessions() as session:
            note = await session.scalar(select(GoogleNotification))
        if note is not None and check(note):
            return note
        assert asyncio.get_running_loop().time() < deadline, "the notification never got there"
        await asyncio.sleep(0.05)
