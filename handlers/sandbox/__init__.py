"""The local sandbox: a Slack channel in the browser, served by the bot itself.

Beside the Slack adapter, not inside the core: the bot runs its real Slack code against the
fake Web API from `sandbox.fake_slack`, mounted on the same server, and every click or
command in the page becomes a signed request to `/slack/events`, as Slack would send it.
"""
