"""The fake Slack API, driven through the real slack_sdk client and slack_bolt app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from sandbox import slack_requests
from sandbox.fake_slack import FakeSlack

SECRET = "test-signing-secret"
CHANNEL = "C0CRISIS"


def stored(fake: FakeSlack, ts: str) -> dict[str, Any]:
    message = fake.message(CHANNEL, ts)
    assert message is not None, f"no message {ts} in {CHANNEL}"
    return message


def bolt_request(request: slack_requests.SignedRequest) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = dict(request.headers)
    return AsyncBoltRequest(body=request.body.decode(), headers=headers)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.token, base_url=fake.base_url)


async def test_urls_point_at_the_running_server(fake: FakeSlack) -> None:
    assert fake.base_url.endswith("/api/")
    assert fake.base_url.startswith(fake.url)
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.base_url + "auth.test") as resp,
    ):
        assert resp.status == 200
        assert await resp.json() == {"ok": False, "error": "not_authed"}


async def test_auth_test_names_the_bot(fake: FakeSlack, client: AsyncWebClient) -> None:
    resp = await client.auth_test()
    assert resp["user_id"] == "UBOT"
    assert resp["bot_id"] == "B0001"
    assert resp["team_id"] == "T0001"
    assert [c.method for c in fake.calls] == ["auth.test"]
    assert fake.calls[0].token == "xoxb-test"


async def test_post_reply_and_update_build_channel_state(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Crisis*"}}]
    parent = await client.chat_postMessage(channel=CHANNEL, text="Crisis open", blocks=blocks)
    reply = await client.chat_postMessage(
        channel=CHANNEL, text="first update", thread_ts=parent["ts"]
    )
    other = await client.chat_postMessage(channel=CHANNEL, text="unrelated")
    updated = await client.chat_update(channel=CHANNEL, ts=parent["ts"], text="Crisis closed")

    assert parent["ts"] < reply["ts"] < other["ts"]
    assert parent["message"]["blocks"] == blocks
    assert updated["text"] == "Crisis closed"

    top = fake.messages(CHANNEL)
    assert [m["ts"] for m in top] == [parent["ts"], other["ts"]]
    assert top[0]["text"] == "Crisis closed"
    assert top[0]["blocks"] == blocks  # chat.update without blocks keeps them
    assert top[0]["reply_count"] == 1
    assert top[0]["edited"]["user"] == "UBOT"
    assert [m["text"] for m in fake.replies(CHANNEL, parent["ts"])] == ["first update"]
    assert [m["text"] for m in fake.edits(CHANNEL, parent["ts"])] == ["Crisis open"]
    assert stored(fake, reply["ts"])["thread_ts"] == parent["ts"]
    assert fake.message(CHANNEL, "1.000000") is None
    assert [c.method for c in fake.calls] == ["chat.postMessage"] * 3 + ["chat.update"]
    assert fake.calls[1].args["thread_ts"] == parent["ts"]


async def test_accessors_return_snapshots(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="a")
    fake.messages(CHANNEL)[0]["text"] = "mutated"
    assert stored(fake, posted["ts"])["text"] == "a"


async def test_broadcast_history_and_deleting_a_thread_parent(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel=CHANNEL, text="p")
    await client.chat_postMessage(
        channel=CHANNEL, text="also in channel", thread_ts=parent["ts"], reply_broadcast=True
    )
    assert [m["text"] for m in fake.messages(CHANNEL)] == ["p", "also in channel"]
    history = await client.conversations_history(channel=CHANNEL)
    assert [m["text"] for m in history["messages"]] == ["also in channel", "p"]
    thread = await client.conversations_replies(channel=CHANNEL, ts=parent["ts"])
    assert [m["text"] for m in thread["messages"]] == ["p", "also in channel"]

    await client.chat_delete(channel=CHANNEL, ts=parent["ts"])
    assert stored(fake, parent["ts"])["subtype"] == "tombstone"
    assert len(fake.replies(CHANNEL, parent["ts"])) == 1


async def test_bad_token_is_invalid_auth_and_recorded(fake: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake.base_url)
    with pytest.raises(SlackApiError) as raised:
        await wrong.chat_postMessage(channel=CHANNEL, text="hi")
    assert raised.value.response["error"] == "invalid_auth"
    assert fake.calls[0].error == "invalid_auth"
    assert fake.calls[0].token == "xoxb-wrong"
    assert fake.messages(CHANNEL) == []


async def test_argument_errors(fake: FakeSlack, client: AsyncWebClient) -> None:
    async def error_of(method: str, **kwargs: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            await client.api_call(method, json=kwargs)
        return str(raised.value.response["error"])

    assert await error_of("chat.postMessage", channel=CHANNEL, text="x", thread_ts="1.2") == (
        "thread_not_found"
    )
    assert await error_of("chat.postMessage", text="x") == "channel_not_found"
    assert await error_of("chat.postMessage", channel=CHANNEL) == "no_text"
    assert await error_of("chat.update", channel=CHANNEL, ts="1.2", text="x") == (
        "message_not_found"
    )
    assert await error_of("chat.scheduleMessage", channel=CHANNEL, text="x") == "unknown_method"
    assert [c.ok for c in fake.calls] == [False] * 5


async def test_unknown_args_are_accepted(fake: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel=CHANNEL, text="x", team_id="T0001", unfurl_links=False)
    assert fake.calls[0].args["team_id"] == "T0001"


async def test_reply_to_a_reply_files_under_the_parent(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel=CHANNEL, text="p")
    reply = await client.chat_postMessage(channel=CHANNEL, text="r1", thread_ts=parent["ts"])
    await client.chat_postMessage(channel=CHANNEL, text="r2", thread_ts=reply["ts"])
    assert [m["text"] for m in fake.replies(CHANNEL, parent["ts"])] == ["r1", "r2"]


async def test_fail_next_answers_429_with_retry_after(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", retry_after=7, count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel=CHANNEL, text="x")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "7"
        assert raised.value.response["error"] == "ratelimited"
    await client.auth_test()  # other methods are unaffected
    await client.chat_postMessage(channel=CHANNEL, text="x")
    assert [(c.method, c.http_status) for c in fake.calls] == [
        ("chat.postMessage", 429),
        ("chat.postMessage", 429),
        ("auth.test", 200),
        ("chat.postMessage", 200),
    ]
    assert len(fake.messages(CHANNEL)) == 1


async def test_fail_next_any_method_without_retry_after(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next(None, status=500, retry_after=None, error="internal_error")
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    assert raised.value.response.status_code == 500
    assert "Retry-After" not in raised.value.response.headers
    await client.auth_test()


async def test_down_answers_503_until_back(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.down = True
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="x")
    assert raised.value.response.status_code == 503
    fake.down = False
    await client.chat_postMessage(channel=CHANNEL, text="x")
    assert [c.http_status for c in fake.calls] == [503, 200]


async def test_form_encoded_json_args_are_decoded(fake: FakeSlack, client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "hi"}}]
    await client.api_call(
        "chat.postMessage", data={"channel": CHANNEL, "blocks": json.dumps(blocks)}
    )
    assert fake.calls[0].args["blocks"] == blocks
    assert fake.messages(CHANNEL)[0]["blocks"] == blocks

    with pytest.raises(SlackApiError) as raised:
        await client.api_call("chat.postMessage", data={"channel": CHANNEL, "blocks": "[oops"})
    assert raised.value.response["error"] == "invalid_blocks"


async def test_token_may_come_as_an_argument(fake: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        form = {"token": fake.token, "channel": CHANNEL, "text": "via form"}
        async with session.post(fake.base_url + "chat.postMessage", data=form) as resp:
            assert (await resp.json())["ok"] is True
    assert fake.calls[0].token == fake.token
    assert "token" not in fake.calls[0].args


async def test_ephemeral_and_permalink(fake: FakeSlack, client: AsyncWebClient) -> None:
    eph = await client.chat_postEphemeral(channel=CHANNEL, user="U1", text="only you")
    assert fake.ephemerals[0]["user"] == "U1"
    assert fake.ephemerals[0]["message_ts"] == eph["message_ts"]
    assert fake.messages(CHANNEL) == []

    parent = await client.chat_postMessage(channel=CHANNEL, text="p")
    reply = await client.chat_postMessage(channel=CHANNEL, text="r", thread_ts=parent["ts"])
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=parent["ts"])
    assert link["permalink"] == f"{fake.url}/archives/{CHANNEL}/p{parent['ts'].replace('.', '')}"
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=reply["ts"])
    assert link["permalink"].endswith(f"?thread_ts={parent['ts']}&cid={CHANNEL}")


async def test_views_open_update_and_expired_trigger(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    modal = {
        "type": "modal",
        "callback_id": "declare",
        "title": {"type": "plain_text", "text": "D"},
    }
    opened = await client.views_open(trigger_id="t1", view=modal)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V")
    assert fake.views[view_id]["callback_id"] == "declare"

    updated = await client.views_update(
        view_id=view_id, hash=opened["view"]["hash"], view={**modal, "callback_id": "step2"}
    )
    assert updated["view"]["id"] == view_id
    assert fake.views[view_id]["callback_id"] == "step2"
    with pytest.raises(SlackApiError) as raised:
        await client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=modal)
    assert raised.value.response["error"] == "hash_conflict"

    fake.expired_triggers.add("t2")
    with pytest.raises(SlackApiError) as raised:
        await client.views_open(trigger_id="t2", view=modal)
    assert raised.value.response["error"] == "expired_trigger_id"

    home = await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    again = await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["id"] == again["view"]["id"] == (fake.home_view("U1") or {}).get("id")


async def test_users_info_default_and_directory(fake: FakeSlack, client: AsyncWebClient) -> None:
    user = (await client.users_info(user="U42"))["user"]
    assert (user["tz"], user["tz_offset"]) == ("Europe/Warsaw", 3600)
    assert user["profile"]["display_name"]
    assert user["real_name"]

    async with FakeSlack(users={"U1": {"real_name": "Ann", "tz": "UTC"}}) as directory:
        strict = AsyncWebClient(token=directory.token, base_url=directory.base_url)
        ann = (await strict.users_info(user="U1"))["user"]
        assert (ann["real_name"], ann["profile"]["real_name"], ann["tz"]) == ("Ann", "Ann", "UTC")
        with pytest.raises(SlackApiError) as raised:
            await strict.users_info(user="U2")
        assert raised.value.response["error"] == "user_not_found"


async def test_conversations_reactions_and_pins(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = (await client.conversations_info(channel=CHANNEL))["channel"]
    assert (channel["id"], channel["is_member"]) == (CHANNEL, True)

    posted = await client.chat_postMessage(channel=CHANNEL, text="x")
    await client.reactions_add(channel=CHANNEL, timestamp=posted["ts"], name="eyes")
    await client.pins_add(channel=CHANNEL, timestamp=posted["ts"])
    message = stored(fake, posted["ts"])
    assert message["reactions"] == [{"name": "eyes", "users": ["UBOT"], "count": 1}]
    assert message["pinned_to"] == [CHANNEL]


async def test_response_urls_record_posts(fake: FakeSlack) -> None:
    url = fake.response_url()
    key = url.rsplit("/", 1)[1]
    resp = await AsyncWebhookClient(url).send_dict({"text": "working on it"})
    assert (resp.status_code, resp.body) == (200, "ok")
    [recorded] = await fake.wait_for_response(key)
    assert recorded.body == {"text": "working on it"}

    resp = await AsyncWebhookClient(url).send_dict({"response_type": "ephemeral"})
    assert (resp.status_code, resp.body) == (400, "no_text")
    assert [r.http_status for r in fake.responses_for(key)] == [200, 400]


async def test_bound_response_url_acts_on_the_message(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="Approve?")
    url = fake.response_url("click", channel=CHANNEL, message_ts=posted["ts"])
    await AsyncWebhookClient(url).send_dict({"text": "Approved", "replace_original": True})
    assert stored(fake, posted["ts"])["text"] == "Approved"

    await AsyncWebhookClient(url).send_dict({"text": "Announced", "response_type": "in_channel"})
    await AsyncWebhookClient(url).send_dict({"delete_original": True})
    assert [m["text"] for m in fake.messages(CHANNEL)] == ["Announced"]


async def test_wait_for_call_and_timeout_message(fake: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel=CHANNEL, text="one")
    calls = await fake.wait_for_call("chat.postMessage", where=lambda c: c.args["text"] == "one")
    assert len(calls) == 1

    with pytest.raises(AssertionError) as raised:
        await fake.wait_for_call("chat.update", timeout=0.05)
    assert "1 call(s) to chat.update" in str(raised.value)
    assert "chat.postMessage" in str(raised.value)  # the summary of what did happen

    # Lookups that fail before the state exists count as "not yet".
    with pytest.raises(AssertionError, match="IndexError"):
        await fake.wait_for(lambda: fake.messages("C404")[0]["text"] == "x", timeout=0.05)


async def test_reset_forgets_state(fake: FakeSlack, client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel=CHANNEL, text="x")
    fake.fail_next("auth.test")
    fake.reset()
    assert (fake.calls, fake.messages(CHANNEL)) == ([], [])
    await client.auth_test()
    second = await client.chat_postMessage(channel=CHANNEL, text="y")
    assert second["ts"] > first["ts"]


def test_signed_requests_verify_and_tampering_fails() -> None:
    verifier = SignatureVerifier(SECRET)
    request = slack_requests.slash_command(
        SECRET, text="open", user_id="U1", response_url="http://127.0.0.1/response/x"
    )
    assert verifier.is_valid_request(request.body, request.headers)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"

    tampered = request.body.replace(b"open", b"close")
    assert not verifier.is_valid_request(tampered, request.headers)
    assert not SignatureVerifier("other-secret").is_valid_request(request.body, request.headers)

    event = slack_requests.event_callback(SECRET, event={"type": "app_mention", "text": "hi"})
    assert verifier.is_valid_request(event.body, event.headers)
    assert event.headers["Content-Type"] == "application/json"


def test_stale_timestamp_fails_verification() -> None:
    old = slack_requests.url_verification(SECRET, "c", timestamp=1_600_000_000)
    assert not SignatureVerifier(SECRET).is_valid_request(old.body, old.headers)


async def test_bolt_routes_every_kind_of_signed_request(fake: FakeSlack) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=fake.token, base_url=fake.base_url), signing_secret=SECRET
    )
    seen: dict[str, Any] = {}

    @app.command("/crisis")
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        seen["command"] = command["text"]
        await respond("on it")

    @app.action("approve")
    async def on_approve(ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        seen["approve"] = (action["value"], body["container"]["message_ts"])

    @app.action("assign")
    async def on_assign(ack: Any, action: dict[str, Any]) -> None:
        await ack()
        seen["assign"] = action["selected_user"]

    @app.view("declare")
    async def on_declare(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["declare"] = (view["private_metadata"], view["state"]["values"])

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(f"hello {event['user']}")

    async def dispatch(request: slack_requests.SignedRequest) -> int:
        return (await app.async_dispatch(bolt_request(request))).status

    url = fake.response_url("cmd")
    assert (
        await dispatch(
            slack_requests.slash_command(SECRET, text="open", user_id="U1", response_url=url)
        )
        == 200
    )
    message = fake.add_message(CHANNEL, user="UBOT", text="Approve?")
    assert (
        await dispatch(
            slack_requests.block_action(
                SECRET,
                action_id="approve",
                value="yes",
                user_id="U1",
                channel_id=CHANNEL,
                message_ts=message["ts"],
                message=message,
                response_url=fake.response_url(),
            )
        )
        == 200
    )
    assert (
        await dispatch(
            slack_requests.block_action(
                SECRET,
                action_id="assign",
                selected_user="U2",
                user_id="U1",
                channel_id=CHANNEL,
                message_ts=message["ts"],
                response_url=fake.response_url(),
            )
        )
        == 200
    )
    values = {"b": {"a": {"type": "plain_text_input", "value": "fire"}}}
    assert (
        await dispatch(
            slack_requests.view_submission(
                SECRET,
                callback_id="declare",
                user_id="U1",
                state_values=values,
                private_metadata="m",
            )
        )
        == 200
    )
    mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": CHANNEL}
    assert await dispatch(slack_requests.event_callback(SECRET, event=mention)) == 200

    await fake.wait_for_response("cmd")
    await fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 2, what="say() in channel")
    assert seen == {
        "command": "open",
        "approve": ("yes", message["ts"]),
        "assign": "U2",
        "declare": ("m", values),
    }
    assert fake.messages(CHANNEL)[1]["text"] == "hello U1"

    bad = slack_requests.slash_command("wrong-secret", text="open", user_id="U1", response_url=url)
    assert await dispatch(bad) == 401


async def test_url_verification_is_answered_by_bolt(fake: FakeSlack) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=fake.token, base_url=fake.base_url), signing_secret=SECRET
    )
    request = slack_requests.url_verification(SECRET, "the-challenge")
    response = await app.async_dispatch(bolt_request(request))
    assert json.loads(response.body) == {"challenge": "the-challenge"}
