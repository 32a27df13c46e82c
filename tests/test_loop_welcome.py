"""End to end: the welcome on install (Slack: the bot joins a channel; Teams: the bot is
added) explains the first three steps, and Teams help fits Teams."""

from __future__ import annotations

import pytest

from sandbox import slack_requests
from tests.e2e import CHANNEL, SIGNING_SECRET, running_bot
from tests.teams_e2e import BOSS, BOT, TEAM, TENANT, running_teams_bot

STEPS = {
    "en": ("CRISIS_CHANNEL", "/crisis roster add @someone lead", "/crisis open https://"),
    "pl": ("CRISIS_CHANNEL", "/crisis roster add @osoba lead", "/crisis open https://"),
}


@pytest.mark.parametrize("language", ["en", "pl"])
async def test_slack_welcome_when_the_bot_joins_a_channel(database_url: str, language: str) -> None:
    async with running_bot(database_url, language=language) as slack:
        someone = {"type": "member_joined_channel", "user": "UANNA", "channel": CHANNEL}
        assert (
            await slack.slack(slack_requests.event_callback(SIGNING_SECRET, event=someone)) == 200
        )
        bot = {**someone, "user": slack.fake.bot_user_id}
        request = slack_requests.event_callback(SIGNING_SECRET, event=bot, event_id="Ev2")
        assert await slack.slack(request) == 200
        await slack.fake.wait_for(lambda: slack.roots(), what="welcome")
        [welcome] = slack.roots()
        for step in STEPS[language]:
            assert step in welcome["text"], step
        assert f"<#{CHANNEL}>" in welcome["text"]


def added(members: list[dict[str, str]], **conversation: object) -> dict[str, object]:
    return {
        "type": "conversationUpdate",
        "id": "update-1",
        "serviceUrl": "",
        "channelId": "msteams",
        "from": BOSS.account,
        "recipient": BOT,
        "membersAdded": members,
        "conversation": conversation,
        "channelData": {},
    }


async def test_teams_welcome_when_the_bot_is_added_and_help_fits_teams(
    database_url: str,
) -> None:
    async with running_teams_bot(database_url) as teams:
        channel = "19:general@thread.tacv2"
        install = added(
            [{"id": BOT["id"]}], id=channel, conversationType="channel", tenantId=TENANT
        )
        install["serviceUrl"] = teams.fake.service_url
        install["channelData"] = {
            "channel": {"id": channel},
            "team": {"id": TEAM},
            "tenant": {"id": TENANT},
            "eventType": "teamMemberAdded",
        }
        # Someone else joining says nothing; the bot's own arrival welcomes the team.
        other = {**install, "id": "update-0", "membersAdded": [{"id": BOSS.id}]}
        assert await teams.post(other) == 200
        assert await teams.post(install) == 200
        await teams.fake.wait_for(lambda: teams.fake.threads_in_channel(), what="welcome")
        [thread] = teams.fake.threads_in_channel()
        assert thread.channel_id == channel
        text = thread.root["text"]
        for step in ("@crisisbot here", "@crisisbot roster add @someone lead", "@crisisbot open"):
            assert step in text, step
        # Installed in a personal chat: the welcome is said there.
        chat = added([{"id": BOT["id"]}], id="a:personal-boss", conversationType="personal")
        chat["serviceUrl"] = teams.fake.service_url
        assert await teams.post(chat) == 200
        await teams.fake.wait_for(lambda: teams.fake.chats.get("a:personal-boss"))
        assert "@crisisbot here" in teams.fake.chats["a:personal-boss"][0]["text"]

        # Help lists what Teams has (`here`) and not what it lacks (`channel`).
        help_text = await teams.say("help", BOSS)
        assert "@crisisbot here" in help_text and "/crisis" not in help_text
        assert "channel <brand>" not in help_text and "@crisisbot channel" not in help_text
        assert (await teams.say("", BOSS)) == help_text
