"""Spike detection: a brand mentioned far more this hour than it usually is (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean, pstdev


@dataclass(frozen=True)
class SpikeRule:
    sigmas: float = 3.0
    min_count: int = 10


@dataclass(frozen=True)
class Spike:
    mentions: int
    baseline_mean: float
    threshold: float


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def baseline_hours(now: datetime, period: timedelta) -> list[datetime]:
    """The whole hours before the current one that make up the baseline, oldest first."""
    current = hour_of(now)
    count = int(period.total_seconds() // 3600)
    return [current - timedelta(hours=n) for n in range(count, 0, -1)]


def detect(history: list[int], current: int, rule: SpikeRule = SpikeRule()) -> Spike | None:
    """A spike when the current hour's mentions reach mean + sigmas * standard deviation of
    the baseline hours, and at least `min_count` (a quiet brand going from 0 to 3 is not an
    avalanche)."""
    mean, threshold = spike_threshold(history, rule)
    if current >= threshold:
        return Spike(mentions=current, baseline_mean=mean, threshold=threshold)
    return None


def spike_threshold(history: list[int], rule: SpikeRule) -> tuple[float, float]:
    """The baseline's mean, and the count of mentions this hour that is a spike."""
    mean = fmean(history) if history else 0.0
    spread = pstdev(history) if len(history) > 1 else 0.0
    return mean, max(float(rule.min_count), mean + rule.sigmas * spread)
