"""The crisis state machine: which move is allowed from which state, and where it leads.

open → acknowledged → awaiting_confirmation → closed; reopen brings a closed or awaiting
crisis back to acknowledged. Reassigning hands the crisis to someone who must acknowledge it
again (unless only the customer's confirmation is missing).
"""

from __future__ import annotations

import enum

from bot.errors import NotAllowedNow
from bot.messages import choice_ref
from models import CrisisStatus

OPEN, ACKED, AWAITING, CLOSED = (
    CrisisStatus.open,
    CrisisStatus.acknowledged,
    CrisisStatus.awaiting_confirmation,
    CrisisStatus.closed,
)


class Move(enum.StrEnum):
    acknowledge = "acknowledge"
    reassign = "reassign"
    propose_resolution = "propose_resolution"
    confirm = "confirm"
    reopen = "reopen"
    snooze = "snooze"
    tick = "tick"
    tick_closing = "tick_closing"
    categorise = "categorise"


ALLOWED: dict[Move, frozenset[CrisisStatus]] = {
    Move.acknowledge: frozenset({OPEN}),
    Move.reassign: frozenset({OPEN, ACKED, AWAITING}),
    Move.propose_resolution: frozenset({ACKED}),
    Move.confirm: frozenset({AWAITING}),
    Move.reopen: frozenset({AWAITING, CLOSED}),
    # Before acknowledgement the escalation clock runs; it cannot be snoozed away.
    Move.snooze: frozenset({ACKED, AWAITING}),
    Move.tick: frozenset({OPEN, ACKED, AWAITING}),
    # The public summary often comes after the customer's "yes".
    Move.tick_closing: frozenset({ACKED, AWAITING, CLOSED}),
    Move.categorise: frozenset({OPEN, ACKED, AWAITING}),
}


class Control(enum.StrEnum):
    """A control on the crisis root message (Slack) or card (Teams)."""

    acknowledge = "acknowledge"
    reassign = "reassign"
    playbook = "playbook"
    propose_resolution = "propose_resolution"
    confirm = "confirm"
    reopen = "reopen"
    snooze = "snooze"


# What each state offers, in the order shown: never a control whose move the state refuses.
CONTROLS: dict[CrisisStatus, tuple[Control, ...]] = {
    OPEN: (Control.acknowledge, Control.reassign, Control.playbook),
    ACKED: (Control.playbook, Control.propose_resolution, Control.reassign, Control.snooze),
    AWAITING: (Control.confirm, Control.reopen, Control.snooze),
    CLOSED: (Control.reopen,),
}

# Why a move is refused in a state, when "not now" alone would not tell the person what to do.
_HINTS: dict[tuple[Move, CrisisStatus], str] = {
    (Move.acknowledge, ACKED): "error.already_acknowledged",
    (Move.acknowledge, AWAITING): "error.already_acknowledged",
    (Move.propose_resolution, OPEN): "error.acknowledge_first",
    (Move.propose_resolution, AWAITING): "error.already_proposed",
    (Move.confirm, OPEN): "error.propose_first",
    (Move.confirm, ACKED): "error.propose_first",
    (Move.reopen, OPEN): "error.not_closed",
    (Move.reopen, ACKED): "error.not_closed",
    (Move.snooze, OPEN): "error.acknowledge_first",
    (Move.tick_closing, OPEN): "error.acknowledge_first",
}


def check(move: Move, status: CrisisStatus, number: int) -> None:
    """Raise NotAllowedNow, with a reason a person can act on, when `move` is not allowed."""
    if status in ALLOWED[move]:
        return
    if status is CLOSED:
        raise NotAllowedNow("error.crisis_closed", n=number)
    raise NotAllowedNow(
        _HINTS.get((move, status), "error.not_now"),
        n=number,
        status=choice_ref("status", status.value),
    )


def after(move: Move, status: CrisisStatus) -> CrisisStatus:
    """The state a crisis is in after an allowed move."""
    if move is Move.acknowledge:
        return ACKED
    if move is Move.propose_resolution:
        return AWAITING
    if move is Move.confirm:
        return CLOSED
    if move is Move.reopen:
        return ACKED
    if move is Move.reassign:
        # The new owner must acknowledge; only the customer's word is missing once awaiting.
        return AWAITING if status is AWAITING else OPEN
    return status
