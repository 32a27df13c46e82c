"""Reliability against the fake Slack: rate limits obeyed per method and channel, bursts
shaped, double clicks and an outage that loses nothing."""

from __future__ import annotations

import asyncio

from models import Crisis, TimelineEvent
from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack, RecordedCall, SlackError
from tests.e2e import CHANNEL, SIGNING_SECRET, post, running_bot
from tests.helpers import count


def root_posts(fake: FakeSlack, channel: str) -> list[RecordedCall]:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.args.get("channel") == channel and "thread_ts" not in call.args
    ]


async def test_a_429_stops_that_channel_until_retry_after_while_others_flow(
    database_url: str,
) -> None:
    async with running_bot(database_url, brand_channels="Inny=C0OTHER") as slack:
        # Retry-After is long enough that a loaded machine's slow request still tells "at
        # once" from "after the wait".
        retry_after = 4
        slack.fake.fail_next("chat.postMessage", status=429, retry_after=retry_after)
        await slack.post_alert(post())
        await slack.fake.wait_for(lambda: any(not c.ok for c in slack.fake.calls), what="the 429")
        refused_at = next(c.at for c in slack.fake.calls if not c.ok)
        await slack.post_alert(post(id="2", url="https://x.com/s/2", brand="Inny"))
        await slack.post_alert(post(id="3", url="https://x.com/s/3", brand="Trzeci"))
        # The other channel is served at once: while the limited one still waits.
        await slack.fake.wait_for(lambda: len(root_posts(slack.fake, "C0OTHER")) == 1)
        [other] = root_posts(slack.fake, "C0OTHER")
        assert other.at - refused_at < retry_after
        # The limited one gets nothing until Retry-After has passed, then everything, once.
        await slack.fake.wait_for(lambda: len(root_posts(slack.fake, CHANNEL)) == 3)
        to_channel = [
            c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL
        ]
        after_refusal = [c.at - refused_at for c in to_channel if c.at > refused_at]
        assert min(after_refusal) >= retry_after
        assert [c.ok for c in root_posts(slack.fake, CHANNEL)] == [False, True, True]
        assert await count(slack.bot.db, Crisis) == 3


async def test_bursts_are_shaped_to_about_one_message_a_second_per_channel(
    database_url: str,
) -> None:
    async with running_bot(database_url) as slack:
        for n in range(6):
            await slack.post_alert(post(id=f"p{n}", url=f"https://x.com/s/{n}", brand=None))
        # Six roots and six "nobody owns it" hints: twelve messages for one channel.
        await slack.fake.wait_for(
            lambda: len(slack.fake.calls_to("chat.postMessage")) == 12, timeout=20
        )
        times = sorted(c.at for c in slack.fake.calls_to("chat.postMessage"))
        assert all(c.ok for c in slack.fake.calls_to("chat.postMessage"))
        # A burst of three, then about one a second: never more than 3 + n in n seconds.
        for i, start in enumerate(times):
            within_2s = [t for t in times[i:] if t - start < 2.0]
            assert len(within_2s) <= 5, times


async def test_a_double_click_changes_the_state_once_and_posts_once(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UANNA|anna> senior")
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        clicks = [slack.click_request("crisis_ack", 1, f"click-{n}") for n in range(2)]
        statuses = await asyncio.gather(*(slack.slack(click) for click in clicks))
        assert statuses == [200, 200]
        answers = [
            (await slack.fake.wait_for_response(f"click-{n}"))[0].body["text"] for n in range(2)
        ]
        assert sorted(answers) == [
            "Crisis #1 is already acknowledged.",
            "You are on crisis #1. The playbook is in its thread.",
        ]
        await slack.wait_thread(1, 3)
        await asyncio.sleep(0.5)
        acks = [m for m in slack.thread(1) if "acknowledged crisis #1" in m["text"]]
        assert len(acks) == 1
        assert await count(slack.bot.db, TimelineEvent, TimelineEvent.kind == "acknowledged") == 1


async def test_a_request_slack_delivers_again_changes_the_state_once(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UANNA|anna> senior")
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        root = slack.root(1)
        click = slack_requests.block_action(
            SIGNING_SECRET,
            action_id="crisis_ack",
            value="1",
            user_id="UANNA",
            channel_id=CHANNEL,
            message_ts=root["ts"],
            message=root,
            block_id="crisis_actions",
            response_url=slack.fake.response_url("click"),
        )
        assert await slack.slack(click) == 200
        # The same signed request again, as Slack re-delivers one it thinks timed out.
        again = click._replace(
            headers={
                **click.headers,
                "X-Slack-Retry-Num": "1",
                "X-Slack-Retry-Reason": "http_timeout",
            },
        )
        assert await slack.slack(again) == 200
        answers = await slack.fake.wait_for_response("click", count=2)
        assert [a.body["text"] for a in answers] == [
            "You are on crisis #1. The playbook is in its thread.",
            "Crisis #1 is already acknowledged.",
        ]
        await slack.wait_thread(1, 3)
        await asyncio.sleep(0.5)
        assert len([m for m in slack.thread(1) if "acknowledged crisis #1" in m["text"]]) == 1
        assert await count(slack.bot.db, TimelineEvent, TimelineEvent.kind == "acknowledged") == 1


async def test_a_message_slack_took_but_whose_answer_was_lost_is_not_posted_twice(
    database_url: str,
) -> None:
    async with running_bot(database_url) as slack:
        fake = slack.fake
        post_message = fake._methods["chat.postMessage"]
        lost = {"answers": 0}

        def takes_it_then_fails(args: dict) -> dict:
            # Slack stores the message, then the answer is lost (here: an error instead).
            answer = post_message(args)
            if lost["answers"] < 2:
                lost["answers"] += 1
                raise SlackError("internal_error")
            return answer

        fake.set_handler("chat.postMessage", takes_it_then_fails)
        await slack.post_alert(post())
        await fake.wait_for(lambda: lost["answers"] == 2, what="two lost answers")
        fake.set_handler("chat.postMessage", post_message)
        # The root and the owner hint each reached Slack once, though both were retried.
        await slack.wait_thread(1, 1)
        await asyncio.sleep(1.0)
        assert len(slack.roots()) == 1
        assert len(slack.thread(1)) == 1
        assert fake.calls_to("conversations.history") or fake.calls_to("conversations.replies")
