"""The fake Slack the bench points the server at: the sandbox's, plus Slack's rate limits."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.server import TOKEN
from sandbox.fake_slack import FakeSlack, JsonDict

# Stricter than the bot's own pacing on purpose (no burst allowance), so bursts do meet 429s
# and the bench shows how the bot handles them: Slack allows about one message a second per
# channel and about 50 edits a minute.
_LIMITS = {"chat.postMessage": 1.0, "chat.update": 50 / 60}


class RateLimitedSlack(FakeSlack):
    """Answers 429 with `Retry-After: 1` to a call that comes sooner than its method's rate
    allows in that channel."""

    def __init__(self, *, rate_limits: bool = True, **kwargs: Any) -> None:
        super().__init__(TOKEN, **kwargs)
        self.rate_limits = rate_limits
        self._next_allowed: dict[tuple[str, str], float] = {}
        self._answered: dict[str, asyncio.Event] = {}

    def _answer(
        self, method: str, args: JsonDict, token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        rate = _LIMITS.get(method) if self.rate_limits else None
        if rate is not None:
            key = (method, str(args.get("channel", "")))
            now = time.monotonic()
            if now < self._next_allowed.get(key, 0.0):
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
            self._next_allowed[key] = now + 1 / rate
        return super()._answer(method, args, token)

    def _apply_response(self, key: str, body: JsonDict) -> None:
        super()._apply_response(key, body)
        self._answered.setdefault(key, asyncio.Event()).set()

    async def answered(self, key: str, timeout: float) -> bool:  # noqa: ASYNC109
        """Whether the response URL `key` was posted to within `timeout` seconds. An event
        per key, not the sandbox's polling: 50 senders each waiting for their answer would
        otherwise take the load generator's CPU scanning every answer so far."""
        event = self._answered.setdefault(key, asyncio.Event())
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True

    def rate_limited(self) -> int:
        return sum(1 for call in self.calls if call.http_status == 429)
