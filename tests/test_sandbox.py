"""The sandbox as its page uses it: every move a signed Slack request through the bot's
real Slack code, the bot's Web API calls answered by the sandbox, and time travel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from bot.app import CrisisBot
from bot.clock import FixedClock
from bot.i18n import translate
from handlers.sandbox.server import CHANNEL
from tests.conftest import START, make_settings
from tests.e2e import running_bot

JsonDict = dict[str, Any]
ANNA = "U0ANNA"


class Visitor:
    """A person in front of the sandbox page."""

    def __init__(self, bot: CrisisBot, http: aiohttp.ClientSession) -> None:
        self.bot = bot
        self.http = http
        self.url = f"http://127.0.0.1:{bot.port}"

    async def do(self, path: str, user: str = ANNA, **body: Any) -> tuple[int, JsonDict]:
        async with self.http.post(
            f"{self.url}/sandbox/{path}", json={"user": user, **body}
        ) as response:
            return response.status, await response.json()

    async def state(self, user: str = ANNA) -> JsonDict:
        async with self.http.get(f"{self.url}/sandbox/state", params={"user": user}) as response:
            assert response.status == 200
            return dict(await response.json())

    async def wait(self, predicate: Callable[[JsonDict], bool], what: str) -> JsonDict:
        for _ in range(100):
            state = await self.state()
            try:
                if predicate(state):
                    return state
            except (LookupError, TypeError, ValueError):
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{what}: not seen in {state}")


def root(state: JsonDict) -> JsonDict:
    [channel] = state["channels"]
    assert channel["id"] == CHANNEL
    return dict(channel["messages"][0])


def status_field(state: JsonDict) -> str:
    fields = root(state)["blocks"][2]["fields"]
    return str(fields[0]["text"]).split("\n")[1]


def replies(state: JsonDict) -> str:
    return "\n".join(reply["text"] for reply in root(state)["replies"])


@asynccontextmanager
async def sandbox(database_url: str, **settings: Any) -> AsyncIterator[Visitor]:
    values = {
        "sandbox_database_url": database_url,
        "sandbox": True,
        "host": "127.0.0.1",
        "port": 0,
    }
    bot = CrisisBot(make_settings(**{**values, "sweep_interval": "0.2s", **settings}))
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Visitor(bot, http)
    finally:
        await bot.stop()


async def test_a_crisis_from_alert_to_resolution_through_the_real_slack_path(
    database_url: str,
) -> None:
    async with sandbox(database_url) as visitor:
        assert (await visitor.state())["roster_empty"] is True
        assert (await visitor.do("team"))[0] == 200
        status, answer = await visitor.do("alert", sample="late-parcel")
        assert status == 200 and answer["answer"]["status"] == "opened"
        state = await visitor.wait(lambda s: root(s)["replies"], "the root message and thread")
        assert "Crisis #1" in root(state)["blocks"][0]["text"]["text"]
        assert status_field(state) == "open"

        # A click: the sandbox signs it like Slack; the bot edits its message via the fake.
        await visitor.do(
            "action", channel=CHANNEL, ts=root(state)["ts"], action_id="crisis_ack", value="1"
        )
        state = await visitor.wait(lambda s: status_field(s) == "acknowledged", "acknowledged")
        await visitor.wait(
            lambda s: "You are on crisis #1" in s["ephemerals"][-1]["text"], "Anna's answer"
        )
        assert not (await visitor.state("U0BART"))["ephemerals"]  # only Anna saw her answer

        # Time travel: two hours later the follow-up reminder is in the thread.
        status, _ = await visitor.do("time", minutes=121)
        assert status == 200
        await visitor.wait(lambda s: "reminder" in replies(s), "the follow-up reminder")

        # A modal: Propose resolution opens it for Anna; submitting it proposes.
        await visitor.do(
            "action", channel=CHANNEL, ts=root(state)["ts"], action_id="crisis_resolve", value="1"
        )
        state = await visitor.wait(lambda s: s["modals"], "the resolution modal")
        [view] = state["modals"]
        assert not (await visitor.state("U0BART"))["modals"]
        values = {
            "remedy": {
                "remedy_select": {
                    "type": "static_select",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": "refund"},
                        "value": "refund",
                    },
                }
            },
            "note": {"note_input": {"type": "plain_text_input", "value": "Zwrot wysłany"}},
        }
        status, answer = await visitor.do("submit", view_id=view["id"], values=values)
        assert (status, answer["errors"]) == (200, {})
        state = await visitor.wait(lambda s: "/confirm/" in replies(s), "the confirmation link")
        assert not state["modals"]
        link = replies(state).split(f"<http://localhost:{visitor.bot.port}/confirm/")[1]
        assert status_field(state) == "awaiting confirmation"

        # The customer says yes on the public page: the crisis closes.
        token = link.split("|")[0]
        async with visitor.http.post(
            f"{visitor.url}/confirm/{token}", data={"answer": "yes"}
        ) as response:
            assert response.status == 200
        await visitor.wait(lambda s: status_field(s) == "closed", "closed")
        await visitor.wait(
            lambda s: "customer confirmed through the confirmation link" in replies(s),
            "the thread saying the customer confirmed",
        )

        # Commands too: /crisis status as Bartek, answered to him only.
        await visitor.do("command", user="U0BART", text="/crisis status 1")
        for _ in range(50):
            bart = await visitor.state("U0BART")
            if bart["ephemerals"]:
                break
            await asyncio.sleep(0.1)
        assert "Crisis #1: closed" in bart["ephemerals"][-1]["text"]


async def test_requests_are_really_signed_and_forgeries_refused(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        async with visitor.http.post(
            f"{visitor.url}/slack/events",
            data={"command": "/crisis", "text": "roster add <@U0EVE|eve> lead", "user_id": "U0EVE"},
        ) as response:
            assert response.status == 401
        # The bot's Slack client needs the generated token: the fake refuses others.
        async with visitor.http.post(
            f"{visitor.url}/sandbox/api/auth.test", headers={"Authorization": "Bearer xoxb-guess"}
        ) as response:
            assert (await response.json())["error"] == "invalid_auth"
        assert (await visitor.state())["roster_empty"] is True


async def test_bad_moves_are_refused_and_change_nothing(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        for minutes in (0, -30, 60 * 24 * 8, "60", 1.5, True):
            status, answer = await visitor.do("time", minutes=minutes)
            assert status == 400 and answer["error"], minutes
        assert (await visitor.state())["offset"] == 0
        assert (await visitor.do("command", user="U0EVE", text="/crisis list"))[0] == 400
        assert (await visitor.do("command", text="/giphy cats"))[0] == 400
        assert (await visitor.do("alert", sample="nope"))[0] == 400
        assert (await visitor.do("submit", view_id="V404", values={}))[0] == 400
        assert (await visitor.do("action", channel=CHANNEL, ts="1.2", action_id="x"))[0] == 400
        # Another site cannot make the visitor's browser act here: not JSON, or not our origin.
        url = f"{visitor.url}/sandbox/time"
        async with visitor.http.post(url, data={"user": ANNA, "minutes": "60"}) as response:
            assert response.status == 403
        async with visitor.http.post(
            url, json={"user": ANNA, "minutes": 60}, headers={"Origin": "https://evil.example"}
        ) as response:
            assert response.status == 403
        state = await visitor.state()
        assert state["channels"] == [] and state["offset"] == 0


async def test_without_sandbox_mode_there_is_no_sandbox_and_no_time_travel(
    database_url: str,
) -> None:
    paths = ["/sandbox", "/sandbox/state", "/sandbox/static/sandbox.js"]
    posts = ["/sandbox/time", "/sandbox/command", "/sandbox/api/auth.test"]
    async with running_bot(database_url, clock=FixedClock(START)) as slack:
        for path in paths:
            async with slack.http.get(slack.url + path) as response:
                assert response.status == 404, path
        for path in posts:
            async with slack.http.post(slack.url + path, json={"minutes": 60}) as response:
                assert response.status == 404, path
        assert slack.bot.sandbox is None and slack.bot.ctx.clock.now() == START


def test_the_sandbox_is_on_only_when_no_chat_platform_is_configured() -> None:
    assert make_settings(sandbox=None).sandbox_enabled
    slack = {"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}
    assert not make_settings(sandbox=None, **slack).sandbox_enabled
    assert not make_settings(sandbox=None, teams_app_id="app").sandbox_enabled
    assert not make_settings(sandbox="off").sandbox_enabled
    assert make_settings(sandbox="on", teams_app_id="app").sandbox_enabled
    with pytest.raises(ValidationError, match="SANDBOX is on but Slack credentials are set"):
        make_settings(sandbox="on", **slack)


async def test_the_sandbox_stays_on_this_machine_unless_host_says_otherwise(
    database_url: str,
) -> None:
    bot = CrisisBot(make_settings(sandbox_database_url=database_url, sandbox=True, port=0))
    await bot.start()
    try:
        assert bot.settings.host == "127.0.0.1"
    finally:
        await bot.stop()


async def test_the_page_speaks_the_bots_language(database_url: str) -> None:
    for language, words in (("en", "Act as"), ("pl", "Działaj jako")):
        async with sandbox(database_url, language=language) as visitor:
            async with visitor.http.get(visitor.url + "/sandbox") as response:
                html = await response.text()
            assert words in html and "{{" not in html
            status, answer = await visitor.do("time", minutes=0)
            assert status == 400
            assert answer["error"] == translate(language, "sandbox.error.jump")


async def test_sample_source_deliveries_go_through_the_inbox(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        for key in ("meta-complaint", "meta-praise", "trustpilot-one-star"):
            status, answer = await visitor.do("alert", sample=key)
            assert (status, answer) == (200, {"status": 200, "answer": {"status": "delivered"}})
        state = await visitor.wait(
            lambda s: len(s["channels"][0]["messages"]) == 2, "two crises (Facebook, Trustpilot)"
        )
        titles = [m["blocks"][0]["text"]["text"] for m in state["channels"][0]["messages"]]
        # Items are processed in the order their deliveries came.
        assert sorted(titles) == [
            "Crisis #1 · Sklep Kwiatek · Facebook",
            "Crisis #2 · Bloom & Co · Trustpilot",
        ]


async def test_the_zapier_sample_is_read_with_a_field_map(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        status, answer = await visitor.do("alert", sample="zapier-forum")
        assert (status, answer) == (200, {"status": 200, "answer": {"status": "delivered"}})
        state = await visitor.wait(
            lambda s: len(s["channels"][0]["messages"]) == 1, "a crisis from the zap"
        )
        [root] = state["channels"][0]["messages"]
        assert root["blocks"][0]["text"]["text"] == "Crisis #1 · Sklep Kwiatek · forum"
        assert "zawiedziona_klientka" in json.dumps(root["blocks"], ensure_ascii=False)


async def test_sample_pages_of_the_pollers_go_through_the_inbox(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        for key in ("brand24-tweet", "mention-forum"):
            status, answer = await visitor.do("alert", sample=key)
            assert (status, answer) == (200, {"status": 200, "answer": {"status": "delivered"}})
        state = await visitor.wait(
            lambda s: len(s["channels"][0]["messages"]) >= 1, "a crisis from a polled source"
        )
        titles = {m["blocks"][0]["text"]["text"] for m in state["channels"][0]["messages"]}
        assert "Crisis #1 · Sklep Kwiatek · X" in titles


async def test_a_sample_google_review_goes_through_the_inbox(database_url: str) -> None:
    async with sandbox(database_url) as visitor:
        status, answer = await visitor.do("alert", sample="google-two-stars")
        assert (status, answer) == (200, {"status": 200, "answer": {"status": "delivered"}})
        state = await visitor.wait(
            lambda s: len(s["channels"][0]["messages"]) == 1, "a crisis from a Google review"
        )
        [root] = state["channels"][0]["messages"]
        blocks = json.dumps(root["blocks"], ensure_ascii=False)
        assert root["blocks"][0]["text"]["text"] == "Crisis #1 · Sklep Kwiatek · Google reviews"
        assert "Bukiet przyszedł zwiędnięty" in blocks and "Marta Wiśniewska" in blocks
