"""The weekly digest: scheduled on DIGEST_SCHEDULE in TIMEZONE with the clock injected,
posted once as a top-level message on Slack and Teams, and a quiet week said so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot import digest
from bot.clock import FixedClock
from bot.context import CoreContext
from models import OutboxMessage
from models.session import Database
from tests.conftest import START, make_settings
from tests.e2e import CHANNEL, post, running_bot
from tests.teams_e2e import BOSS, running_teams_bot

# START is Monday 23.11.2026 10:00 in Warsaw: the default schedule (Mondays 09:00 there)
# is due next on 30.11 at 08:00 UTC.
NEXT_MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def digests(slack_messages: list[dict[str, object]]) -> list[str]:
    return [str(m["text"]) for m in slack_messages if "Weekly crisis digest" in str(m["text"])]


async def digest_rows(db: Database) -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")
        )
    return int(count or 0)


def moving(clock: FixedClock, predicate: Callable[[], object]) -> Callable[[], object]:
    """`predicate`, moving the clock two seconds each time it is asked: deliveries paced by
    the bot (Slack allows about a message a second per channel) wait on the injected clock."""

    def check() -> object:
        clock.advance(timedelta(seconds=2))
        return predicate()

    return check


async def test_slack_digest_on_schedule_once(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_bot(database_url, clock=clock) as slack:
        await slack.command("roster add <@UANNA|anna> lead", user="UANNA")
        await slack.post_alert(post(id="a", url="https://facebook.com/sklep/posts/1"))
        clock.advance(timedelta(days=2))
        await slack.post_alert(post())
        assert (await slack.command("ack 2")).startswith("You are on crisis #2")
        # A minute before the moment: nothing yet.
        clock.advance(NEXT_MONDAY - clock.now() - timedelta(minutes=1))
        await slack.bot.digest.tick()
        assert await digest_rows(slack.bot.db) == 0

        clock.advance(timedelta(minutes=1))
        posted = moving(clock, lambda: digests(slack.fake.messages(CHANNEL)))
        await slack.fake.wait_for(posted, what="digest")
        [text] = digests(slack.fake.messages(CHANNEL))
        lines = text.splitlines()
        assert lines[0] == "Weekly crisis digest, 23.11.2026 – 30.11.2026"
        assert "Crises: 2 (the week before: 0)" in lines
        assert "Top problems:" in lines and "· delivery delay: 2" in lines
        chart = lines[lines.index("Crises per day:") + 1 :][:7]
        assert [line.split()[:2] for line in chart] == [
            ["Mon", "23.11"], ["Tue", "24.11"], ["Wed", "25.11"], ["Thu", "26.11"],
            ["Fri", "27.11"], ["Sat", "28.11"], ["Sun", "29.11"],
        ]  # fmt: skip
        assert [int(line.split()[-1]) for line in chart] == [1, 0, 1, 0, 0, 0, 0]
        assert "Open for more than a day: 2" in lines
        assert "· #1 Sklep · open · open 6d 23h · owner <@UANNA>" in lines

        # Later the same week: not again.
        clock.advance(timedelta(hours=1))
        await slack.bot.digest.tick()
        assert await digest_rows(slack.bot.db) == 1


async def test_two_replicas_claim_the_digest_once(database: Database) -> None:
    clock = FixedClock(NEXT_MONDAY)
    contexts = [
        CoreContext(
            db=database,
            settings=make_settings(database_url=database.url),
            clock=clock,
            platforms=("slack", "teams"),
        )
        for _ in range(2)
    ]
    assert [await digest.post(ctx, NEXT_MONDAY) for ctx in contexts] == [True, False]
    assert await digest_rows(database) == 2  # one per platform


async def test_teams_quiet_week(database_url: str) -> None:
    clock = FixedClock(START)
    async with running_teams_bot(database_url, clock=clock, language="pl") as teams:
        await teams.say("here", BOSS)
        clock.advance(NEXT_MONDAY - clock.now() + timedelta(seconds=1))
        await teams.fake.wait_for(
            moving(
                clock,
                lambda: [
                    t
                    for t in teams.fake.threads_in_channel()
                    if "Tygodniowe podsumowanie" in str(t.root)
                ],
            ),
            what="digest thread",
        )
        [thread] = [
            t for t in teams.fake.threads_in_channel() if "Tygodniowe podsumowanie" in str(t.root)
        ]
        assert "W tym tygodniu nie było kryzysów (tydzień wcześniej: 0)." in str(thread.root)
        assert "Żaden kryzys nie jest otwarty dłużej niż dzień." in str(thread.root)


def test_a_malformed_schedule_is_refused_at_start() -> None:
    for wrong in ("0 9 * *", "0 25 * * 1", "0 9 * * 8", "every monday"):
        try:
            make_settings(digest_schedule=wrong)
        except ValueError as refusal:
            assert "DIGEST_SCHEDULE".lower() in str(refusal).lower()
            assert "is not a cron expression" in str(refusal)
        else:
            raise AssertionError(f"{wrong!r} was accepted")
