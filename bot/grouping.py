"""Which open crisis an alert belongs to: its group keys (pure functions).

An alert joins an open crisis that holds one of its keys:
- `post:<url>` — the post itself, or the post a comment is under (`parent_url`);
- `author:<source>:<author>|<brand>` — the same author about the same brand, within a window
  after that author's last alert;
- `brand:<brand>` — a spike of mentions of a brand (held by the spike's crisis for a while).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from bot.alert_input import AlertIn
from bot.categories import fold
from bot.post_keys import BRAND_KEY_MAX, bounded, post_key

# The length of group_keys.key.
GROUP_KEY_MAX = 2200


@dataclass(frozen=True)
class Key:
    key: str
    # None: the key stays with the crisis while it is open.
    expires_at: datetime | None


def post_group_key(url: str) -> str:
    return "post:" + post_key(url)


def brand_group_key(brand: str) -> str:
    return "brand:" + normal_brand(brand)


@lru_cache(maxsize=1024)
def normal_brand(brand: str) -> str:
    return bounded(" ".join(fold(brand).split()), BRAND_KEY_MAX)


def author_group_key(alert: AlertIn) -> str | None:
    author = alert.author_handle or alert.author_name
    if not author or not alert.brand:
        return None
    who = " ".join(fold(author).lstrip("@").split())
    return bounded(f"author:{alert.source.value}:{who}|{normal_brand(alert.brand)}", GROUP_KEY_MAX)


def keys_for(alert: AlertIn, now: datetime, author_window: timedelta) -> list[Key]:
    """The keys an alert looks up, and that it claims for its crisis."""
    keys = [Key(post_group_key(alert.url), None)]
    if alert.parent_url:
        keys.insert(0, Key(post_group_key(alert.parent_url), None))
    author = author_group_key(alert)
    if author:
        keys.append(Key(author, now + author_window))
    return keys
