"""Refusals the core gives; each carries a message for the person who asked."""

from __future__ import annotations

from typing import Any

from bot.messages import Message


class CrisisError(Exception):
    """A request refused with a reason; nothing was changed."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.message = Message(key, params)


class NotFound(CrisisError):
    pass


class Forbidden(CrisisError):
    pass


class InvalidInput(CrisisError):
    pass


class NotAllowedNow(CrisisError):
    """The move is not allowed from the crisis's current state."""
