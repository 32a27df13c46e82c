"""End to end: an alert becomes a crisis root message in Slack, with its thread and owner."""

from __future__ import annotations

import time

import pytest

from models import Alert, Crisis, OutboxMessage
from tests.e2e import ALERT_SECRET, CHANNEL, post, running_bot
from tests.helpers import count


async def test_alert_opens_a_crisis_with_root_message_and_buttons(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        status, body = await slack.post_alert(post())
        assert (status, body) == (
            202,
            {"crisis": 1, "status": "opened", "category": "delivery_delay", "severity": "critical"},
        )
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
        root = slack.root(1)
        blocks = root["blocks"]
        text = str(blocks)
        assert blocks[0]["text"]["text"] == "Crisis #1 · Sklep · Facebook"
        for expected in (
            "Anna Kowalska (anna.k)",
            "2,300 followers",
            "12,000",  # reach
            "critical",  # reach 12,000 is high; a very negative tone lifts it
            "open",
            "nobody yet",
            "delivery delay",
            "<https://www.facebook.com/sklep/posts/100|Open the post>",
            "> Zamówiłam kurtkę trzy tygodnie temu",
        ):
            assert expected in text, expected
        buttons = [e["action_id"] for e in blocks[-1]["elements"]]
        # Open: only what can be done before acknowledging (and the category menu).
        assert buttons == ["crisis_ack", "crisis_reassign", "crisis_playbook", "crisis_category"]
        # With an empty roster the thread says how to fix it.
        [hint] = await slack.wait_thread(1, 1)
        assert "/crisis roster add" in hint["text"]


async def test_owner_is_mentioned_in_the_thread_with_the_first_step(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        assert "lead" in await slack.command("roster add <@UBOSS|bossy> lead", user="UBOSS")
        assert "senior" in await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
        await slack.post_alert(post())
        assigned, leads = await slack.wait_thread(1, 2)
        # Seniors own crises; the lead is the escalation layer, told at once of a critical one.
        assert assigned["text"].startswith("<@UANNA>, you own crisis #1.")
        assert "contact the customer fast" in assigned["text"]
        assert leads["text"].startswith("<@UBOSS> crisis #1 is critical")
        await slack.post_alert(post(id="fb-200", url="https://facebook.com/sklep/posts/200"))
        second = (await slack.wait_thread(2, 1))[0]
        assert second["text"].startswith("<@UANNA>, you own crisis #2.")
        assert "<@UANNA>" in str(slack.root(2)["blocks"])


async def test_duplicate_posts_nothing_and_comment_goes_into_the_thread(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        assert await slack.post_alert(post()) == (
            202,
            {
                "crisis": 1,
                "status": "duplicate",
                "category": "delivery_delay",
                "severity": "critical",
            },
        )
        comment = post(
            id="fb-101",
            url="https://www.facebook.com/sklep/posts/100?comment_id=5",
            parent_url="https://www.facebook.com/sklep/posts/100",
            text="Też czekam od miesiąca! <!channel> <@U0HACKER>",
            author={"name": "Jan", "followers": 80},
            reach=300,
        )
        assert await slack.post_alert(comment) == (
            202,
            {
                "crisis": 1,
                "status": "grouped",
                "category": "delivery_delay",
                "severity": "critical",
            },
        )
        # The comment goes into the thread's live summary (one reply, edited later).
        thread = await slack.wait_thread(1, 2)
        assert len(slack.roots()) == 1
        summary = str(thread[1]["blocks"])
        assert thread[1]["text"] == "Crisis #1: posts and comments: 2"
        assert "Jan (80 followers)" in summary and "Też czekam od miesiąca!" in summary
        # Text from posts is inert in Slack: no channel ping, no mention from a hostile post.
        assert "&lt;!channel&gt;" in summary and "<!channel>" not in summary
        # The root message is refreshed with the new counts.
        await slack.fake.wait_for_call("chat.update")
        await slack.fake.wait_for(lambda: "12,300" in str(slack.root(1)["blocks"]))
        posts = [c for c in slack.fake.calls_to("chat.postMessage") if "thread_ts" not in c.args]
        assert len(posts) == 1


async def test_a_relapse_answers_grouped_and_says_it_reopened(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UANNA|anna> lead")
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        for move in ("ack 1", "resolve 1 refund sent", "confirm 1"):
            await slack.command(move)
        comment = post(
            id="fb-102",
            url="https://www.facebook.com/sklep/posts/100?comment_id=9",
            parent_url="https://www.facebook.com/sklep/posts/100",
            text="Znowu nie dostałam paczki!",
            sentiment=-0.9,
        )
        status, answer = await slack.post_alert(comment)
        # The public statuses stay opened/grouped/duplicate; the flag tells what happened.
        assert (status, answer["crisis"], answer["status"]) == (202, 1, "grouped")
        assert answer["reopened"] is True
        assert "reopened" not in (await slack.post_alert(comment))[1]


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        (b'{"id": "x"}', {"X-Crisis-Timestamp": "1"}, 401, None),
        (b"not json at all", "sign", 415, None),
        (b"\xff\xfe\x00garbage", "sign", 415, None),
        (b"[]", "sign", 400, None),
        (b'{"source": "facebook", "url": "https://f.com/1", "text": "x"}', "sign", 400, "id"),
        (
            b'{"id": "1", "source": "myspace", "url": "https://f.com/1", "text": "x"}',
            "sign",
            400,
            "source",
        ),
        (b'{"id": "1", "source": "x", "url": "ftp://f.com/1", "text": "x"}', "sign", 400, "url"),
        (
            b'{"id": "1", "source": "x", "url": "https://x.com/1", "text": "x", "sentiment": 3}',
            "sign",
            400,
            "sentiment",
        ),
        (
            b'{"id": "1", "source": "x", "url": "https://x.com/1", "text": "x", "reach": "many"}',
            "sign",
            400,
            "reach",
        ),
        (
            b'{"id": "1", "source": "x", "url": "https://x.com/1", "text": "x", '
            b'"author": {"followers": -1}}',
            "sign",
            400,
            "author.followers",
        ),
        (
            b'{"id": "1", "source": "x", "url": "https://x.com/1", "text": "x", '
            b'"created_at": "yesterday"}',
            "sign",
            400,
            "created_at",
        ),
        (
            b'{"id": "1", "source": "x", "url": "https://x.com/1", "text": "'
            + b"a" * 70000
            + b'"}',
            "sign",
            413,
            None,
        ),
    ],
)
async def test_bad_alerts_are_refused_and_nothing_is_written(
    database_url: str, body: bytes, headers: object, status: int, field: str | None
) -> None:
    from bot import alert_signature

    async with running_bot(database_url) as slack:
        sent_headers = (
            alert_signature.sign(ALERT_SECRET, body, int(time.time()))
            if headers == "sign"
            else headers
        )
        got_status, answer = await slack.raw_alert(body, sent_headers)  # type: ignore[arg-type]
        assert got_status == status, answer
        assert answer["error"]
        assert answer.get("field") == field
        for model in (Crisis, Alert, OutboxMessage):
            assert await count(slack.bot.db, model) == 0
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_wrong_or_stale_signature_is_401(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        assert (await slack.post_alert(post(), secret="guess"))[0] == 401
        stale = int(time.time()) - 301
        assert (await slack.post_alert(post(), timestamp=stale))[0] == 401
        assert await count(slack.bot.db, Alert) == 0


async def test_rotated_secrets_both_work(database_url: str) -> None:
    async with running_bot(database_url, alert_webhook_secret="old-secret, new-secret") as slack:
        assert (await slack.post_alert(post(), secret="old-secret"))[0] == 202
        assert (await slack.post_alert(post(id="2", url="https://x.com/2"), secret="new-secret"))[
            0
        ] == 202


async def test_intake_refuses_without_a_configured_secret(database_url: str) -> None:
    async with running_bot(database_url, alert_webhook_secret=None) as slack:
        status, answer = await slack.post_alert(post())
        assert status == 503 and "ALERT_WEBHOOK_SECRET" in answer["error"]
        assert await count(slack.bot.db, Alert) == 0


async def test_alerts_wait_for_the_channel_and_survive_slack_being_down(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        slack.fake.down = True
        assert (await slack.post_alert(post()))[0] == 202
        await slack.fake.wait_for(
            lambda: any(not c.ok for c in slack.fake.calls_to("chat.postMessage"))
        )
        assert slack.roots() == []
        slack.fake.down = False
        slack.bot.workers[0].wake()
        # Backoff after the failures is a couple of seconds at most.
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, timeout=10)
        await slack.wait_thread(1, 1)
        ok_roots = [
            c for c in slack.fake.calls_to("chat.postMessage") if c.ok and "thread_ts" not in c.args
        ]
        assert len(ok_roots) == 1 and ok_roots[0].args["channel"] == CHANNEL


async def test_metrics_count_alerts_and_slack_calls(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.post_alert(post())
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        async with slack.http.get(slack.url + "/metrics") as response:
            metrics = await response.text()
        for line in (
            'crisisbot_alerts_received_total{status="opened"}',
            'crisisbot_alerts_received_total{status="duplicate"}',
            "crisisbot_crises_opened_total",
            'crisisbot_platform_api_calls_total{method="chat.postMessage",outcome="ok",platform="slack"}',
        ):
            assert line in metrics, line
