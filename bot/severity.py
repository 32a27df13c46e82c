"""How bad a crisis is, from the reach of its posts, who wrote them, their tone and volume."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class SeverityInput:
    reach: int
    followers: int
    sentiment: float | None
    alerts: int


_RAISED = (Severity.medium, Severity.high, Severity.critical)


@dataclass(frozen=True)
class SeverityRules:
    """Thresholds (settings SEVERITY_AUDIENCE, SEVERITY_VOLUME, SEVERITY_VERY_NEGATIVE).

    Audience = the larger of the reach and the author's followers. Each threshold is the
    smallest audience (or number of posts and comments) that lifts a crisis to that level; a
    very negative tone (sentiment at or below `very_negative`) lifts it one more step.
    """

    audience: tuple[int, int, int] = (1_000, 10_000, 100_000)
    volume: tuple[int, int, int] = (5, 20, 100)
    very_negative: float = -0.7


def assess(facts: SeverityInput, rules: SeverityRules = SeverityRules()) -> Severity:
    audience = max(facts.reach, facts.followers)
    level = Severity.low
    for candidate, by_audience, by_volume in zip(
        _RAISED, rules.audience, rules.volume, strict=True
    ):
        if audience >= by_audience or facts.alerts >= by_volume:
            level = candidate
    if facts.sentiment is not None and facts.sentiment <= rules.very_negative:
        level = raise_by(level, 1)
    return level


def raise_by(level: Severity, steps: int) -> Severity:
    return list(Severity)[min(level.rank + steps, Severity.critical.rank)]


def at_least(level: Severity, floor: Severity) -> Severity:
    return level if level.rank >= floor.rank else floor
