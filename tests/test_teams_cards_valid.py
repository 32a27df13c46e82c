"""Every card the bot sends through a whole crisis, in English and Polish, parses cleanly
with Microsoft's `adaptivecards` library (the one Teams clients build on): no unknown
element, action or property, no invalid value, no duplicate input id."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from handlers.teams.cards import CARD_TYPE
from tests.e2e import post
from tests.teams_e2e import BOSS, TeamsBot, running_teams_bot

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "tests" / "cards" / "check.js"
NODE_MODULES = ROOT / ".venv" / "node" / "node_modules"


def node() -> str:
    found = shutil.which("node")
    if found is None or not (NODE_MODULES / "adaptivecards").is_dir():
        pytest.skip(
            "Teams card check SKIPPED: needs node and `make cards` (npm install adaptivecards)"
        )
    return found


async def problems(cards: list[dict[str, Any]]) -> list[list[str]]:
    process = await asyncio.create_subprocess_exec(
        node(),
        str(CHECKER),
        str(NODE_MODULES),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(json.dumps(cards).encode())
    assert process.returncode == 0, err.decode()
    found: list[list[str]] = json.loads(out)
    return found


def attached_cards(body: Any) -> list[dict[str, Any]]:
    """The cards in a Connector request, wherever they sit (a new thread wraps its first
    activity)."""
    if isinstance(body, list):
        return [card for item in body for card in attached_cards(item)]
    if not isinstance(body, dict):
        return []
    if body.get("contentType") == CARD_TYPE:
        return [body["content"]]
    return [card for value in body.values() for card in attached_cards(value)]


def sent_cards(teams: TeamsBot) -> list[dict[str, Any]]:
    return [card for call in teams.fake.calls for card in attached_cards(call.body)]


async def test_the_checker_finds_what_teams_would_ignore() -> None:
    """The check itself: a misspelt property, an unknown element and a bad value are found."""
    card = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": "x", "colour": "red"},
            {"type": "Blink", "text": "y"},
            {"type": "TextBlock", "text": "z", "size": "Huge"},
        ],
    }
    [found] = await problems([card])
    assert any("colour" in p for p in found), found
    assert any("Blink" in p for p in found), found
    assert any("Huge" in p for p in found), found


@pytest.mark.parametrize("language", ["en", "pl"])
async def test_every_card_of_a_crisis_is_valid(database_url: str, language: str) -> None:
    node()
    async with running_teams_bot(database_url, language=language) as teams:
        teams.bot.settings.public_base_url = teams.url
        await teams.say("roster add @Bob lead", BOSS, (BOSS,))
        await teams.say("here", BOSS)
        await teams.post_alert(post())
        await teams.fake.wait_for(
            lambda: any(t.replies for t in teams.fake.threads_in_channel()), what="crisis thread"
        )
        for action in (
            {"crisisbot": "ack", "crisis": 1},
            {"crisisbot": "steps", "crisis": 1, "step_apologise": "true"},
            {"crisisbot": "category", "crisis": 1, "category_is": "product_defect"},
            {"crisisbot": "resolve", "crisis": 1, "remedy": "refund", "note": "sent <today>"},
            {"crisisbot": "confirm", "crisis": 1},
            {"crisisbot": "closing", "crisis": 1, "closing_public_summary": "true"},
        ):
            await teams.submit(action, BOSS)
        # The report's chart card is the last thing a closed crisis gets.
        await teams.fake.wait_for(
            lambda: any('"type": "Image"' in json.dumps(c) for c in sent_cards(teams)),
            timeout=20,
            what="the report's chart card",
        )
        cards = sent_cards(teams)
        # The root card with its forms, the playbook's toggles and the report's chart.
        for part in ("Action.ShowCard", "Input.ChoiceSet", "Input.Toggle", '"Image"'):
            assert any(part in json.dumps(card) for card in cards), part
        # Bob, the only lead, owns the crisis: Reassign explains how to get someone to hand it
        # to, with nothing to submit, rather than an empty list to pick from.
        title = {"en": "Reassign", "pl": "Przekaż"}[language]
        forms = [
            action["card"]
            for card in cards
            for action in card.get("actions", [])
            if action["type"] == "Action.ShowCard" and action["title"].startswith(title)
        ]
        assert forms and all("actions" not in form for form in forms)
        assert all("roster add" in json.dumps(form, ensure_ascii=False) for form in forms)
        found = await problems(cards)
        bad = {i: p for i, p in enumerate(found) if p}
        assert not bad, {i: (p, json.dumps(cards[i])[:300]) for i, p in bad.items()}
