"""manifest.yaml declares exactly what the code uses: commands, interactivity, scopes, events.

What the Bolt app registers is read from its listeners: the primary matcher of each is a
closure made by one of slack_bolt's builders (`command`, `action`, `event`, ...), whose name
and captured constraint say what it listens to. Dispatching signed requests then checks that
each declared command and button is really answered, and that a stray one is not (so a
listener that matches everything, or a reading of the matchers gone blind, cannot pass).
"""

from __future__ import annotations

import ast
import inspect
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.actors import Actor
from bot.context import CoreContext
from bot.settings import Settings
from handlers.slack import PLATFORM
from handlers.slack import manifest as needs
from handlers.slack.app import build_app
from handlers.slack.blocks import BUTTONS, CATEGORY
from handlers.slack.commands import COMMAND
from handlers.slack.text import parse_person
from models.session import Database
from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack
from tests.e2e import SIGNING_SECRET, running_bot

ROOT = Path(__file__).resolve().parent.parent
CHANNEL = "C0CRISIS"
# slack_bolt builders whose listeners handle interactivity (buttons, menus, modals, shortcuts).
INTERACTIVE = frozenset(
    {"action", "block_action", "attachment_action", "dialog_submission", "dialog_cancellation",
     "view", "view_submission", "view_closed", "shortcut", "global_shortcut", "message_shortcut",
     "options", "block_suggestion", "dialog_suggestion"}
)  # fmt: skip
EVENT_BUILDERS = frozenset({"event", "message_event", "function_executed"})
# Web API methods that need no scope.
NO_SCOPE = frozenset({"auth.test", "api.test"})


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def app(fake: FakeSlack) -> AsyncIterator[AsyncApp]:
    # Bolt calls auth.test before the first listener runs: the fake Slack answers it.
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=fake.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=None,
        slack_api_url=fake.base_url,
        language="en",
    )
    db = Database("sqlite:///:memory:")
    try:
        yield build_app(CoreContext(db=db, settings=settings))
    finally:
        await db.dispose()


def listeners(app: AsyncApp) -> list[tuple[str, dict[str, Any]]]:
    """(builder, captured constraint) of each listener's primary matcher, e.g.
    ("command", {"command": "/crisis"}) or ("action", {"constraints": "crisis_ack"})."""
    found = []
    for listener in app._async_listeners:
        outer = getattr(listener.matchers[0], "func", None)
        inner = inspect.getclosurevars(outer).nonlocals.get("func") if outer else None
        if inner is None:
            found.append(("custom", {}))
            continue
        found.append((inner.__qualname__.split(".")[0], inspect.getclosurevars(inner).nonlocals))
    return found


def registered(app: AsyncApp, *builders: str) -> list[dict[str, Any]]:
    return [captured for builder, captured in listeners(app) if builder in builders]


def event_type(captured: dict[str, Any]) -> object:
    if "event_type" in captured:
        return captured["event_type"]
    if "constraints" in captured:
        return captured["constraints"]["type"]
    return "function_executed"  # app.function(callback_id): the only builder capturing neither


async def dispatch(app: AsyncApp, request: slack_requests.SignedRequest) -> int:
    bolt_request = AsyncBoltRequest(body=request.body.decode(), headers=dict(request.headers))
    return (await app.async_dispatch(bolt_request)).status


def slash(command: str, response_url: str) -> slack_requests.SignedRequest:
    return slack_requests.slash_command(
        SIGNING_SECRET, command=command, text="help", user_id="UANNA", response_url=response_url
    )


def click(action_id: str, response_url: str) -> slack_requests.SignedRequest:
    return slack_requests.block_action(
        SIGNING_SECRET,
        action_id=action_id,
        value="1",
        user_id="UANNA",
        channel_id=CHANNEL,
        message_ts="1700000000.000100",
        block_id="crisis_actions",
        response_url=response_url,
    )


def manifest_urls(manifest: dict[str, Any]) -> list[str]:
    urls = [entry["url"] for entry in manifest["features"].get("slash_commands", [])]
    settings = manifest["settings"]
    urls.append(settings["interactivity"]["request_url"])
    if "event_subscriptions" in settings:
        urls.append(settings["event_subscriptions"]["request_url"])
    return urls


async def test_declared_commands_are_the_registered_ones(
    manifest: dict[str, Any], app: AsyncApp
) -> None:
    builders = {builder for builder, _captured in listeners(app)}
    assert "custom" not in builders, "a listener this test cannot read: extend listeners()"
    declared = [entry["command"] for entry in manifest["features"]["slash_commands"]]
    commands = [captured["command"] for captured in registered(app, "command")]
    assert commands, "no command listener found: has slack_bolt's matcher changed?"
    assert sorted(declared) == sorted(commands) == [COMMAND]


async def test_every_declared_command_is_answered(
    manifest: dict[str, Any], app: AsyncApp, fake: FakeSlack
) -> None:
    for entry in manifest["features"]["slash_commands"]:
        key = "cmd" + entry["command"].replace("/", "-")
        assert await dispatch(app, slash(entry["command"], fake.response_url(key))) == 200
        [answer] = await fake.wait_for_response(key)
        assert answer.body["response_type"] == "ephemeral"
        assert f"{entry['command']} open" in answer.body["text"]
    # A command the manifest does not declare finds no listener.
    assert await dispatch(app, slash("/not-declared", fake.response_url())) == 404


async def test_every_button_is_handled_and_interactivity_is_on(
    manifest: dict[str, Any], app: AsyncApp, fake: FakeSlack
) -> None:
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert urlsplit(interactivity["request_url"]).path == needs.EVENTS_PATH
    actions = {captured["constraints"] for captured in registered(app, "action", "block_action")}
    controls = [action_id for action_id, _label in BUTTONS.values()] + [CATEGORY]
    assert set(controls) <= actions
    assert registered(app, *INTERACTIVE), "interactivity is on, but nothing uses it"

    for action_id in controls:
        key = "button-" + action_id
        assert await dispatch(app, click(action_id, fake.response_url(key))) == 200, action_id
        [answer] = await fake.wait_for_response(key)
        assert answer.body["text"]
    assert await dispatch(app, click("not_a_button", fake.response_url())) == 404


async def test_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    bot_scopes = scopes["bot"]
    assert len(bot_scopes) == len(set(bot_scopes)), "a scope is listed twice"
    assert set(bot_scopes) == needs.BOT_SCOPES
    assert not scopes.get("user"), "the bot acts as itself, never on behalf of a user"
    assert set(needs.SCOPES.values()) <= needs.BOT_SCOPES


def web_api_methods_called() -> set[str]:
    """Slack Web API methods named in bot/ and handlers/ (as "chat.update" strings or
    client.chat_update attributes), recognised by slack_sdk's client having them."""
    by_attribute = {
        name: name.replace("_", ".")
        for name, member in inspect.getmembers(AsyncWebClient, inspect.iscoroutinefunction)
        # api_call is the generic way in (the method is its argument), not a method itself.
        if not name.startswith("_") and "_" in name and name != "api_call"
    }
    methods = set(by_attribute.values())
    this_module = ROOT / "handlers" / "slack" / "manifest.py"
    called: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == this_module:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in methods:
                    called.add(str(node.value))
                elif isinstance(node, ast.Attribute) and node.attr in by_attribute:
                    called.add(by_attribute[node.attr])
    return called


def test_every_web_api_method_called_has_its_scope_listed() -> None:
    called = web_api_methods_called()
    assert "chat.postMessage" in called, "the scan finds no Web API call: has it gone blind?"
    # Exactly: a method nobody calls any more takes its scope out of the manifest too.
    assert called - NO_SCOPE == needs.SCOPES.keys()


async def test_events_subscribed_are_the_events_listened_to(
    manifest: dict[str, Any], app: AsyncApp, fake: FakeSlack
) -> None:
    subscription = manifest["settings"].get("event_subscriptions")
    declared = set(subscription.get("bot_events", [])) if subscription else set()
    assert not (subscription or {}).get("user_events"), "the bot reads no user's events"
    listened = {event_type(captured) for captured in registered(app, *EVENT_BUILDERS)}
    assert declared == needs.BOT_EVENTS
    # The manifest names message events by where they happen (message.channels, message.im);
    # Bolt listens to their common type, "message".
    assert {name.split(".")[0] for name in declared} == listened
    if not needs.BOT_EVENTS:
        assert subscription is None, "event_subscriptions without events: leave it out"
    # An event the manifest does not subscribe to finds no listener.
    mention = {"type": "app_mention", "user": "UANNA", "text": "<@UBOT> hi", "channel": CHANNEL}
    request = slack_requests.event_callback(SIGNING_SECRET, event=mention)
    assert await dispatch(app, request) == 404


def test_mentions_arrive_escaped_as_the_parser_reads_them(manifest: dict[str, Any]) -> None:
    for entry in manifest["features"]["slash_commands"]:
        # Without should_escape Slack sends "@anna" as plain text, which carries no user id.
        assert entry["should_escape"] is True, entry["command"]
    assert parse_person("<@U0ANNA1|anna>") == Actor(PLATFORM, "U0ANNA1", "anna")
    assert parse_person("@anna") is None


async def test_urls_point_at_the_route_the_server_serves(
    manifest: dict[str, Any], tmp_path: Path
) -> None:
    urls = manifest_urls(manifest)
    assert all(urlsplit(url).scheme == "https" for url in urls), "Slack requires https"
    # One host placeholder everywhere, so replacing it once sets up the whole app.
    assert {urlsplit(url).netloc for url in urls} == {"YOUR-HOST"}
    assert {urlsplit(url).path for url in urls} == {needs.EVENTS_PATH}

    async with running_bot(f"sqlite:///{tmp_path / 'crisisbot.db'}") as bot:
        request = slash(COMMAND, bot.fake.response_url("served"))
        async with bot.http.post(
            bot.url + needs.EVENTS_PATH, data=request.body, headers=request.headers
        ) as response:
            assert response.status == 200
        await bot.fake.wait_for_response("served")


def test_app_settings_match_how_the_code_runs(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "crisisbot"
    assert len(info["description"]) <= 140  # Slack's limit for the short description
    assert manifest["features"]["bot_user"] == {"display_name": "crisisbot", "always_online": True}
    # Nothing the code does not use: no shortcuts, unfurls or workflow steps; the Home tab
    # only (handlers/slack/home.py), no messages tab.
    assert set(manifest["features"]) == {"bot_user", "slash_commands", "app_home"}
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": False,
    }
    settings = manifest["settings"]
    # HTTP is the default; Socket Mode (SLACK_APP_TOKEN) is switched on by hand (README).
    assert settings["socket_mode_enabled"] is False
    # The code keeps one long-lived SLACK_BOT_TOKEN and never refreshes it.
    assert settings["token_rotation_enabled"] is False
    assert settings["org_deploy_enabled"] is False


def test_env_example_lists_every_setting_with_its_default() -> None:
    # Not the manifest, but the same kind of drift: a setting added to the code and not to
    # the file people copy their configuration from.
    path = ROOT / ".env.example"
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(names) == len(set(names)), "a variable is listed twice"
    assert {name.lower() for name in names} == set(Settings.model_fields)
    example = Settings(_env_file=path)  # type: ignore[call-arg]
    for name in Settings.model_fields:
        if os.environ.get(name.upper()) is None:
            assert getattr(example, name) == Settings.model_fields[name].default, name
