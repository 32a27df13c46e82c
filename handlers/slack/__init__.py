"""Slack: Bolt listeners, Block Kit rendering and delivery of the outbox to the Web API."""

PLATFORM = "slack"
