"""Recording and reading a crisis's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.actors import Actor
from models import TimelineEvent

log = structlog.get_logger(__name__)
_PENDING = "crisisbot.timeline_log"
# The alert's own decision is logged by intake; these would only repeat it.
_LOGGED_BY_INTAKE = frozenset({"opened", "alert_grouped", "alert_after_close"})
# Detail that says what happened without quoting anyone: notes and comments are people's
# words, and stay out of the log.
_LOGGED_DETAIL = ("member", "step", "to", "was", "until", "reason", "remedy", "source")


def record(
    session: AsyncSession,
    crisis_id: int,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    actor_member_id: int | None = None,
    **detail: Any,
) -> TimelineEvent:
    event = TimelineEvent(
        crisis_id=crisis_id,
        kind=kind,
        actor=actor.label,
        actor_member_id=actor_member_id,
        at=at,
        detail=detail,
    )
    session.add(event)
    if kind not in _LOGGED_BY_INTAKE:
        # Every state change, escalation and reminder of a crisis is recorded here: one line.
        shown = {name: detail[name] for name in _LOGGED_DETAIL if name in detail}
        _log_when_committed(
            session,
            "crisis " + kind.replace("_", " "),
            crisis=crisis_id,
            actor=actor.label,
            **shown,
        )
    return event


async def record_many(
    session: AsyncSession, events: list[tuple[int, str]], actor: Actor, at: datetime
) -> None:
    """`record` of (crisis, kind) events without detail, in one insert."""
    await record_many_with_detail(
        session, [(crisis_id, kind, {}) for crisis_id, kind in events], actor, at
    )


async def record_many_with_detail(
    session: AsyncSession,
    events: list[tuple[int, str, dict[str, Any]]],
    actor: Actor,
    at: datetime,
) -> None:
    """`record` of (crisis, kind, detail) events, in one insert."""
    if not events:
        return
    await session.execute(
        insert(TimelineEvent.__table__),
        [
            {
                "crisis_id": crisis_id,
                "kind": kind,
                "actor": actor.label,
                "actor_member_id": None,
                "at": at,
                "detail": detail,
            }
            for crisis_id, kind, detail in events
        ],
    )
    for crisis_id, kind, detail in events:
        if kind not in _LOGGED_BY_INTAKE:
            shown = {name: detail[name] for name in _LOGGED_DETAIL if name in detail}
            _log_when_committed(
                session,
                "crisis " + kind.replace("_", " "),
                crisis=crisis_id,
                actor=actor.label,
                **shown,
            )


def _log_when_committed(session: AsyncSession, line: str, **fields: Any) -> None:
    """Log once the transaction commits: a move refused or retried leaves no line."""
    pending: list[tuple[str, dict[str, Any]]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        lines = pending

        def committed(_: Session) -> None:
            for text, values in lines:
                log.info(text, **values)
            lines.clear()

        event.listen(session.sync_session, "after_commit", committed)
        event.listen(session.sync_session, "after_rollback", lambda _: lines.clear())
    pending.append((line, fields))


async def events(session: AsyncSession, crisis_id: int, limit: int = 50) -> list[TimelineEvent]:
    """The newest `limit` events of a crisis, oldest first."""
    rows = await session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.crisis_id == crisis_id)
        .order_by(TimelineEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))
