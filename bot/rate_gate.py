"""Pacing calls to a chat platform: a token bucket per key (e.g. method and channel), and a
hard stop until the time a 429's Retry-After names.

Platforms refuse bursts (Slack: about one message per second per channel); shaping before
they have to refuse keeps one busy crisis from getting every other one rate limited.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    closed_until: float = 0.0


class RateGate:
    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}

    def _bucket(self, key: Hashable) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def wait(self, key: Hashable) -> float:
        """Seconds until a call for `key` may go out (0: now)."""
        bucket = self._bucket(key)
        closed = max(0.0, bucket.closed_until - self.clock())
        shortfall = max(0.0, (1.0 - bucket.tokens) / self.rate)
        return max(closed, shortfall)

    def take(self, key: Hashable) -> None:
        self._bucket(key).tokens -= 1.0

    def close_for(self, key: Hashable, seconds: float) -> None:
        """The platform said not before `seconds` from now (429 Retry-After)."""
        bucket = self._bucket(key)
        bucket.closed_until = max(bucket.closed_until, self.clock() + seconds)
