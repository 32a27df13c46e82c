"""What the code needs from Slack, as data: tests/test_manifest.py holds manifest.yaml to it."""

from __future__ import annotations

# Each Slack Web API method the code calls, and the bot scope it needs. Not listed because
# they need no scope: auth.test (Bolt asks who the bot is) and the answers to slash commands
# and buttons, which go to the request's response_url rather than through the Web API.
SCOPES: dict[str, str] = {
    "chat.postMessage": "chat:write",  # the crisis root message and its thread replies
    "chat.update": "chat:write",  # the root message and the playbook kept up to date
    "views.open": "commands",  # the Reassign and Propose resolution modals (no extra scope)
    "views.publish": "commands",  # the App Home tab (no extra scope)
    # The close report's chart: slack_sdk's files_upload_v2 calls files.getUploadURLExternal
    # and files.completeUploadExternal, both under files:write.
    "files.upload.v2": "files:write",
    "users.info": "users:read",  # the owner's time zone, for "snooze until tomorrow 9:00"
    # A message whose answer was lost (crash, timeout) is looked for before posting it again.
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
}

BOT_SCOPES: frozenset[str] = frozenset(
    {
        "commands",  # the /crisis slash command
        *SCOPES.values(),
        # chat:write alone only lets the bot post where it is a member: this lets it post in a
        # public CRISIS_CHANNEL without being invited (else Slack answers not_in_channel).
        "chat:write.public",
        # The same look-up in a private crisis channel.
        "groups:history",
        # member_joined_channel, in public and private channels: the welcome when the bot is
        # added to a channel.
        "channels:read",
        "groups:read",
    }
)

# The bot events the app subscribes to: the bot's own arrival in a channel (its welcome,
# handlers/slack/events.py) and a person opening the App Home tab.
BOT_EVENTS: frozenset[str] = frozenset({"member_joined_channel", "app_home_opened"})

# Where Slack sends slash commands, interactivity and events: the route bot/app.py serves.
EVENTS_PATH = "/slack/events"
