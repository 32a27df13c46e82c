"""End to end: a storm stays one crisis and a few Slack calls; batches; brand channels;
the category select."""

from __future__ import annotations

import asyncio
import time

from bot import alert_signature
from handlers.alerts import MAX_BATCH
from models import Alert, Crisis
from tests.e2e import ALERT_SECRET, CHANNEL, SlackBot, post, running_bot
from tests.helpers import count

PARENT = "https://www.facebook.com/sklep/posts/100"


def comment(n: int, **fields: object) -> dict[str, object]:
    return post(
        id=f"c{n}",
        url=f"{PARENT}?comment_id={n}",
        parent_url=PARENT,
        text=f"Też czekam na paczkę, już {n} dzień!",
        author={"name": f"Klient {n}", "handle": f"k{n}", "followers": n},
        reach=10,
        **fields,
    )


def slack_calls(slack: SlackBot) -> int:
    return sum(1 for call in slack.fake.calls if call.method != "auth.test")


async def test_a_storm_is_one_crisis_a_few_calls_and_a_summary_that_counts_everything(
    database_url: str,
) -> None:
    async with running_bot(database_url, summary_interval="1s") as slack:
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        storm = 400
        started = time.monotonic()
        batches = [[comment(n) for n in range(i, i + 100)] for i in range(0, storm, 100)]
        for batch in batches:
            status, body = await slack.post_alert(batch)
            assert status == 202 and body["accepted"] == 100
            assert {r["status"] for r in body["results"]} == {"grouped"}
        assert await count(slack.bot.db, Crisis) == 1
        # The summary ends up counting every post and comment.
        await slack.fake.wait_for(
            lambda: "400 comments" in str(slack.thread(1)[1].get("blocks")), timeout=10
        )
        summary = str(slack.thread(1)[1]["blocks"])
        assert "1 post, 400 comments" in summary
        assert "Klient 399 (399 followers)" in summary  # the most influential
        assert "Facebook 401" in summary
        await slack.fake.wait_for(lambda: "401" in str(slack.root(1)["blocks"]))
        # A bounded number of Slack calls: the root, the owner hint, the spike notice, the
        # summary, and an edit of the root and of the summary at most every SUMMARY_INTERVAL
        # (1 s here) while alerts come; not one per alert.
        elapsed = time.monotonic() - started
        calls = slack_calls(slack)
        print(f"storm of {storm} in {elapsed:.1f}s: {calls} Slack calls")
        assert calls <= 5 + 2 * (elapsed / 1.0 + 2), slack.fake.summary()
        assert len(slack.roots()) == 1


async def test_batches_answer_each_alert_in_order(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        valid = post()
        invalid = post(id="bad", url="not a url")
        duplicate = post()
        status, body = await slack.post_alert([valid, invalid, duplicate])
        assert status == 202
        assert (body["accepted"], body["rejected"]) == (2, 1)
        first, second, third = body["results"]
        assert (first["index"], first["status"], first["crisis"]) == (0, "opened", 1)
        assert first["category"] == "delivery_delay" and first["severity"] == "critical"
        assert (second["index"], second["code"], second["field"]) == (1, 400, "url")
        assert (third["index"], third["status"]) == (2, "duplicate")
        assert await count(slack.bot.db, Alert) == 1
        too_many = [post(id=str(n), url=f"https://x.com/s/{n}") for n in range(MAX_BATCH + 1)]
        body_bytes = __import__("json").dumps(too_many).encode()
        headers = alert_signature.sign(ALERT_SECRET, body_bytes, int(time.time()))
        status, answer = await slack.raw_alert(body_bytes, headers)
        assert status == 400 and f"at most {MAX_BATCH}" in answer["error"]
        status, answer = await slack.post_alert([invalid])
        assert status == 400 and answer["results"][0]["field"] == "url"
        assert await count(slack.bot.db, Alert) == 1


async def test_brand_channels_from_settings_and_from_the_command(database_url: str) -> None:
    async with running_bot(database_url, brand_channels="Inny Sklep=C0INNY") as slack:
        assert await slack.command("channel") == (
            "Brands with their own crisis channel:\ninny sklep: <#C0INNY>"
        )
        assert await slack.command("channel Sklep <#C0SKLEP|sklep>") == (
            "Crises about Sklep now go to <#C0SKLEP>."
        )
        listing = await slack.command("channel")
        assert "sklep: <#C0SKLEP>" in listing and "inny sklep: <#C0INNY>" in listing
        await slack.post_alert(post())
        await slack.post_alert(post(id="2", url="https://x.com/s/2", brand="INNY sklep"))
        await slack.post_alert(post(id="3", url="https://x.com/s/3", brand="Trzeci"))
        await slack.fake.wait_for(lambda: len(slack.fake.calls_to("chat.postMessage")) >= 3)
        await asyncio.sleep(0.3)
        channels = {
            call.args["channel"]
            for call in slack.fake.calls_to("chat.postMessage")
            if "thread_ts" not in call.args
        }
        assert channels == {"C0SKLEP", "C0INNY", CHANNEL}
        assert await slack.command("channel Sklep default") == (
            "Crises about Sklep go to the crisis channel again."
        )
        assert (await slack.command("channel Sklep nowhere")).startswith("Usage: /crisis channel")
        # Once there is a lead, only leads change it.
        await slack.command("roster add <@UBOSS|boss> lead")
        refusal = await slack.command("channel Sklep <#C0SKLEP|sklep>", user="UANNA")
        assert refusal == "Only a lead can change the roster."


async def test_the_category_select_corrects_the_guess(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UANNA|anna> senior")
        await slack.post_alert(post())
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1)
        answer = await slack.click(
            "crisis_category", 1, selected_option="1:price_change", block_id="crisis_actions"
        )
        assert answer == "Crisis #1 is now in the category price changed; the playbook follows it."
        await slack.fake.wait_for(lambda: "price changed" in str(slack.root(1)["blocks"]))
        status = await slack.command("status 1")
        assert "changed the category to price changed (was delivery delay)" in status
        refusal = await slack.click(
            "crisis_category",
            1,
            user="UOTHER",
            selected_option="1:other",
            block_id="crisis_actions",
        )
        assert refusal.startswith("Only the owner of #1")
