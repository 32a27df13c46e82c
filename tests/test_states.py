"""The state machine, platform-free: every move from every state, allowed or refused."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowedNow
from bot.states import ALLOWED, CONTROLS, Control, Move, after, check
from models import CrisisStatus as S

EXPECTED_AFTER = {
    (Move.acknowledge, S.open): S.acknowledged,
    (Move.reassign, S.open): S.open,
    (Move.reassign, S.acknowledged): S.open,
    (Move.reassign, S.awaiting_confirmation): S.awaiting_confirmation,
    (Move.propose_resolution, S.acknowledged): S.awaiting_confirmation,
    (Move.confirm, S.awaiting_confirmation): S.closed,
    (Move.reopen, S.awaiting_confirmation): S.acknowledged,
    (Move.reopen, S.closed): S.acknowledged,
    (Move.snooze, S.acknowledged): S.acknowledged,
    (Move.snooze, S.awaiting_confirmation): S.awaiting_confirmation,
    (Move.tick, S.open): S.open,
    (Move.tick, S.acknowledged): S.acknowledged,
    (Move.tick, S.awaiting_confirmation): S.awaiting_confirmation,
    (Move.tick_closing, S.acknowledged): S.acknowledged,
    (Move.tick_closing, S.awaiting_confirmation): S.awaiting_confirmation,
    (Move.tick_closing, S.closed): S.closed,
    (Move.categorise, S.open): S.open,
    (Move.categorise, S.acknowledged): S.acknowledged,
    (Move.categorise, S.awaiting_confirmation): S.awaiting_confirmation,
}


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("status", list(S))
def test_every_move_from_every_state(move: Move, status: S) -> None:
    if (move, status) in EXPECTED_AFTER:
        check(move, status, 1)
        assert after(move, status) is EXPECTED_AFTER[(move, status)]
    else:
        with pytest.raises(NotAllowedNow) as refused:
            check(move, status, 7)
        assert refused.value.message.params["n"] == 7


def test_the_table_and_the_expectations_agree() -> None:
    allowed = {(move, status) for move, states in ALLOWED.items() for status in states}
    assert allowed == set(EXPECTED_AFTER)


@pytest.mark.parametrize(
    ("move", "status", "key"),
    [
        (Move.acknowledge, S.acknowledged, "error.already_acknowledged"),
        (Move.propose_resolution, S.open, "error.acknowledge_first"),
        (Move.confirm, S.acknowledged, "error.propose_first"),
        (Move.reopen, S.open, "error.not_closed"),
        (Move.snooze, S.open, "error.acknowledge_first"),
        (Move.acknowledge, S.closed, "error.crisis_closed"),
        (Move.tick, S.closed, "error.crisis_closed"),
        (Move.tick_closing, S.open, "error.acknowledge_first"),
    ],
)
def test_refusals_say_what_to_do(move: Move, status: S, key: str) -> None:
    with pytest.raises(NotAllowedNow) as refused:
        check(move, status, 1)
    assert refused.value.message.key == key


# The move each control makes (Playbook only shows the checklist: no move, always allowed).
CONTROL_MOVES = {
    Control.acknowledge: Move.acknowledge,
    Control.reassign: Move.reassign,
    Control.propose_resolution: Move.propose_resolution,
    Control.confirm: Move.confirm,
    Control.reopen: Move.reopen,
    Control.snooze: Move.snooze,
}


@pytest.mark.parametrize("status", list(S))
def test_no_control_is_shown_that_its_state_would_refuse(status: S) -> None:
    for control in CONTROLS[status]:
        move = CONTROL_MOVES.get(control)
        if move is not None:
            check(move, status, 1)
