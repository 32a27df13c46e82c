"""Requests as Slack sends them to the bot's ``POST /slack/events``, signed.

Each builder returns the exact bytes and headers, so a test can post them to the running
bot and go through Bolt's signature check and payload routing like production traffic.
Shapes follow what Slack sends (and what slack_bolt reads): slash commands as plain form
fields, interactions as a form field ``payload`` holding JSON, events as a JSON body.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

JsonDict = dict[str, Any]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

API_APP_ID = "A0001"
TEAM_DOMAIN = "crisis-test"
BOT_USER_ID = "UBOT"
# The deprecated verification token: Slack still sends it; Bolt ignores it.
VERIFICATION_TOKEN = "verification-token"


class SignedRequest(NamedTuple):
    body: bytes
    headers: dict[str, str]


def sign(
    signing_secret: str,
    body: bytes,
    timestamp: int | None = None,
    *,
    content_type: str = FORM,
) -> dict[str, str]:
    """The headers Slack sends with ``body``; ``timestamp`` defaults to now."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # only None when no timestamp is given
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's (``<digits>.<digits>.<hex>``)."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def slash_command(
    signing_secret: str,
    *,
    command: str = "/crisis",
    text: str,
    user_id: str,
    user_name: str = "user",
    channel_id: str = "C0CRISIS",
    channel_name: str | None = None,
    team_id: str = "T0001",
    response_url: str,
    trigger_id: str | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """A slash command. ``channel_name`` defaults to the lower-cased id, as FakeSlack's
    conversations.info names channels."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or channel_id.lower(),
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return _form(signing_secret, fields, timestamp)


def block_action(
    signing_secret: str,
    *,
    action_id: str,
    value: str | None = None,
    user_id: str,
    channel_id: str | None,
    message_ts: str | None,
    response_url: str,
    trigger_id: str | None = None,
    block_id: str = "actions",
    selected_user: str | None = None,
    selected_option: str | Mapping[str, Any] | None = None,
    selected_options: list[str | Mapping[str, Any]] | None = None,
    container: Mapping[str, Any] | None = None,
    timestamp: int | None = None,
    action_type: str | None = None,
    message: Mapping[str, Any] | None = None,
    is_ephemeral: bool = False,
    view: Mapping[str, Any] | None = None,
    state_values: Mapping[str, Any] | None = None,
    team_id: str = "T0001",
    user_name: str = "user",
) -> SignedRequest:
    """A click on an interactive element.

    The action's ``type`` follows from what is given (``selected_user``: users_select,
    ``selected_option``: static_select, else button) unless ``action_type`` says.
    ``selected_option`` may be just the option's value. ``message`` is the message the
    element sits in (e.g. ``fake.message(channel, ts)``); without it a minimal one is
    made from ``message_ts``. Ephemeral messages are not sent back by Slack, so
    ``is_ephemeral`` leaves ``message`` out. For an element in a modal pass ``view`` (and
    None for ``channel_id`` / ``message_ts``)."""
    if action_type is None:
        if selected_options is not None:
            action_type = "checkboxes"
        elif selected_user is not None:
            action_type = "users_select"
        elif selected_option is not None:
            action_type = "static_select"
        else:
            action_type = "button"
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": f"{time.time():.6f}",
    }
    if value is not None:
        action["value"] = value
    if selected_user is not None:
        action["selected_user"] = selected_user
    if selected_option is not None:
        action["selected_option"] = _option(selected_option)
    if selected_options is not None:
        action["selected_options"] = [_option(option) for option in selected_options]

    payload: JsonDict = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": dict(state_values or {})},
        "response_url": response_url,
        "actions": [action],
    }
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": channel_id.lower()}

    the_message: JsonDict | None = None
    if message_ts is not None and not is_ephemeral:
        the_message = dict(message or {"type": "message", "user": BOT_USER_ID, "text": ""})
        the_message["ts"] = message_ts
        payload["message"] = the_message

    if container is not None:
        payload["container"] = dict(container)
    elif view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
    elif message_ts is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        if the_message is not None and the_message.get("thread_ts"):
            payload["container"]["thread_ts"] = the_message["thread_ts"]
    if view is not None:
        payload["view"] = dict(view)
    return _payload_form(signing_secret, payload, timestamp)


def view_submission(
    signing_secret: str,
    *,
    callback_id: str,
    user_id: str,
    state_values: Mapping[str, Any],
    private_metadata: str = "",
    view_id: str | None = None,
    trigger_id: str | None = None,
    timestamp: int | None = None,
    base_view: Mapping[str, Any] | None = None,
    team_id: str = "T0001",
    user_name: str = "user",
    response_urls: list[JsonDict] | None = None,
) -> SignedRequest:
    """A modal's submit. ``base_view`` is the view as opened (e.g. ``fake.views[id]``),
    for handlers that read its blocks or title; the named arguments win over it, and
    ``view_id`` defaults to its id (else "V1").

    ``view.type`` is always present: Bolt reads ``body["view"]["type"]`` (to detect
    workflow steps) for every request it dispatches and fails without it."""
    base = dict(base_view or {})
    view_id = view_id or base.get("id") or "V1"
    view: JsonDict = {
        "type": "modal",
        "team_id": team_id,
        "blocks": [],
        "title": {"type": "plain_text", "text": "Modal"},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "previous_view_id": None,
        "root_view_id": view_id,
        "external_id": "",
        "app_id": API_APP_ID,
        "app_installed_team_id": team_id,
        "bot_id": "B0001",
    }
    view.update(base)
    view.update(
        {
            "id": view_id,
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": dict(state_values)},
        }
    )
    payload: JsonDict = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": response_urls or [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _payload_form(signing_secret, payload, timestamp)


def event_callback(
    signing_secret: str,
    *,
    event: Mapping[str, Any],
    event_id: str = "Ev1",
    team_id: str = "T0001",
    timestamp: int | None = None,
    bot_user_id: str = BOT_USER_ID,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedRequest:
    """An Events API delivery. ``retry_num`` adds the headers Slack puts on redeliveries
    (``X-Slack-Retry-Num`` / ``-Reason``), for testing that the bot drops duplicates."""
    now = int(time.time()) if timestamp is None else timestamp
    the_event = dict(event)
    the_event.setdefault("event_ts", f"{now}.000000")
    body_dict: JsonDict = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": the_event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now,
        # Bolt takes the team from here before the top-level team_id.
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    request = _json(signing_secret, body_dict, timestamp)
    if retry_num is not None:
        request.headers["X-Slack-Retry-Num"] = str(retry_num)
        request.headers["X-Slack-Retry-Reason"] = retry_reason
    return request


def url_verification(
    signing_secret: str, challenge: str, *, timestamp: int | None = None
) -> SignedRequest:
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return _json(signing_secret, body, timestamp)


def _option(selected: str | Mapping[str, Any]) -> JsonDict:
    if isinstance(selected, str):
        return {"text": {"type": "plain_text", "text": selected, "emoji": True}, "value": selected}
    return dict(selected)


def _form(signing_secret: str, fields: Mapping[str, str], timestamp: int | None) -> SignedRequest:
    body = urlencode(fields).encode()
    return SignedRequest(body, sign(signing_secret, body, timestamp, content_type=FORM))


def _payload_form(signing_secret: str, payload: JsonDict, timestamp: int | None) -> SignedRequest:
    return _form(signing_secret, {"payload": json.dumps(payload)}, timestamp)


def _json(signing_secret: str, body_dict: JsonDict, timestamp: int | None) -> SignedRequest:
    body = json.dumps(body_dict).encode()
    return SignedRequest(body, sign(signing_secret, body, timestamp, content_type=JSON))
