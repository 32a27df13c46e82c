"""What a native source's parser hands the inbox: items in our alert schema, or refusals."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class ItemKind(enum.StrEnum):
    added = "added"  # a new post, comment or review: may open or group
    # New text of an item: updates it, never opens a second crisis (an item never stored that
    # is negative now is a new complaint). Carries the whole alert, its text only when real.
    edited = "edited"
    removed = "removed"  # deleted at the source: recorded, never opens
    hidden = "hidden"  # hidden at the source: recorded, never opens
    test = "test"  # a vendor's test delivery: recorded as a test


@dataclass(frozen=True)
class SourceItem:
    # The native source: "meta", "trustpilot", "google", "brand24", "mention", "generic", "import".
    feed: str
    kind: ItemKind
    # Our POST /alerts schema (id, source, url, text, author{name,handle,followers}, parent_url,
    # brand, sentiment, reach, language, created_at RFC 3339); validated by the core with
    # bot.alert_input.parse_alert. For removed/hidden/test at least id and source.
    alert: dict[str, Any]
    stars: int | None = None  # reviews 1..5: the core maps them with bot.negativity.judge
    # What the feed's link reader may ask the source's API for a better link than the one
    # built into `alert` (JSON, the feed's own shape); read when the item is processed.
    link: dict[str, str] | None = None


@dataclass(frozen=True)
class ItemError:
    reason: str  # why this item of a delivery was refused, no secrets
    item: Any  # the item as it came (stored for a person to look at)
