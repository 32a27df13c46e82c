"""The customer's side of a confirmation link: what the page may show, and the answer.

The page shows only what the customer already knows: the shop, the network they posted on
and the kind of problem, in their language. Never the team's notes or names.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import crisis_flow
from bot.confirmation_links import verify
from bot.context import CoreContext
from bot.errors import InvalidInput

MAX_COMMENT = 2000


@dataclass(frozen=True)
class Question:
    language: str
    brand: str | None
    source: str
    category: str


async def question(ctx: CoreContext, token: str) -> Question:
    """What the page asks about; raises LinkRefused for a link that may not be answered."""
    async with ctx.db.sessions() as session:
        link, crisis = await verify(session, ctx, token, lock=False)
        # Generating the signing secret on first use writes it: keep that write.
        await session.commit()
    return Question(link.language, crisis.brand, crisis.source, crisis.category)


class CommentRefused(Exception):
    def __init__(self, invalid: InvalidInput, language: str) -> None:
        super().__init__(invalid.message.key)
        self.message = invalid.message
        self.language = language


def clean_comment(comment: str | None) -> str | None:
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        raise InvalidInput("error.comment_too_long", limit=MAX_COMMENT)
    return text


async def answer(ctx: CoreContext, token: str, *, solved: bool, comment: str | None) -> Question:
    """Record the customer's answer, once. Returns what was asked (the thanks page speaks
    its language); raises LinkRefused (nothing changed) for a link that may not be
    answered, InvalidInput for a comment too long (with the page's language)."""
    async with ctx.db.transaction() as session:
        link, crisis = await verify(session, ctx, token, lock=True)
        try:
            text = clean_comment(comment)
        except InvalidInput as invalid:
            raise CommentRefused(invalid, link.language) from None
        if solved:
            await crisis_flow.customer_confirmed(session, ctx, crisis, link)
        else:
            await crisis_flow.customer_not_yet(session, ctx, crisis, link, text)
        asked = Question(link.language, crisis.brand, crisis.source, crisis.category)
    ctx.on_outbox()
    return asked
