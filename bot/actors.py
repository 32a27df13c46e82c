"""Who asks: a person on a chat platform, or a machine (the alert webhook, the bot itself)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    platform: str
    user_id: str
    display_name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def is_person(self) -> bool:
        return self.platform not in MACHINE_PLATFORMS


MACHINE_PLATFORMS = frozenset({"webhook", "bot"})
WEBHOOK = Actor("webhook", "alerts")
BOT = Actor("bot", "crisisbot")
# The customer who complained, answering on the confirmation page (not a chat user).
CUSTOMER = Actor("customer", "confirmation_link")
