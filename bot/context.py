"""What every core operation needs: the database, the settings, the clock, and who listens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from models.session import Database

if TYPE_CHECKING:
    from bot.group_commit import GroupCommit


@dataclass
class CoreContext:
    db: Database
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    # The chat platforms that deliver messages (e.g. ("slack",)); the core writes one outbox
    # row per platform so each delivers at its own pace.
    platforms: tuple[str, ...] = ()
    # Called after a transaction that wrote outbox rows commits, so delivery starts at once
    # instead of on the next sweep.
    on_outbox: Callable[[], None] = lambda: None
    # The intake writer (group commit of alerts), made on the first alert.
    intake_writer: GroupCommit[Any, Any] | None = None
