"""Human durations as the settings and the `/crisis snooze` command accept them."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Parse `90`, `90s`, `15m`, `2h`, `1d` (plain numbers are seconds).

    Raises ValueError with a message a user can act on.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or e.g. 90s, 15m, 2h, 1d")
    elif isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _PATTERN.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration: use seconds or e.g. 90s, 15m, 2h, 1d")
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Shortest readable form: `1h 30m`, `45s`, `2d 3h`."""
    total = round(delta.total_seconds())
    if total <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts[:2])
