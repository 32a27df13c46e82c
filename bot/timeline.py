"""Recording and reading a crisis's timeline."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import structlog
from sqlalchemy import Select, bindparam, event, insert, select
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
    await add_rows(session, [row(crisis_id, kind, actor, at) for crisis_id, kind in events])


def row(
    crisis_id: int,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    actor_member_id: int | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """An event as `add_rows` takes it."""
    return {
        "crisis_id": crisis_id,
        "kind": kind,
        "actor": actor.label,
        "actor_member_id": actor_member_id,
        "at": at,
        "detail": detail,
    }


async def add_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """`record` of many events (see `row`), in one insert."""
    if not rows:
        return
    await session.execute(insert(TimelineEvent.__table__), rows)
    for event_row in rows:
        kind = event_row["kind"]
        if kind not in _LOGGED_BY_INTAKE:
            detail = event_row["detail"]
            shown = {name: detail[name] for name in _LOGGED_DETAIL if name in detail}
            _log_when_committed(
                session,
                "crisis " + kind.replace("_", " "),
                crisis=event_row["crisis_id"],
                actor=event_row["actor"],
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


@cache
def _newest(limit: int) -> Select[TimelineEvent]:
    # Built once: `/crisis status` reads it, and building it costs about as much as running it.
    return (
        select(TimelineEvent)
        .where(TimelineEvent.crisis_id == bindparam("crisis_id"))
        .order_by(TimelineEvent.id.desc())
        .limit(limit)
    )


async def events(session: AsyncSession, crisis_id: int, limit: int = 50) -> list[TimelineEvent]:
    """The newest `limit` events of a crisis, oldest first."""
    rows = await session.scalars(_newest(limit), {"crisis_id": crisis_id})
    return list(reversed(rows.all()))
