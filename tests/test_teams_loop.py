"""End to end in Teams: `@crisisbot here`, an alert opens a card thread, Action.Submit
drives the crisis (ack, playbook, reassign, resolve, snooze, confirm), reminders reach the
thread, text commands answer in English and Polish. Against the fake Bot Connector."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from models import TeamsChannel
from tests.e2e import post
from tests.teams_e2e import ANNA, BOSS, CARL, CHANNEL, TeamsBot, card_text, running_teams_bot


async def setup_crisis(teams: TeamsBot) -> None:
    """A lead (Bob), a senior (Anna, who gets crisis #2) and this channel as the crisis
    channel."""
    assert await teams.say("roster add @Bob lead", BOSS, (BOSS,)) == (
        "<at>Bob Boss</at> is on the roster as lead."
    )
    await teams.say("roster add @Anna senior", BOSS, (ANNA,))
    assert await teams.say("here", BOSS) == (
        "This channel is now the Teams crisis channel: new crises open here as threads."
    )
    await teams.post_alert(post(id="warmup", url="https://facebook.com/sklep/posts/1"))
    await teams.post_alert(post())
    await teams.fake.wait_for(lambda: teams.texts(2), what="crisis #2 thread")


async def test_the_whole_loop_with_cards(database_url: str) -> None:
    async with running_teams_bot(database_url, reminder_interval="2s") as teams:
        await setup_crisis(teams)
        n = 2
        # The card: a new thread in the crisis channel, the same facts as on Slack.
        thread = teams.thread(n)
        assert thread.channel_id == CHANNEL
        card = teams.root_card(n)
        text = card_text(card)
        assert "Crisis #2 · Sklep · Facebook" in text and "Anna Kowalska" in text
        assert '"Reach", "value": "12,000"' in text and '"value": "critical"' in text
        assert "<at>Anna Nowak</at>" in text
        assert card["msteams"]["entities"][0]["mentioned"]["id"] == "aad-anna"
        titles = [action["title"] for action in card["actions"]]
        # Open: only what can be done before acknowledging.
        assert titles == ["Acknowledge", "Reassign", "Playbook", "Category"]
        # The owner is mentioned in the thread, with the entity that makes it a mention.
        first = thread.replies[0]
        assert "<at>Anna Nowak</at>" in first["text"]
        assert first["entities"][0]["mentioned"]["id"] == "aad-anna"

        # Acknowledge: someone off the roster is refused; the owner's click counts once.
        refusal = await teams.submit({"crisisbot": "ack", "crisis": n}, CARL)
        assert refusal["text"] == (
            "Only the owner of #2 (<at>Anna Nowak</at>) or a lead (<at>Bob Boss</at>) can do that."
        )
        answer = await teams.submit({"crisisbot": "ack", "crisis": n})
        assert answer["text"] == "You are on crisis #2. The playbook is in its thread."
        again = await teams.submit({"crisisbot": "ack", "crisis": n})
        assert again["text"].startswith("Crisis #2 is already acknowledged")
        await teams.wait_texts(n, lambda t: any("acknowledged crisis #2" in x for x in t))
        await teams.fake.wait_for(lambda: "acknowledged" in card_text(teams.root_card(n)))
        # Updated in place: the same activity, edited, still the thread's root.
        assert teams.fake.edits[thread.root["id"]]
        assert len(teams.fake.threads_in_channel()) == 2
        assert len([t for t in teams.texts(n) if "acknowledged crisis #2" in t]) == 1
        await teams.fake.wait_for(lambda: teams.cards(n), what="playbook card")
        playbook = teams.cards(n)[0]
        assert "Playbook for crisis #2" in card_text(playbook)
        assert "Refund of the money paid" in card_text(playbook)

        # Playbook: the toggles come back as inputs merged into the submit's value.
        answer = await teams.submit(
            {
                "crisisbot": "steps",
                "crisis": n,
                "step_apologise": "true",
                "step_admit": "true",
                "step_fix": "false",
                "step_improve": "false",
                "step_compensate": "false",
            }
        )
        assert answer["text"] == "Playbook for #2: 2/5 done. Next: Fix it now."
        await teams.fake.wait_for(lambda: "Playbook 2/5" in card_text(teams.root_card(n)))
        await teams.fake.wait_for(
            lambda: '"value": "true"' in card_text(teams.cards(n)[0]), what="playbook ticked"
        )
        # Playbook again: it points to the checklist in the thread, never a second copy.
        shown = await teams.submit({"crisisbot": "playbook", "crisis": n})
        assert shown["text"] == "The playbook of #2 is in its thread: tick the steps there."
        assert "attachments" not in shown and len(teams.cards(n)) == 1

        # A follow-up reminder reaches the thread, mentioning the owner.
        await teams.wait_texts(
            n,
            lambda t: any("<at>Anna Nowak</at>" in x and "Fix it now" in x for x in t),
            "follow-up",
        )

        # Propose resolution: remedy and note from the card's inputs; the note stays inert.
        answer = await teams.submit(
            {
                "crisisbot": "resolve",
                "crisis": n,
                "remedy": "refund",
                "note": "Zwrot <at>x</at> *ok*",
            }
        )
        assert answer["text"].startswith("Resolution proposed for #2")
        texts = await teams.wait_texts(n, lambda t: "proposed a resolution" in t[-1])
        assert "Refund of the money paid" in texts[-1]
        assert "&lt;at&gt;x&lt;/at&gt; \\*ok\\*" in texts[-1]
        await teams.fake.wait_for(
            lambda: "awaiting confirmation" in card_text(teams.root_card(n)), timeout=10
        )
        # Awaiting the customer: the reminder asks whether they confirmed.
        await teams.wait_texts(
            n,
            lambda t: any("confirmed" in x and "<at>Anna Nowak</at>" in x for x in t[-3:]),
            "confirmation reminder",
        )

        # Client confirmed: closed, figures on the card, reminders stop.
        answer = await teams.submit({"crisisbot": "confirm", "crisis": n})
        assert answer["text"].startswith("Crisis #2 is closed. Not ticked in its playbook:")
        # The report joins the thread's queue (paced per thread): a little more to wait for.
        await teams.fake.wait_for(
            lambda: "Closed. First acknowledgement after" in card_text(teams.root_card(n)),
            timeout=10,
        )
        # The closing message, then the report (no chart card without PUBLIC_BASE_URL).
        await teams.fake.wait_for(
            lambda: teams.texts(n)[-1].startswith("Report on crisis #2"), timeout=10
        )
        assert "Time to first" in teams.texts(n)[-2]
        settled = len(teams.texts(n))
        # Longer than REMINDER_INTERVAL: a reminder still scheduled would have come by now.
        await asyncio.sleep(3)
        assert len(teams.texts(n)) == settled


async def test_text_commands_said_to_the_bot(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await setup_crisis(teams)
        listing = await teams.say("list")
        assert listing.startswith("Open crises: 2")
        assert "#2 open" in listing and "owner <at>Anna Nowak</at>" in listing
        status = await teams.say("status 2")
        assert status.startswith("Crisis #2: open, severity critical, category delivery delay")
        # One line each, kept apart in Teams' markdown.
        assert "\n\nTimeline:\n\n" in status
        assert await teams.say("ack 2") == "You are on crisis #2. The playbook is in its thread."
        answer = await teams.say("resolve 2 refund sent")
        assert answer.startswith("Resolution proposed for #2")
        texts = await teams.wait_texts(2, lambda t: "proposed a resolution" in t[-1])
        assert "refund sent" in texts[-1]
        assert (await teams.say("confirm 2", BOSS)).startswith("Crisis #2 is closed.")
        # Reassign by text, naming the person with a Teams mention.
        assert await teams.say("assign 1 @Bob", BOSS, (BOSS,)) == (
            "Crisis #1 now belongs to <at>Bob Boss</at>."
        )


async def test_wrong_input_gets_a_clear_answer_and_changes_nothing(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await setup_crisis(teams)
        assert await teams.say("status twelve") == (
            # Teams shows the escaped `<n>` as typed.
            "Usage: @crisisbot status &lt;n&gt;, e.g. @crisisbot status 12"
        )
        assert await teams.say("frobnicate 2") == (
            "Unknown command “frobnicate”. See `@crisisbot help`."
        )
        assert await teams.say("status 99") == "There is no crisis #99."
        assert (await teams.say("snooze 2 forever")).startswith("Snooze")
        # Cards: a submit that is not one of ours, or with a bad input, is refused.
        refused = await teams.submit({"crisisbot": "launch", "crisis": 2})
        assert refused["text"] == (
            "That card is out of date. Use the buttons on the crisis card or a text command."
        )
        refused = await teams.submit({"crisisbot": "resolve", "crisis": 2, "remedy": "cake"})
        assert "remedy" in refused["text"].lower()
        refused = await teams.submit({"crisisbot": "snooze", "crisis": 2, "snooze_for": "1y"})
        assert refused["text"].startswith("Snooze")
        # `here` outside a team channel (a personal chat) cannot make a crisis channel.
        chat = teams.activity(
            BOSS, "a:personal-chat", text="here", channelData={"tenant": {"id": "t"}}
        )
        assert await teams.post(chat) == 200
        assert teams.answer_to(chat)["text"] == (
            "Say this in a team channel: crises open there as threads."
        )
        # What is not an activity at all is refused before anything is read.
        assert await teams.post(b"not json") == 400
        assert await teams.post(b'{"text": "no type"}') == 400
        status = await teams.say("status 2")
        assert status.startswith("Crisis #2: open,")
        assert "snoozed" not in status and "resolution" not in status


async def test_polish_answers(database_url: str) -> None:
    async with running_teams_bot(database_url, language="pl") as teams:
        assert await teams.say("list") == "Brak otwartych kryzysów. Jest spokojnie."
        assert (await teams.say("status abc")).startswith("Użycie: @crisisbot status &lt;n&gt;")
        await teams.say("roster add @Bob lead", BOSS, (BOSS,))
        assert await teams.say("here", BOSS) == (
            "Ten kanał jest teraz kanałem kryzysowym w Teams: nowe kryzysy otwierają się tu "
            "jako wątki."
        )


async def test_reassign_and_snooze_from_the_card(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await setup_crisis(teams)
        await teams.say("roster add @Carl junior", BOSS, (CARL,))
        card = teams.root_card(2)
        [reassign] = [a for a in card["actions"] if a["title"] == "Reassign"]
        choices = reassign["card"]["body"][0]["choices"]
        # The owner is not offered, nor a junior: only those who can take it over.
        assert [c["title"] for c in choices] == ["Bob Boss"]
        carl_id = str(await _member_id(teams, "Carl Junior"))
        refused = await teams.submit({"crisisbot": "reassign", "crisis": 2, "owner": carl_id})
        assert "senior or lead" in refused["text"]
        answer = await teams.submit(
            {"crisisbot": "reassign", "crisis": 2, "owner": choices[0]["value"]}
        )
        assert answer["text"] == "Crisis #2 now belongs to <at>Bob Boss</at>."
        await teams.fake.wait_for(lambda: "<at>Bob Boss</at>" in card_text(teams.root_card(2)))
        await teams.submit({"crisisbot": "ack", "crisis": 2}, BOSS)
        answer = await teams.submit(
            {"crisisbot": "snooze", "crisis": 2, "snooze_for": "tomorrow"}, BOSS
        )
        assert answer["text"].startswith("Next reminder for #2: ")
        assert "08:00 UTC" in answer["text"]  # 9:00 in Warsaw, the person's time zone


async def _member_id(teams: TeamsBot, name: str) -> int:
    from sqlalchemy import select

    from models import RosterMember

    async with teams.bot.db.sessions() as session:
        return int(
            await session.scalar(select(RosterMember.id).where(RosterMember.display_name == name))
            or 0
        )


async def test_an_unacknowledged_crisis_escalates_in_the_thread(database_url: str) -> None:
    async with running_teams_bot(database_url, ack_timeout="1s") as teams:
        await setup_crisis(teams)
        # Anna, the only senior, does not acknowledge #2 in time: the lead is called (she
        # does not get it back), then the whole channel.
        texts = await teams.wait_texts(2, lambda t: any("every senior has had it" in x for x in t))
        called = next(x for x in texts if "every senior has had it" in x)
        assert called.startswith("<at>Bob Boss</at> crisis #2 is still not acknowledged")
        await teams.wait_texts(2, lambda t: any("<at>channel</at>" in x for x in t))
        # The whole channel is called with a real channel mention.
        [everyone] = [
            r for r in teams.thread(2).replies if "<at>channel</at>" in r.get("text", "")
        ][:1]
        assert {
            "type": "mention",
            "text": "<at>channel</at>",
            "mentioned": {
                "id": CHANNEL,
                "name": "channel",
                "conversationIdentityType": "channel",
            },
        } in everyone["entities"]
        assert "<at>Anna Nowak</at>" in card_text(teams.root_card(2))
        # Bob acknowledges: he takes it over, and the card and thread say so.
        assert (await teams.submit({"crisisbot": "ack", "crisis": 2}, BOSS))["text"] == (
            "You are on crisis #2. The playbook is in its thread."
        )
        await teams.wait_texts(
            2,
            lambda t: (
                "<at>Bob Boss</at> took over crisis #2 from <at>Anna Nowak</at>" in t[-1]
                or any("took over" in x for x in t)
            ),
        )
        await teams.fake.wait_for(lambda: "<at>Bob Boss</at>" in card_text(teams.root_card(2)))


async def test_a_brand_can_have_its_own_teams_channel(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        assert await teams.say("here", BOSS) == (
            "This channel is now the Teams crisis channel: new crises open here as threads."
        )
        other = "19:inny-sklep@thread.tacv2"
        assert await teams.say("here Inny Sklep", BOSS, channel=other) == (
            "Crises about Inny Sklep now open in this channel."
        )
        await teams.post_alert(post())
        await teams.post_alert(
            post(id="inny", url="https://x.com/inny/1", brand="inny  sklep", author={"name": "X"})
        )
        await teams.fake.wait_for(lambda: teams.texts(1) and teams.texts(2))
        assert teams.thread(1).channel_id == CHANNEL
        assert teams.thread(2).channel_id == other
        # Remembered in the database, for proactive messages after a restart.
        async with teams.bot.db.sessions() as session:
            channels = {c.conversation_id: c for c in await session.scalars(select(TeamsChannel))}
        assert set(channels) == {CHANNEL, other}
        assert channels[CHANNEL].is_default and not channels[other].is_default
        assert channels[CHANNEL].service_url == teams.fake.service_url
        assert channels[CHANNEL].bot_id == "28:crisisbot-app"
