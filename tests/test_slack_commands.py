"""End to end: `/crisis` subcommands and buttons, in English and Polish, through Bolt."""

from __future__ import annotations

import asyncio
import time

import pytest
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from models import Alert, Crisis, MemberIdentity, RosterMember
from sandbox import slack_requests
from tests.e2e import SIGNING_SECRET, post, running_bot
from tests.helpers import count


async def test_help_lists_every_subcommand(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        answer = await slack.command("help")
        for sub in ("open", "list", "status", "ack", "assign", "resolve", "confirm", "reopen",
                    "snooze", "roster", "stats"):  # fmt: skip
            assert f"/crisis {sub}" in answer
        # Usage placeholders are escaped, so Slack shows them instead of eating them as links.
        assert "&lt;url&gt;" in answer
        assert await slack.command("") == answer


async def test_open_reports_a_post_like_an_alert(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        url = "https://www.instagram.com/p/Cx1/"
        assert await slack.command(f"open {url} Klientka pisze, że obsługa ją ignoruje") == (
            "Crisis #1 opened."
        )
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1)
        root = str(slack.root(1)["blocks"])
        assert "instagram" in root and "customer service" in root
        # Slack wraps URLs in angle brackets; the same post again is a duplicate.
        assert await slack.command(f"open <{url}>") == "This post was already reported: crisis #1."
        answer = await slack.command("open https://instagram.com/p/Cx1?igshid=abc second person")
        assert answer == "This post was already reported: crisis #1."
        async with slack.bot.db.sessions() as session:
            crisis = await session.get(Crisis, 1)
        assert crisis is not None and crisis.reported_by == "slack:UANNA"


async def test_list_and_status_show_the_crisis_and_its_timeline(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        assert await slack.command("list") == "No open crises. Calm waters."
        await slack.command("roster add <@UANNA|anna> senior")
        await slack.post_alert(post())
        await slack.post_alert(post(id="c2", url="https://facebook.com/c/2",
                                    parent_url="https://facebook.com/sklep/posts/100"))  # fmt: skip
        listing = await slack.command("list")
        assert listing.startswith("Open crises: 1")
        assert "#1 open · critical · owner <@UANNA> · 2 posts" in listing
        status = await slack.command("status 1")
        assert "Crisis #1: open, severity critical, category delivery delay" in status
        lines = status.split("Timeline:")[1].strip().splitlines()
        assert len(lines) == 3
        assert (
            "opened by alert webhook (Facebook: https://www.facebook.com/sklep/posts/100)"
            in lines[0]
        )
        assert "owner: <@UANNA>" in lines[1]
        assert "another post or comment joined" in lines[2]
        assert all(line.startswith("<!date^") for line in lines)
        assert await slack.command("status #1") == status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("explode", "Unknown command “explode”. See `/crisis help`."),
        ("status", "Usage: /crisis status &lt;n&gt;"),
        ("status abc", "Usage: /crisis status &lt;n&gt;"),
        ("status 99", "There is no crisis #99."),
        ("list everything", "Usage: /crisis list"),
        ("open", "Usage: /crisis open &lt;url&gt; [text]"),
        ("open not-a-url", "Usage: /crisis open &lt;url&gt; [text]"),
        ("open javascript:alert(1)", "Usage: /crisis open &lt;url&gt; [text]"),
        ("roster add", "Usage: /crisis roster"),
        ("roster add anna senior", "Usage: /crisis roster"),
        ("roster add <@UBOB|bob> boss", "“boss” is not a level. Use one of: junior, senior, lead."),
        ("roster remove <@UNOBODY>", "That person is not on the roster."),
        ("roster dance", "Usage: /crisis roster"),
    ],
)
async def test_wrong_input_gets_a_short_answer_and_changes_nothing(
    database_url: str, text: str, expected: str
) -> None:
    async with running_bot(database_url) as slack:
        answer = await slack.command(text)
        assert answer.startswith(expected), answer
        for model in (Crisis, Alert, RosterMember, MemberIdentity):
            assert await count(slack.bot.db, model) == 0
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_roster_is_open_until_there_is_a_lead_then_leads_only(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        assert "The roster is empty" in await slack.command("roster")
        assert await slack.command("roster add <@UANNA|anna> senior", user="UBOB") == (
            "<@UANNA> is on the roster as senior."
        )
        assert await slack.command("roster add <@UBOB|bob> lead", user="UANNA") == (
            "<@UBOB> is on the roster as lead."
        )
        # Now only a lead may change it.
        refusal = await slack.command("roster add <@UCARL|carl> senior", user="UANNA")
        assert refusal == "Only a lead can change the roster."
        assert await slack.command("roster remove <@UBOB>", user="UANNA") == refusal
        assert await count(slack.bot.db, RosterMember) == 2
        assert await slack.command("roster add <@UCARL|carl> junior", user="UBOB") == (
            "<@UCARL> is on the roster as junior."
        )
        assert await slack.command("roster add <@UCARL|carl> senior", user="UBOB") == (
            "<@UCARL> is now senior (was junior)."
        )
        assert await slack.command("roster remove <@UCARL>", user="UBOB") == (
            "<@UCARL> is off the roster."
        )
        roster = await slack.command("roster")
        assert roster.splitlines() == [
            "Roster (2):",
            "<@UBOB>: lead, open crises: 0",
            "<@UANNA>: senior, open crises: 0",
        ]


async def test_polish(database_url: str) -> None:
    async with running_bot(database_url, language="pl") as slack:
        assert "Lista dyżurnych jest pusta" in await slack.command("roster")
        assert "zgłoś negatywny post" in await slack.command("help")
        assert await slack.command("roster add <@UANNA|anna> senior") == (
            "<@UANNA> jest na liście dyżurnych jako senior."
        )
        assert await slack.command("status 7") == "Nie ma kryzysu #7."
        assert (await slack.command("pomocy")).startswith("Nieznane polecenie „pomocy”.")
        await slack.post_alert(post())
        [assigned] = await slack.wait_thread(1, 1)
        assert assigned["text"].startswith("<@UANNA>, prowadzisz kryzys #1.")
        root = str(slack.root(1)["blocks"])
        assert "Kryzys #1 · Sklep · Facebook" in root
        assert "krytyczna" in root and "opóźniona dostawa" in root
        assert "Zajmuję się" in root
        assert "Otwarte kryzysy: 1" in await slack.command("list")


async def test_slack_requests_with_bad_or_stale_signatures_are_refused(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        url = slack.fake.response_url("x")
        forged = slack_requests.slash_command("wrong-secret", text="roster add <@UX> lead",
                                              user_id="UX", response_url=url)  # fmt: skip
        stale = slack_requests.slash_command(SIGNING_SECRET, text="roster add <@UX> lead",
                                             user_id="UX", response_url=url,
                                             timestamp=int(time.time()) - 600)  # fmt: skip
        unsigned = slack_requests.SignedRequest(
            forged.body, {"Content-Type": forged.headers["Content-Type"]}
        )
        for request in (forged, stale, unsigned):
            assert await slack.slack(request) == 401
        assert await count(slack.bot.db, RosterMember) == 0
        assert slack.fake.responses == []


async def test_command_text_containing_the_word_payload_still_works(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        answer = await slack.command("open https://x.com/shop/status/1 the payload never arrived")
        assert answer == "Crisis #1 opened."


class _HeldListeners(AsyncListenerStartHandler):
    """Keeps every listener from starting until released: listeners at work ahead of it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        await self.release.wait()


async def test_commands_and_clicks_are_acknowledged_before_their_listener_gets_a_turn(
    database_url: str,
) -> None:
    """Slack gives up on a request not acknowledged within 3 s and shows the person an error.
    A command or click is acknowledged once matched, not when its listener first runs (under
    load, after every listener at work before it); the answer follows."""
    async with running_bot(database_url) as slack:
        await slack.command("roster add <@UBOSS|boss> lead", user="UBOSS")
        await slack.command("roster add <@UANNA|anna> senior", user="UBOSS")
        await slack.post_alert(post())
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1)
        held = _HeldListeners()
        slack.bot._bolt._async_listener_runner.listener_start_handler = held
        requests = [
            slack_requests.slash_command(
                SIGNING_SECRET,
                text="status 1",
                user_id="UANNA",
                response_url=slack.fake.response_url("command"),
            ),
            slack.click_request("crisis_ack", 1, "click"),
        ]
        for request in requests:
            assert await slack.slack(request) == 200
        assert slack.fake.responses_for("command") == slack.fake.responses_for("click") == []
        held.release.set()
        [command] = await slack.fake.wait_for_response("command")
        assert "#1" in command.body["text"]
        [click] = await slack.fake.wait_for_response("click")
        assert click.body["text"] == "You are on crisis #1. The playbook is in its thread."
