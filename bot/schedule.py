"""Cron schedules as people write them (`0 9 * * 1`: Mondays at 09:00), in a time zone.

APScheduler 3 counts weekdays from Monday = 0 where cron counts from Sunday = 0 (and 7), so
`from_crontab` would move `* * * * 1` to Tuesdays: the weekday field is read here, the
cron way, and handed over as weekday names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in _NAMES and len(token) >= 3 and token.isalpha():
        return _NAMES.index(token[:3])
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    raise ValueError(f"{token!r} is not a weekday (0-7 or sun-sat)")


def _weekdays(field: str) -> str:
    """The cron weekday field as APScheduler weekday names, e.g. `1-5` -> `mon,...,fri`."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"{item!r}: the step must be a whole number above zero")
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            low, high = part.split("-", 1)
            first, last = _weekday(low), _weekday(high)
            if high.strip() == "7":
                last = 7
            if last < first:
                raise ValueError(f"{part!r}: the range goes backwards")
        else:
            first = last = _weekday(part)
        days.update(day % 7 for day in range(first, last + 1, step or 1))
    apscheduler_names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return ",".join(apscheduler_names[(day - 1) % 7] for day in sorted(days))


def cron_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A trigger for a five-field cron expression; ValueError says what is wrong with it."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"five fields are needed (minute hour day month weekday), got {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekdays(weekday),
        timezone=zone,
    )


def next_after(trigger: CronTrigger, moment: datetime) -> datetime:
    """The first scheduled moment strictly after `moment`."""
    found = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
    if found is None:
        raise ValueError("the schedule never fires")
    return found
