"""What the core says, before a platform renders it.

A message is a catalogue key and parameters. Parameters are plain values (escaped by the
platform), or references the platform renders its own way: a roster member (a mention), a
link, a duration. The core never writes markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Message:
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        return cls(key=data["key"], params=dict(data.get("params") or {}))


def member_ref(member_id: int) -> dict[str, int]:
    return {"member": member_id}


def mentioned_members(messages: Iterable[Message]) -> set[int]:
    """The roster members these messages mention by `member_ref` or `members_ref`."""
    ids: set[int] = set()
    for message in messages:
        for value in message.params.values():
            if isinstance(value, dict):
                if "member" in value:
                    ids.add(value["member"])
                ids.update(value.get("members", ()))
    return ids


def link_ref(url: str, label: str, label_key: str | None = None) -> dict[str, dict[str, str]]:
    """A link; with `label_key`, its label is that catalogue text (`label` is the fallback)."""
    ref = {"url": url, "label": label}
    if label_key:
        ref["label_key"] = label_key
    return {"link": ref}


def code_ref(text: str) -> dict[str, str]:
    """A literal the user should type, e.g. a command."""
    return {"code": text}


def time_ref(at: datetime) -> dict[str, str]:
    """A moment, shown in each reader's own time zone where the platform can."""
    return {"time": at.isoformat()}


def actor_ref(label: str) -> dict[str, str]:
    """Who did something, as recorded (`slack:U123`, `webhook:alerts`, `bot:crisisbot`)."""
    return {"actor": label}


def choice_ref(group: str, value: str) -> dict[str, str]:
    """A value with a translated name: `choice_ref("status", "open")` -> key `status.open`."""
    return {"choice": f"{group}.{value}"}


def members_ref(member_ids: list[int]) -> dict[str, list[int]]:
    """Several people, mentioned together (e.g. the leads)."""
    return {"members": member_ids}


def everyone_ref() -> dict[str, bool]:
    """The whole channel (`@channel` on Slack): only when nobody else can be asked."""
    return {"everyone": True}


def duration_ref(seconds: float) -> dict[str, float]:
    return {"duration": seconds}


def bullets_ref(keys: list[str]) -> dict[str, list[str]]:
    """A bulleted list of catalogue texts (e.g. the closing checklist)."""
    return {"bullets": keys}


def count_ref(key: str, count: int) -> dict[str, dict[str, object]]:
    """A count with its noun in the right plural form (`count.post`: 1 post, 5 posts)."""
    return {"count": {"key": key, "n": count}}


def number_ref(value: float) -> dict[str, float]:
    """A number written the reader's way (12,000 or 12 000; 2.5 or 2,5)."""
    return {"number": value}


def sentences_ref(messages: list[Message]) -> dict[str, list[dict[str, Any]]]:
    """Optional sentences after a message's main one (a note, a remedy): each is shown
    after a space, and none leaves nothing behind, never an empty "Note: —"."""
    return {"sentences": [message.to_json() for message in messages]}
