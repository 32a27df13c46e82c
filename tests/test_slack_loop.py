"""End to end: the crisis loop driven by buttons, modals and `/crisis` subcommands, with
short timeouts from settings, against the fake Slack."""

from __future__ import annotations

import re
from typing import Any

from sandbox.fake_slack import FakeSlack
from tests.e2e import CHANNEL, SlackBot, post, running_bot


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("blocks") or "") + str(message.get("text") or "")


async def setup_crisis(slack: SlackBot) -> None:
    """A lead (UBOSS), a senior (UANNA, who gets the crisis) and crisis #1."""
    await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
    await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
    # Equal load and never assigned: the first on the roster (the lead) gets the warm-up
    # crisis, Anna (now the least loaded) crisis #2.
    await slack.post_alert(post(id="warmup", url="https://facebook.com/sklep/posts/1"))
    await slack.post_alert(post())
    await slack.wait_thread(2, 1)
    assert "<@UANNA>" in slack.thread(2)[0]["text"]


def views_opened(fake: FakeSlack) -> list[dict[str, Any]]:
    return [call.args["view"] for call in fake.calls_to("views.open") if call.ok]


async def test_the_whole_loop_with_buttons_and_modals(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await setup_crisis(slack)
        n = 2
        # Acknowledge: by someone else refused (naming who can), by the owner accepted.
        refusal = await slack.click("crisis_ack", n, user="UCARL")
        assert refusal == "Only the owner of #2 (<@UANNA>) or a lead (<@UBOSS>) can do that."
        assert await slack.click("crisis_ack", n) == (
            "You are on crisis #2. The playbook is in its thread."
        )
        await slack.fake.wait_for(lambda: "acknowledged" in text_of(slack.root(n)))
        assert "Next reminder" in text_of(slack.root(n))
        thread = await slack.wait_thread(n, 4)
        # The post is critical (reach 12,000, very negative): the leads heard of it at once.
        assert thread[1]["text"].startswith("<@UBOSS> crisis #2 is critical")
        assert thread[2]["text"] == "<@UANNA> acknowledged crisis #2 and is on it."
        playbook = thread[3]
        assert "Playbook for crisis #2" in text_of(playbook)
        assert "Refund of the money paid" in text_of(playbook)  # delivery delay remedy
        # A second click changes nothing and posts nothing.
        assert (await slack.click("crisis_ack", n)).startswith("Crisis #2 is already acknowledged")
        # Tick two steps on the checklist in the thread: progress shows on the root.
        answer = await slack.click(
            "playbook_steps", n, message=playbook, block_id="playbook_2",
            selected_options=["2:apologise", "2:admit"],
        )  # fmt: skip
        assert answer == "Playbook for #2: 2/5 done. Next: Fix it now."
        await slack.fake.wait_for(lambda: "Playbook 2/5" in text_of(slack.root(n)))
        await slack.fake.wait_for(lambda: len(slack.fake.edits(CHANNEL, playbook["ts"])) >= 1)

        # Reassign: the button opens a user picker; the submission hands the crisis over.
        await slack.click("crisis_reassign", n, answer=False)
        await slack.fake.wait_for(lambda: len(views_opened(slack.fake)) == 1)
        view = next(iter(slack.fake.views.values()))
        status, body = await slack.submit(
            view,
            "UANNA",
            {"owner": {"owner_select": {"type": "users_select", "selected_user": "UJUNE"}}},
        )
        assert status == 200 and body["response_action"] == "errors"
        assert "senior or lead" in body["errors"]["owner"]
        status, body = await slack.submit(
            view,
            "UANNA",
            {"owner": {"owner_select": {"type": "users_select", "selected_user": "UBOSS"}}},
        )
        assert (status, body) == (200, {})
        await slack.fake.wait_for(lambda: "<@UBOSS>" in text_of(slack.root(n)))
        assert "*Status*\\nopen" in text_of(slack.root(n))
        await slack.fake.wait_for(lambda: "please acknowledge" in slack.thread(n)[-1]["text"])
        assert await slack.click("crisis_ack", n, user="UBOSS")

        # Propose resolution: the modal offers the remedies; the crisis awaits the customer.
        await slack.click("crisis_resolve", n, answer=False, user="UBOSS")
        await slack.fake.wait_for(lambda: len(views_opened(slack.fake)) == 2)
        view = views_opened(slack.fake)[1]
        select = view["blocks"][0]["element"]
        assert select["initial_option"]["value"] == "refund"
        status, body = await slack.submit(
            view,
            "UBOSS",
            {
                "remedy": {
                    "remedy_select": {
                        "type": "static_select",
                        "selected_option": {"value": "refund"},
                    }
                },
                "note": {
                    "note_input": {"type": "plain_text_input", "value": "Zwrot wysłany <!channel>"}
                },
            },
        )
        assert (status, body) == (200, {})
        await slack.fake.wait_for(
            lambda: "awaiting confirmation" in text_of(slack.root(n)), timeout=10
        )
        await slack.fake.wait_for(lambda: "proposed a resolution" in slack.thread(n)[-1]["text"])
        proposal = slack.thread(n)[-1]["text"]
        assert "Refund of the money paid" in proposal and "&lt;!channel&gt;" in proposal
        assert "remove or correct" in proposal or "remov" in proposal

        # Client confirmed: the crisis closes and shows its figures.
        # Three steps are not ticked: closing still works, and says which.
        closed = await slack.click("crisis_confirm", n, user="UBOSS")
        assert closed == (
            "Crisis #2 is closed. Not ticked in its playbook:\n"
            "• Fix it now\n• Promise improvement\n• Compensate"
        )
        await slack.fake.wait_for(
            lambda: "Closed. First acknowledgement after" in text_of(slack.root(n))
        )
        await slack.fake.wait_for(lambda: "Time to first" in slack.thread(n)[-1]["text"])
        closing = slack.thread(n)[-1]["text"]
        assert "Time to first acknowledgement" in closing and "time to resolution" in closing
        assert "Next reminder" not in text_of(slack.root(n))
        # Reopen with the subcommand.
        assert await slack.command("reopen 2", user="UBOSS") == "Crisis #2 is open again."
        await slack.fake.wait_for(lambda: "reopened crisis #2" in slack.thread(n)[-1]["text"])


async def test_subcommands_drive_the_same_loop(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await setup_crisis(slack)
        assert (
            await slack.command("ack 2") == "You are on crisis #2. The playbook is in its thread."
        )
        assert (await slack.command("ack 2")).startswith("Crisis #2 is already acknowledged")
        assert (await slack.command("snooze 2 soon")).startswith("Snooze for a duration")
        snoozed = await slack.command("snooze 2 4h")
        assert snoozed.startswith("Next reminder for #2: <!date^")
        assert await slack.command("assign 2 <@UBOSS|boss>") == "Crisis #2 now belongs to <@UBOSS>."
        assert (await slack.command("resolve 2 refund")).startswith("Only the owner of #2")
        assert await slack.command("ack 2", user="UBOSS")
        assert await slack.command("resolve 2 Zwrot pieniędzy wysłany", user="UBOSS") == (
            "Resolution proposed for #2: now waiting for the customer's confirmation."
        )
        assert (await slack.command("confirm 2 dziękuje", user="UBOSS")).startswith(
            "Crisis #2 is closed. Not ticked in its playbook:\n• Apologise"
        )
        assert (await slack.command("confirm 2", user="UBOSS")).startswith("Crisis #2 is closed.")
        stats = await slack.command("stats")
        assert stats.startswith("Crises in the last 30 days: 2\n")
        assert "By status: open 1 · acknowledged 0 · awaiting confirmation 0 · closed 1" in stats
        for wrong, usage in (
            ("ack", "Usage: /crisis ack"),
            ("ack two", "Usage: /crisis ack"),
            ("assign 2", "Usage: /crisis assign"),
            ("assign 2 bob", "Usage: /crisis assign"),
            ("snooze 2", "Usage: /crisis snooze"),
            ("resolve", "Usage: /crisis resolve"),
            ("reopen", "Usage: /crisis reopen"),
            ("stats now", "Usage: /crisis stats [7d|30d|90d|all] [brand]"),
            ("ack 99", "There is no crisis #99."),
        ):
            assert (await slack.command(wrong)).startswith(usage), wrong
        status = await slack.command("status 2")
        for event in ("acknowledged by <@UANNA>", "snoozed by <@UANNA> until <!date^",
                      "resolution proposed by <@UBOSS>. Note: Zwrot pieniędzy wysłany\n",
                      "closed by <@UBOSS>: the customer confirmed. Note: dziękuje",
                      "· 1 post · reach: 12,000 ·"):  # fmt: skip
            assert event in status, event
        # The remedy and the note are sentences of their own, and a missing one leaves no "—".
        assert "—" not in status


async def test_snooze_choices_and_the_owners_time_zone(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        slack.fake.users["UANNA"] = {"id": "UANNA", "name": "anna", "tz": "America/New_York"}
        await setup_crisis(slack)
        await slack.command("ack 2")
        answer = await slack.click("crisis_snooze", 2, selected_option="2:tomorrow")
        stamp = int(re.search(r"<!date\^(\d+)\^", answer).group(1))  # type: ignore[union-attr]
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo

        local = datetime.fromtimestamp(stamp, UTC).astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute) == (9, 0)
        assert slack.fake.calls_to("users.info")[-1].args["user"] == "UANNA"
        answer = await slack.click("crisis_snooze", 2, selected_option="2:1h")
        assert answer.startswith("Next reminder for #2")


async def test_escalation_and_follow_ups_arrive_on_time(database_url: str) -> None:
    async with running_bot(database_url, ack_timeout="1s", reminder_interval="1s") as slack:
        await slack.command("roster add <@UANNA|anna> senior")
        await slack.command("roster add <@UBART|bart> senior")
        await slack.post_alert(post())
        [assigned] = await slack.wait_thread(1, 1)
        first = re.match(r"<@(U\w+)>", assigned["text"]).group(1)  # type: ignore[union-attr]
        second = "UBART" if first == "UANNA" else "UANNA"
        escalated = await slack.wait_thread(1, 2)
        assert escalated[1]["text"].startswith(
            f"<@{first}> did not acknowledge crisis #1 within 1 second."
        )
        assert f"<@{second}>, you own it now" in escalated[1]["text"]
        await slack.command("ack 1", user=second)
        await slack.fake.wait_for(
            lambda: any("reminder for crisis #1" in m["text"] for m in slack.thread(1)),
        )
        reminder = next(m for m in slack.thread(1) if "reminder for crisis" in m["text"])
        assert reminder["text"].startswith(f"<@{second}>, reminder")
        assert "Next step: Apologise" in reminder["text"]
        await slack.command("resolve 1", user=second)
        await slack.fake.wait_for(
            lambda: "has the customer confirmed" in slack.thread(1)[-1]["text"]
        )
        await slack.command("confirm 1", user=second)
        # Closed: the report and its chart follow, then nothing more is sent.
        await slack.fake.wait_for(lambda: slack.thread(1)[-1].get("files"), timeout=10)
        texts = [m["text"] for m in slack.thread(1)]
        assert "is closed" in texts[-3] and texts[-2].startswith("Report on crisis #1")
        count = len(slack.thread(1))
        import asyncio

        await asyncio.sleep(2.5)
        assert len(slack.thread(1)) == count
