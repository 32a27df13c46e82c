"""End to end: the words the team reads and the replies it posts, in English and Polish,
against the fake Slack and the fake Bot Connector.

Each crisis here is owned by the only person on the roster, a lead, so the tests do not
depend on who the bot picks among several."""

from __future__ import annotations

import re
from typing import Any

from bot.i18n import CATALOGUES, duration, number, plural
from bot.messages import Message, duration_ref, number_ref
from handlers.slack.text import Renderer as SlackRenderer
from tests.e2e import SlackBot, post, running_bot
from tests.teams_e2e import BOSS, TeamsBot, card_text, running_teams_bot


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("blocks") or "") + str(message.get("text") or "")


def sections(message: dict[str, Any]) -> list[str]:
    return [
        block["text"]["text"]
        for block in message.get("blocks") or []
        if block.get("type") == "section" and "text" in block
    ]


def remedies(playbook: dict[str, Any]) -> list[tuple[str, str]]:
    """The remedies of a Slack playbook: (name, public reply) in the order offered."""
    found = [text.split("\n> ", 1) for text in sections(playbook) if "\n> " in text]
    return [(name.strip("*"), reply) for name, reply in found]


def replies(playbook: dict[str, Any]) -> str:
    return "\n".join(reply for _, reply in remedies(playbook))


async def lead(slack: SlackBot) -> None:
    await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")


async def found(slack: SlackBot, n: int, words: str) -> dict[str, Any]:
    """The message in crisis #n's thread that says `words`, once it is there."""
    await slack.fake.wait_for(lambda: any(words in text_of(m) for m in slack.thread(n)))
    return next(m for m in slack.thread(n) if words in text_of(m))


async def acknowledged(slack: SlackBot, n: int, **alert: Any) -> dict[str, Any]:
    """Crisis #n from `alert`, acknowledged by the lead; returns its playbook message."""
    await slack.post_alert(post(**alert))
    await slack.wait_thread(n, 1)
    await slack.command(f"ack {n}", user="UBOSS")
    # The checklist's block id, in any language.
    return await found(slack, n, f"'block_id': 'playbook_{n}'")


async def test_the_reply_is_in_the_customers_language_and_names_only_the_first_name(
    database_url: str,
) -> None:
    async with running_bot(database_url, language="en") as slack:
        await lead(slack)
        playbook = await acknowledged(slack, 1)  # a Polish post by Anna Kowalska
        said = replies(playbook)
        assert said.startswith("Anna, bardzo przepraszamy")
        assert "Kowalska" not in said and "anna.k" not in said
        # The team reads the bot's own language around it.
        assert remedies(playbook)[0][0] == "Refund of the money paid"
        # Nobody has written to the customer yet: the reply says we will.
        assert "Napiszemy do Ciebie w prywatnej wiadomości" in said
        assert not re.search(r"Napisaliśmy|wysłaliśmy", said)


async def test_an_english_post_gets_an_english_reply_from_a_polish_bot(database_url: str) -> None:
    async with running_bot(database_url, language="pl") as slack:
        await lead(slack)
        english = post(text="My parcel is three weeks late and nobody answers", language=None)
        english["author"] = {"handle": "late_parcel"}
        playbook = await acknowledged(slack, 1, **english)
        said = replies(playbook)
        assert said.startswith("Hi @late_parcel, we are very sorry")
        assert "We will write to you in a private message" in said
        assert remedies(playbook)[0][0] == "Zwrot wpłaconych pieniędzy"

        nameless = post(id="p2", url="https://x.com/a/2", text="Still no parcel after 3 weeks")
        nameless.update(author={}, language="en")
        said = replies(await acknowledged(slack, 2, **nameless))
        assert said.startswith("Hello, we are very sorry") and "Hi ," not in said


async def test_remedies_fit_the_category(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await lead(slack)
        rejected = await acknowledged(
            slack,
            1,
            id="c1",
            url="https://facebook.com/sklep/posts/11",
            text="They rejected my warranty claim for a kettle that stopped working",
            language="en",
        )
        assert "complaint rejected" in text_of(rejected)
        assert [name for name, _ in remedies(rejected)] == [
            "Contact at once and review the rejected complaint",
            "Repair or replacement, at our cost",
            "Refund of the money paid",
        ]
        said = replies(rejected)
        assert "long wait" not in said and "does not match our description" not in said

        price = await acknowledged(
            slack,
            2,
            id="c2",
            url="https://facebook.com/sklep/posts/12",
            text="Zmienili cenę po zamówieniu i każą dopłacić 50 zł",
        )
        assert [name for name, _ in remedies(price)] == [
            "Honour the price paid",
            "Apologise, free cancellation and a discount",
        ]
        # The item may be out of stock: the first reply promises no shipping.
        first = remedies(price)[0][1]
        assert "wyślemy je" not in first and "bezpłatnie zrezygnować" in first

        defect = await acknowledged(
            slack,
            3,
            id="c3",
            url="https://facebook.com/sklep/posts/13",
            text="Bluzka rozpruła się po pierwszym praniu",
        )
        assert "faulty product" in text_of(slack.root(3))
        assert remedies(defect)[0][0] == "Repair or replacement, at our cost"
        assert "Naprawimy go albo wymienimy" in remedies(defect)[0][1]


async def test_the_category_select_offers_product_defect(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await lead(slack)
        await acknowledged(slack, 1)
        answer = await slack.click(
            "crisis_category", 1, user="UBOSS", selected_option="1:product_defect"
        )
        assert answer == "Crisis #1 is now in the category faulty product; the playbook follows it."


async def test_reviews_are_never_asked_to_be_removed(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await lead(slack)
        review = await acknowledged(
            slack,
            1,
            id="tp1",
            source="trustpilot",
            url="https://www.trustpilot.com/reviews/abc",
            text="Two stars. The parcel came three weeks late.",
            language="en",
        )
        assert "This is a review on Trustpilot: never ask for it to be removed" in text_of(review)
        assert "review" not in replies(review)
        await slack.command("resolve 1", user="UBOSS")
        proposed = text_of(await found(slack, 1, "proposed a resolution"))
        assert "Do not ask the customer to remove or change their review" in proposed
        assert "Ask the customer to remove" not in proposed

        await acknowledged(slack, 2, id="fb2", url="https://facebook.com/sklep/posts/2")
        await slack.command("resolve 2 Zwrot wysłany", user="UBOSS")
        proposed = text_of(await found(slack, 2, "proposed a resolution"))
        assert "Ask the customer to remove the negative comment" in proposed


async def test_no_empty_slots_and_a_timeline_in_human_words(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await lead(slack)
        playbook = await acknowledged(slack, 1)
        await slack.click(
            "playbook_steps", 1, user="UBOSS", message=playbook, block_id="playbook_1",
            selected_options=["1:admit"],
        )  # fmt: skip
        await slack.click(
            "playbook_steps", 1, user="UBOSS", message=playbook, block_id="playbook_1",
            selected_options=["1:admit", "1:apologise"],
        )  # fmt: skip
        await slack.command("snooze 1 2h", user="UBOSS")
        await slack.command("resolve 1", user="UBOSS")
        await slack.command("confirm 1", user="UBOSS")
        closed = await found(slack, 1, "crisis #1 is closed")
        # In words, and nothing after them: no "Note: —" when there is no note.
        assert re.search(r"time to resolution: \d+ (seconds?|minutes?)\.$", closed["text"])
        proposed = await found(slack, 1, "proposed a resolution")
        assert proposed["text"].startswith("<@UBOSS> proposed a resolution.\nNow waiting")
        thread = "\n".join(text_of(m) for m in slack.thread(1))
        assert "Note: —" not in thread and ": —" not in thread
        status = await slack.command("status 1")
        # Steps in the order they were ticked, by their names.
        assert status.index("ticked: Admit the mistake") < status.index("ticked: Apologise")
        assert "ticked off" not in status and "admit\n" not in status
        assert re.search(r"snoozed by <@UBOSS> until <!date\^\d+", status)
        assert "resolution proposed by <@UBOSS>.\n" in status
        assert "—" not in status


async def test_polish_plurals_numbers_and_durations(database_url: str) -> None:
    async with running_bot(database_url, language="pl", ack_timeout="15m") as slack:
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.post_alert(post())
        await slack.wait_thread(1, 1)
        status = await slack.command("status 1")
        assert "· 1 post · zasięg: 12\u00a0000 ·" in status
        for n in range(2, 6):
            comment = post(id=f"k{n}", url=f"https://facebook.com/sklep/posts/100?c={n}")
            comment["parent_url"] = "https://www.facebook.com/sklep/posts/100"
            await slack.post_alert(comment)
            if n == 2:
                assert "· 2 posty ·" in await slack.command("status 1")
        assert "· 5 postów ·" in await slack.command("status 1")
        assert "5 postów" in await slack.command("list")
        root = text_of(slack.root(1))
        assert "2300 obserwujących" in root and "Kryzys #1 · Sklep · Facebook" in root
        assert "(Facebook: " in status and "facebook:" not in status


async def test_english_plurals(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.post_alert(post(reach=1, author={"name": "A", "followers": 1}))
        await slack.wait_thread(1, 1)
        assert "· 1 post · reach: 1 ·" in await slack.command("status 1")
        assert "1 follower" in text_of(slack.root(1))
        assert "1 followers" not in text_of(slack.root(1))


async def test_teams_playbook_card_speaks_to_the_customer_in_their_language(
    database_url: str,
) -> None:
    async with running_teams_bot(database_url, language="en") as teams:
        await teams_crisis(teams)
        await teams.submit({"crisisbot": "ack", "crisis": 1}, BOSS)
        await teams.fake.wait_for(lambda: teams.cards(1), what="playbook card")
        card = card_text(teams.cards(1)[0])
        assert "Anna, bardzo przepraszamy" in card and "Kowalska" not in card
        assert "Refund of the money paid" in card


async def test_teams_root_card_in_polish(database_url: str) -> None:
    async with running_teams_bot(database_url, language="pl") as teams:
        await teams_crisis(teams, "Kryzys #1 ")
        root = card_text(teams.fake.thread_of("Kryzys #1 ").root["attachments"][0]["content"])
        assert '"title": "Zajmuję się"' in root and '"value": "12\u00a0000"' in root
        assert "Kryzys #1 · Sklep · Facebook" in root


async def teams_crisis(teams: TeamsBot, title: str = "Crisis #1 ") -> None:
    await teams.say("roster add @Bob lead", BOSS, (BOSS,))
    await teams.say("here", BOSS)
    assert (await teams.post_alert(post()))[0] == 202
    await teams.fake.wait_for(lambda: teams.fake.thread_of(title).replies, what="crisis #1")


def test_plural_forms_and_number_formats() -> None:
    forms = {n: plural("pl", "count.post", n) for n in (1, 2, 4, 5, 12, 22, 25, 112)}
    assert forms == {
        1: "1 post",
        2: "2 posty",
        4: "4 posty",
        5: "5 postów",
        12: "12 postów",
        22: "22 posty",
        25: "25 postów",
        112: "112 postów",
    }
    assert [plural("en", "count.post", n) for n in (0, 1, 2)] == ["0 posts", "1 post", "2 posts"]
    assert plural("en", "count.follower", 12_000) == "12,000 followers"
    assert plural("pl", "count.follower", 12_000) == "12\u00a0000 obserwujących"
    assert number("pl", 2300) == "2300" and number("en", 2300) == "2,300"
    # A spike's usual rate is a mean: a decimal comma in Polish.
    assert number("pl", 2.5) == "2,5" and number("en", 2.5) == "2.5"
    assert number("pl", 12_345.6) == "12\u00a0345,6" and number("en", 2.0) == "2"


def test_a_spike_and_a_report_write_numbers_the_polish_way() -> None:
    spike = Message(
        "thread.spike",
        {"n": 1, "brand": "Sklep", "mentions": 20, "usual": number_ref(2.5), "owner": ""},
    )
    figures = Message(
        "report.figures",
        {
            "to_ack": duration_ref(60),
            "to_resolve": duration_ref(3600),
            "posts": 3,
            "comments": 1,
            "reach": number_ref(1_234_567),
        },
    )
    polish, english = SlackRenderer("pl", {}), SlackRenderer("en", {})
    assert "(zwykle 2,5 na godzinę)" in polish.render(spike)
    assert "(usually 2.5 an hour)" in english.render(spike)
    assert "1\u00a0234\u00a0567" in polish.render(figures)
    assert "1,234,567" in english.render(figures)


def test_durations_in_words() -> None:
    assert duration("en", 15 * 60) == "15 minutes"
    assert duration("pl", 15 * 60) == "15 minut"
    assert duration("pl", 2 * 3600 + 60) == "2 godziny 1 minuta"
    assert duration("en", 25 * 3600) == "1 day 1 hour"
    assert duration("en", 1) == "1 second"


def test_polish_keeps_the_glossary() -> None:
    """One word per thing, as issue #12 fixes it: "acknowledged" is someone taking care of
    it (never accepting a complaint), the roster is the lista dyżurnych, the owner the osoba
    prowadząca, and counts take their proper plural forms."""
    polish = CATALOGUES["pl"]
    assert polish["button.ack"] == "Zajmuję się"
    assert polish["button.snooze"] == polish["snooze.placeholder"] == "Przypomnij później"
    assert polish["playbook.step.compensate"] == "Zaproponuj rekompensatę"
    everything = "\n".join(polish.values())
    assert not re.search(r"przyjmij|przyjęt[yeo]|przyjęci", everything)
    assert "skład" not in everything and "właściciel" not in everything
    assert not re.search(r"\w\((y|a|e|ów)\)", everything)
    for key in ("stats.to_ack", "digest.to_ack", "report.figures", "thread.closed"):
        assert "pierwszej reakcji" in polish[key], key


# Placeholders that hold a length of time: "1 godzina", "2 godziny", "5 godzin" (nominative).
DURATIONS = ("timeout", "age", "after", "to_ack", "to_resolve", "median", "p90")


def test_polish_durations_never_follow_a_preposition_that_changes_their_case() -> None:
    # "za 1 godzina", "w ciągu 1 godzina" and "od 2 godziny" are wrong: a duration in words is
    # in the nominative, so it stands after a colon or in brackets instead.
    after_preposition = re.compile(
        r"\b(za|w ciągu|od|po|przez|do|na|o)\s+\{(" + "|".join(DURATIONS) + r")\}", re.I
    )
    wrong = {key: text for key, text in CATALOGUES["pl"].items() if after_preposition.search(text)}
    assert wrong == {}
