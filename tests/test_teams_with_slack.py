"""One crisis watched from Slack and Teams at once: a person links their two identities,
acts from either platform, and what one platform records (ack, client confirmed) shows,
and stops the reminders, on both."""

from __future__ import annotations

import asyncio
import re

from sandbox.fake_teams import FakeTeams
from tests.e2e import post, running_bot
from tests.teams_e2e import ANNA, BOSS, TeamsBot, card_text
from tests.test_slack_loop import text_of


async def test_a_person_links_slack_and_teams_and_a_crisis_runs_on_both(
    database_url: str,
) -> None:
    async with (
        FakeTeams() as fake,
        running_bot(database_url, reminder_interval="2s", teams_enabled=True) as slack,
    ):
        teams = TeamsBot(slack.bot, fake, slack.http)
        await teams.say("here", BOSS)
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")

        # Anna asks Slack for a code and gives it to the bot in Teams.
        answer = await slack.command("link", user="UANNA")
        match = re.search(r"/crisis link ([A-Z0-9]{8})", answer)
        assert match, answer
        code = match.group(1)
        assert await teams.say("link WRONG123", ANNA) == (
            "That link code is unknown or expired. Ask for a new one with @crisisbot link."
        )
        assert await slack.command(f"link {code}", user="UANNA") == (
            "Use the code on your other platform, not where you asked for it."
        )
        assert await teams.say(f"link {code}", ANNA) == (
            "Linked: <at>anna</at> is the same person on Slack and Teams."
        )
        # Once only.
        assert (await teams.say(f"link {code}", ANNA)).startswith("That link code is unknown")

        await slack.post_alert(post(id="warmup", url="https://facebook.com/sklep/posts/1"))
        await slack.post_alert(post())
        await slack.wait_thread(2, 1)
        await fake.wait_for(lambda: teams.texts(2), what="Teams thread of #2")
        # The owner is mentioned on each platform the way it knows her.
        assert "<@UANNA>" in slack.thread(2)[0]["text"]
        assert teams.thread(2).replies[0]["entities"][0]["mentioned"]["id"] == ANNA.aad

        # She acknowledges from Teams: Slack's root message shows it.
        answer = await teams.submit({"crisisbot": "ack", "crisis": 2}, ANNA)
        assert answer["text"] == "You are on crisis #2. The playbook is in its thread."
        await slack.fake.wait_for(lambda: "acknowledged" in text_of(slack.root(2)))
        await fake.wait_for(lambda: "acknowledged" in card_text(teams.root_card(2)))
        # Slack's timeline names her as Slack knows her, not by a Teams id.
        status = await slack.command("status 2", user="UBOSS")
        assert "acknowledged by <@UANNA>" in status and "teams:" not in status

        # Proposes the resolution in Slack, records the confirmation in Teams.
        await slack.command("resolve 2 refund sent", user="UANNA")
        answer = await teams.submit({"crisisbot": "confirm", "crisis": 2}, ANNA)
        assert answer["text"].startswith("Crisis #2 is closed. Not ticked in its playbook:")
        # On both: the closing message, then the report (and on Slack its chart).
        await slack.fake.wait_for(lambda: slack.thread(2)[-1].get("files"), timeout=10)
        assert "Time to first" in slack.thread(2)[-3]["text"]
        await fake.wait_for(lambda: teams.texts(2)[-1].startswith("Report on crisis #2"))
        assert "Time to first" in teams.texts(2)[-2]
        on_slack, on_teams = len(slack.thread(2)), len(teams.texts(2))
        # Longer than REMINDER_INTERVAL: no reminder comes to either platform any more.
        await asyncio.sleep(3)
        assert (len(slack.thread(2)), len(teams.texts(2))) == (on_slack, on_teams)
