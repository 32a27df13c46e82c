"""The public replies the playbook offers, ready to adapt and post under the customer's post.

They are written in the customer's language, whatever the bot's, and address the author by
first name or handle only: the reply is public, a full name is not ours to repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.confirmation_links import customer_language
from bot.i18n import translate
from bot.playbook import Remedy, remedies_for, remedy_reply_key
from models import Crisis


@dataclass(frozen=True)
class PublicReply:
    remedy: Remedy
    language: str
    text: str


def addressee(crisis: Crisis) -> str | None:
    """How a public reply names the author: the first name, else the handle."""
    if crisis.author_name and crisis.author_name.split():
        return crisis.author_name.split()[0]
    handle = (crisis.author_handle or "").strip()
    if not handle:
        return None
    return handle if handle.startswith("@") else "@" + handle


def public_replies(crisis: Crisis) -> list[PublicReply]:
    """A reply for each remedy that fits the crisis's category, best first."""
    language = customer_language(crisis)
    name = addressee(crisis)
    greeting = (
        translate(language, "reply.greeting", name=name)
        if name
        else translate(language, "reply.greeting_anonymous")
    )
    return [
        PublicReply(
            remedy,
            language,
            f"{greeting} {translate(language, remedy_reply_key(remedy, crisis.category))}",
        )
        for remedy in remedies_for(crisis.category)
    ]
