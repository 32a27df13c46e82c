"""Prometheus metrics, served at GET /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ALERTS_RECEIVED = Counter(
    "crisisbot_alerts_received_total", "Alerts accepted, by intake outcome", ["status"]
)
ALERTS_REJECTED = Counter(
    "crisisbot_alerts_rejected_total", "Alert webhook requests refused, by HTTP status", ["code"]
)
CRISES_OPENED = Counter("crisisbot_crises_opened_total", "Crises opened")
PLATFORM_CALLS = Counter(
    "crisisbot_platform_api_calls_total",
    "Calls to a chat platform's API, by method and outcome",
    ["platform", "method", "outcome"],
)
OUTBOX_DELIVERED = Counter(
    "crisisbot_outbox_delivered_total",
    "Outbox messages delivered, by platform and kind",
    ["platform", "kind"],
)
REMINDER_SWEEP_SECONDS = Histogram(
    "crisisbot_reminder_sweep_seconds",
    "One round of the reminder sweep: finding up to 200 due reminders and firing them",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
REMINDERS_FIRED = Counter("crisisbot_reminders_fired_total", "Reminders fired by the sweep")
SOURCE_ITEMS = Counter(
    "crisisbot_source_items_total",
    "Items from native sources (webhooks and pollers), by source and outcome",
    ["source", "outcome"],
)
SOURCE_POLLS = Counter(
    "crisisbot_source_polls_total",
    "Polls of the polled sources (Brand24, Mention), by source and outcome (ok, error)",
    ["source", "outcome"],
)
SOURCE_DELIVERIES = Counter(
    "crisisbot_source_deliveries_total",
    "Deliveries to the native sources' routes, by source and HTTP status",
    ["source", "code"],
)
