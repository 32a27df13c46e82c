"""End to end: `/crisis stats` on Slack and `stats` on Teams, and their refusals."""

from __future__ import annotations

from tests.e2e import post, running_bot
from tests.teams_e2e import BOSS, running_teams_bot

USAGE = "Usage: /crisis stats [7d|30d|90d|all] [brand]"


async def test_slack_stats_by_period_and_brand(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
        await slack.post_alert(post(id="a", url="https://facebook.com/sklep/posts/1"))
        await slack.post_alert(post(brand="Inny Sklep"))
        await slack.wait_thread(2, 1)
        assert await slack.command("ack 2") == (
            "You are on crisis #2. The playbook is in its thread."
        )
        everything = (await slack.command("stats all")).splitlines()
        assert everything[0] == "Crises of all time: 2"
        assert everything[1] == (
            "By status: open 1 · acknowledged 1 · awaiting confirmation 0 · closed 0"
        )
        assert "· delivery delay: 2" in everything
        assert "Escalations: 0" in everything
        assert "Per owner:" in everything
        owners = everything[everything.index("Per owner:") + 1 :]
        # Seniors own crises before leads do: Anna has both.
        assert {line.split(":")[0] for line in owners} == {"· <@UANNA>"}
        assert any(line.startswith("· <@UANNA>: 2 crises") for line in owners)
        # One brand, written another way (case, diacritics, spaces are folded).
        one_brand = (await slack.command("stats 7d  INNY   sklep")).splitlines()
        assert one_brand[0] == "Crises of INNY sklep in the last 7 days: 1"
        assert one_brand[1].startswith("By status: open 0 · acknowledged 1")
        # The period defaults to 30 days.
        assert (await slack.command("stats")).startswith("Crises in the last 30 days: 2")
        for wrong in ("stats 14d", "stats now", "stats week Sklep", "stats all Nobody"):
            assert (await slack.command(wrong)).startswith(USAGE), wrong


async def test_teams_stats(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await teams.say("roster add @Bob lead", BOSS, (BOSS,))
        await teams.post_alert(post())
        answer = await teams.say("stats 90d sklep")
        assert answer.startswith("Crises of sklep in the last 90 days: 1")
        assert "By severity: low 0" in answer
        assert (await teams.say("stats yesterday")).startswith(
            "Usage: @crisisbot stats [7d|30d|90d|all] [brand]"
        )
