"""The response playbook: the five steps, the remedies for each problem and the closing checklist.

The steps come from seed 004 (apologise, admit, fix, improve, compensate), the remedies and the
closing checklist from seed 000. Everything a person reads is a message key, looked up with
`bot.i18n.translate`, so both languages stay in the catalogues and this module stays platform-free.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bot.categories import Category


class Step(enum.StrEnum):
    # Declaration order is the seed's order: `STEPS` and `next_step` rely on it.
    apologise = "apologise"
    admit = "admit"
    fix = "fix"
    improve = "improve"
    compensate = "compensate"


STEPS: tuple[Step, ...] = tuple(Step)


class Remedy(enum.StrEnum):
    # Only what seed 000 names; the values are stored as a crisis's resolution_remedy, so they
    # must not be renamed.
    apology_discount = "apology_discount"
    free_return = "free_return"
    compensation = "compensation"
    refund = "refund"
    old_price = "old_price"
    free_cancellation = "free_cancellation"
    review_decision = "review_decision"
    repair_or_replacement = "repair_or_replacement"


# Order matters: the first remedy is the one the owner is offered first.
CATEGORY_REMEDIES: dict[str, tuple[Remedy, ...]] = {
    Category.customer_service: (Remedy.apology_discount,),
    Category.not_as_described: (Remedy.free_return, Remedy.compensation),
    Category.delivery_delay: (Remedy.refund,),
    # Keeping the price paid costs money but keeps the reputation, so the seed puts it first;
    # its reply offers the free cancellation too, as the item may be out of stock meanwhile.
    Category.price_change: (Remedy.old_price, Remedy.free_cancellation),
    # The seed says "contact fast, review the decision, remedy as above": once the review finds
    # the customer right, the item is faulty, so it is repaired, replaced or refunded.
    Category.complaint_rejected: (
        Remedy.review_decision,
        Remedy.repair_or_replacement,
        Remedy.refund,
    ),
    Category.product_defect: (Remedy.repair_or_replacement, Remedy.refund),
    # An apology and a discount fit nearly any grievance, so an unclassified post still gets one.
    Category.other: (Remedy.apology_discount,),
}

# A remedy whose usual reply speaks of another problem (a refund's of a late parcel) has its
# own reply for these categories.
_REPLY_VARIANTS: dict[tuple[Remedy, str], str] = {
    (Remedy.refund, Category.complaint_rejected): "faulty",
    (Remedy.refund, Category.product_defect): "faulty",
    (Remedy.apology_discount, Category.other): "other",
}

CLOSING_CHECKLIST: tuple[str, ...] = (
    "playbook.closing.remove_comment",
    "playbook.closing.public_summary",
)
# Trustpilot's and Google's terms forbid asking for a review to be removed or amended and any
# reward tied to a review (DESIGN, "Review-platform rules"): their checklist says so instead.
REVIEW_SOURCES = frozenset({"trustpilot", "google_reviews"})
REVIEW_CLOSING_CHECKLIST: tuple[str, ...] = (
    "playbook.closing.review",
    "playbook.closing.public_summary",
)


def is_review(source: str) -> bool:
    return source in REVIEW_SOURCES


def closing_checklist(source: str) -> tuple[str, ...]:
    return REVIEW_CLOSING_CHECKLIST if is_review(source) else CLOSING_CHECKLIST


class ClosingItem(enum.StrEnum):
    """The closing checklist's items, ticked like the steps (`playbook.closing.<item>`)."""

    remove_comment = "remove_comment"
    public_summary = "public_summary"


CLOSING_ITEMS: tuple[ClosingItem, ...] = tuple(ClosingItem)
# A closing item's tick is kept beside the steps' ticks, under this prefix.
CLOSING_TICK = "closing."


def closing_item_key(item: ClosingItem, source: str, prefix: str = "playbook.closing.") -> str:
    """The words of a closing item: on a review, asking about the comment becomes saying the
    customer may update the review, as the review platforms' terms allow no more."""
    name = "review" if item is ClosingItem.remove_comment and is_review(source) else item.value
    return prefix + name


def remedies_for(category: str) -> tuple[Remedy, ...]:
    """The remedies for a category, best first; a category this version does not know (an old
    row, a typo from a person) falls back to the generic ones rather than offering nothing."""
    return CATEGORY_REMEDIES.get(category, CATEGORY_REMEDIES[Category.other])


def next_step(done: Iterable[str]) -> Step | None:
    """The first step in the seed's order that is not done; None once all five are."""
    finished = set(done)
    return next((step for step in STEPS if step not in finished), None)


def step_title_key(step: Step) -> str:
    return f"playbook.step.{step}"


def step_hint_key(step: Step) -> str:
    return f"playbook.step.{step}.hint"


def remedy_name_key(remedy: Remedy) -> str:
    return f"remedy.{remedy}"


def remedy_reply_key(remedy: Remedy, category: str = "") -> str:
    variant = _REPLY_VARIANTS.get((remedy, category))
    return f"remedy.{remedy}.reply.{variant}" if variant else f"remedy.{remedy}.reply"


def reply_variant_keys() -> tuple[str, ...]:
    return tuple(remedy_reply_key(remedy, category) for remedy, category in _REPLY_VARIANTS)
