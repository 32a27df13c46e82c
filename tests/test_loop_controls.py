"""End to end: the controls on the root message and the Teams card follow the crisis's state,
the state names its timer correctly, one playbook per crisis, and reminders leave the Teams
card alone (against the fake Slack and the fake Bot Connector)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import SlackBot, post, running_bot
from tests.teams_e2e import ANNA, BOSS, CARL, TeamsBot, card_text, running_teams_bot

# Reach 10 and a mild sentiment: not critical, so the thread holds only what the test does.
CALM = {"reach": 10, "sentiment": -0.3, "author": {"name": "Ola", "followers": 10}}


def controls(message: dict[str, Any]) -> list[str]:
    [actions] = [b for b in message["blocks"] if b.get("block_id") == "crisis_actions"]
    return [element["action_id"] for element in actions["elements"]]


def context_line(message: dict[str, Any]) -> str:
    [context] = [b for b in message["blocks"] if b["type"] == "context"]
    return str(context["elements"][0]["text"])


async def slack_crisis(slack: SlackBot) -> None:
    """A lead (UBOSS), a senior (UANNA) who owns crisis #1."""
    await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
    await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
    await slack.post_alert(post(**CALM))
    await slack.wait_thread(1, 1)


WORDS = {
    "en": {"escalates": "Escalates <!date^", "next": "Next reminder <!date^"},
    "pl": {"escalates": "Eskalacja <!date^", "next": "Następne przypomnienie <!date^"},
}


@pytest.mark.parametrize("language", ["en", "pl"])
async def test_slack_controls_and_timer_follow_the_state(database_url: str, language: str) -> None:
    words = WORDS[language]
    async with running_bot(database_url, language=language) as slack:
        await slack_crisis(slack)
        root = slack.root(1)
        assert controls(root) == [
            "crisis_ack", "crisis_reassign", "crisis_playbook", "crisis_category",
        ]  # fmt: skip
        # Not acknowledged yet: the timer is the escalation, not a reminder.
        assert words["escalates"] in context_line(root)
        assert words["next"] not in context_line(root)

        await slack.click("crisis_ack", 1)
        await slack.fake.wait_for(lambda: "crisis_resolve" in controls(slack.root(1)))
        assert controls(slack.root(1)) == [
            "crisis_playbook", "crisis_resolve", "crisis_reassign", "crisis_snooze",
            "crisis_category",
        ]  # fmt: skip
        assert words["next"] in context_line(slack.root(1))
        assert words["escalates"] not in context_line(slack.root(1))

        await slack.command("resolve 1")
        await slack.fake.wait_for(lambda: "crisis_confirm" in controls(slack.root(1)))
        root = slack.root(1)
        assert controls(root) == [
            "crisis_confirm", "crisis_reopen", "crisis_snooze", "crisis_category",
        ]  # fmt: skip
        # Client confirmed asks first, and the question names the steps left unticked.
        [confirm] = [
            e
            for b in root["blocks"]
            if b.get("block_id") == "crisis_actions"
            for e in b["elements"]
            if e["action_id"] == "crisis_confirm"
        ]
        dialog = confirm["confirm"]["text"]["text"]
        assert ("Fix it now" if language == "en" else "Napraw") in dialog

        await slack.click("crisis_confirm", 1)
        await slack.fake.wait_for(lambda: controls(slack.root(1)) == ["crisis_reopen"])
        # The closing checklist is ticked like the playbook, also once the crisis is closed.
        await slack.fake.wait_for(
            lambda: any("closing_steps" in str(m.get("blocks")) for m in slack.thread(1))
        )
        playbook = next(m for m in slack.thread(1) if "closing_steps" in str(m.get("blocks")))
        ticked = await slack.click(
            "closing_steps", 1, message=playbook, block_id="closing_1",
            selected_options=["1:public_summary"],
        )  # fmt: skip
        assert ticked == (
            "Closing checklist of #1: 1/2 done."
            if language == "en"
            else "Lista przed zamknięciem kryzysu #1: zrobione 1/2."
        )

        def closing_ticks() -> list[str]:
            [now] = [m for m in slack.thread(1) if m["ts"] == playbook["ts"]]
            [block] = [b for b in now["blocks"] if b.get("block_id") == "closing_1"]
            return [o["value"] for o in block["elements"][0].get("initial_options", [])]

        await slack.fake.wait_for(lambda: closing_ticks() == ["1:public_summary"])
        # The steps' progress is not the closing checklist's.
        assert ("Playbook 0/5" if language == "en" else "0/5") in context_line(slack.root(1))
        # Closed: Reopen is the one control, and it works.
        answer = await slack.click("crisis_reopen", 1)
        assert answer.startswith("Crisis #1 is open" if language == "en" else "Kryzys #1 jest")
        await slack.fake.wait_for(lambda: "crisis_resolve" in controls(slack.root(1)))


async def test_slack_playbook_is_one_checklist_per_crisis(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack_crisis(slack)
        # Before acknowledging: Playbook posts the checklist in the thread.
        answer = await slack.click("crisis_playbook", 1, user="UCARL")
        assert answer == "The playbook of #1 is in its thread: tick the steps there."
        await slack.fake.wait_for(
            lambda: any("Playbook for crisis #1" in str(m.get("blocks")) for m in slack.thread(1))
        )
        # Acknowledging and pressing Playbook again refresh that one checklist, never copy it.
        await slack.click("crisis_ack", 1)
        await slack.click("crisis_playbook", 1)
        await slack.wait_thread(1, 3)
        playbook = next(m for m in slack.thread(1) if "Playbook for crisis" in str(m.get("blocks")))
        await slack.click(
            "playbook_steps", 1, message=playbook, block_id="playbook_1",
            selected_options=["1:apologise"],
        )  # fmt: skip
        await slack.click("crisis_playbook", 1)
        await slack.fake.wait_for(lambda: "Playbook 1/5" in context_line(slack.root(1)))
        # The one checklist shows the tick, whichever way it is reached.
        await slack.fake.wait_for(
            lambda: any(
                m["ts"] == playbook["ts"] and "initial_options" in str(m["blocks"])
                for m in slack.thread(1)
            )
        )
        copies = [m for m in slack.thread(1) if "Playbook for crisis" in str(m.get("blocks"))]
        assert len(copies) == 1
        posted = [
            c
            for c in slack.fake.calls_to("chat.postMessage")
            if "Playbook for crisis" in str(c.args.get("blocks"))
        ]
        assert len(posted) == 1


async def test_slack_a_lead_acknowledging_takes_the_crisis_over(database_url: str) -> None:
    async with running_bot(database_url, reminder_interval="1s") as slack:
        await slack_crisis(slack)
        assert await slack.click("crisis_ack", 1, user="UBOSS") == (
            "You are on crisis #1. The playbook is in its thread."
        )
        await slack.fake.wait_for(
            lambda: any(
                m["text"] == "<@UBOSS> took over crisis #1 from <@UANNA> and is on it."
                for m in slack.thread(1)
            )
        )
        await slack.fake.wait_for(lambda: "<@UBOSS>" in str(slack.root(1)["blocks"]))
        # The reminders follow the new owner.
        await slack.fake.wait_for(
            lambda: any(m["text"].startswith("<@UBOSS>, reminder") for m in slack.thread(1))
        )
        assert not any(m["text"].startswith("<@UANNA>, reminder") for m in slack.thread(1))


async def teams_crisis(teams: TeamsBot) -> None:
    await teams.say("roster add @Bob lead", BOSS, (BOSS,))
    await teams.say("roster add @Anna senior", BOSS, (ANNA,))
    await teams.say("here", BOSS)
    await teams.post_alert(post(**CALM))
    await teams.fake.wait_for(lambda: teams.texts(1), what="crisis #1 thread")


def titles(teams: TeamsBot) -> list[str]:
    return [action["title"] for action in teams.root_card(1).get("actions", [])]


async def test_teams_reminders_never_rewrite_the_card(database_url: str) -> None:
    async with running_teams_bot(database_url, reminder_interval="1s") as teams:
        await teams_crisis(teams)
        root_id = teams.thread(1).root["id"]
        assert titles(teams) == ["Acknowledge", "Reassign", "Playbook", "Category"]
        await teams.submit({"crisisbot": "ack", "crisis": 1})
        await teams.fake.wait_for(lambda: "Propose resolution" in titles(teams))
        assert titles(teams) == [
            "Playbook",
            "Propose resolution",
            "Reassign",
            "Snooze",
            "Category",
        ]
        updates_after_ack = [c for c in teams.fake.calls_to("update") if c.activity_id == root_id]
        # Three reminders reach the thread; the card is not PUT once more.
        await teams.wait_texts(
            1, lambda t: sum("reminder for crisis #1" in x for x in t) >= 3, "three reminders"
        )
        updates = [c for c in teams.fake.calls_to("update") if c.activity_id == root_id]
        assert len(updates) == len(updates_after_ack)
        assert "reminder" not in card_text(teams.root_card(1)).lower()
        # Snoozing moves only the timer, which the card does not show: no rewrite either.
        snoozed = await teams.submit({"crisisbot": "snooze", "crisis": 1, "snooze_for": "4h"})
        assert snoozed["text"].startswith("Next reminder for #1")
        await teams.wait_texts(1, lambda t: any("snoozed" in x for x in t), "snoozed")
        updates = [c for c in teams.fake.calls_to("update") if c.activity_id == root_id]
        assert len(updates) == len(updates_after_ack)

        # A real change still updates the card: awaiting confirmation, Client confirmed asks.
        await teams.submit({"crisisbot": "resolve", "crisis": 1, "remedy": "refund"})
        await teams.fake.wait_for(lambda: "Client confirmed" in titles(teams))
        assert titles(teams) == ["Client confirmed", "Reopen", "Snooze", "Category"]
        [confirm] = [a for a in teams.root_card(1)["actions"] if a["title"] == "Client confirmed"]
        assert confirm["type"] == "Action.ShowCard"
        asked = card_text(confirm["card"])
        assert "This closes crisis #1" in asked and "Fix it now" in asked
        assert confirm["card"]["actions"][0]["data"] == {"crisisbot": "confirm", "crisis": 1}
        await teams.submit({"crisisbot": "confirm", "crisis": 1})
        await teams.fake.wait_for(lambda: titles(teams) == ["Reopen"])
        closing = {"crisisbot": "closing", "crisis": 1}
        answer = await teams.submit(
            {**closing, "closing_remove_comment": "true", "closing_public_summary": "false"}
        )
        assert answer["text"] == "Closing checklist of #1: 1/2 done."
        await teams.fake.wait_for(
            lambda: (
                '"id": "closing_remove_comment", "title": "Ask about the comment", '
                '"value": "true"' in card_text(teams.cards(1)[0])
            ),
            what="closing item ticked on the playbook card",
        )
        answer = await teams.submit({"crisisbot": "reopen", "crisis": 1})
        assert answer["text"] == "Crisis #1 is open again."
        await teams.fake.wait_for(lambda: "Propose resolution" in titles(teams))


async def test_teams_a_refusal_is_told_only_to_the_person_who_clicked(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await teams_crisis(teams)
        refusal = await teams.submit({"crisisbot": "ack", "crisis": 1}, CARL)
        assert refusal["text"].startswith("Only the owner of #1")
        assert not any("Only the owner" in text for text in teams.texts(1))
        # Without a 1:1 chat (the connector refuses one), the answer still reaches the thread.
        teams.fake.fail_next("conversations", status=403, retry_after=None)
        thread = teams.thread(1)
        click = teams.activity(
            CARL,
            thread.conversation_id,
            thread.channel_id,
            value={"crisisbot": "ack", "crisis": 1},
            replyToId=thread.root["id"],
        )
        assert await teams.post(click) == 200
        assert teams.answer_to(click)["text"].startswith("Only the owner of #1")


async def test_teams_the_category_is_corrected_on_the_card(database_url: str) -> None:
    """A wrong guess of the category is corrected from the card, as from Slack's menu: the
    card and the playbook's remedies follow it; a closed crisis offers no category."""
    async with running_teams_bot(database_url) as teams:
        await teams_crisis(teams)
        [category] = [a for a in teams.root_card(1)["actions"] if a["title"] == "Category"]
        [choices] = category["card"]["body"]
        titles_offered = [c["title"] for c in choices["choices"]]
        assert "faulty product" in titles_offered and "delivery delay" in titles_offered
        assert choices["value"] == "delivery_delay"
        submit = category["card"]["actions"][0]["data"]
        assert submit == {"crisisbot": "category", "crisis": 1}

        refused = await teams.submit({**submit, "category_is": "weather"})
        assert refused["text"].startswith("Unknown category")
        answer = await teams.submit({**submit, "category_is": "product_defect"})
        assert answer["text"] == (
            "Crisis #1 is now in the category faulty product; the playbook follows it."
        )
        await teams.fake.wait_for(
            lambda: '"value": "faulty product"' in card_text(teams.root_card(1)),
            what="the card shows the new category",
        )
        await teams.submit({"crisisbot": "ack", "crisis": 1})
        await teams.fake.wait_for(lambda: teams.cards(1), what="playbook card")
        assert "Repair or replacement" in card_text(teams.cards(1)[0])
