"""Prometheus metrics, served at GET /metrics."""

from __future__ import annotations

from prometheus_client import Counter

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
