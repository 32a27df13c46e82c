"""The roster: who can own a crisis, and how each person is known on each chat platform."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class RosterLevel(enum.StrEnum):
    """Levels in order of seniority; senior and above may own a crisis."""

    junior = "junior"
    senior = "senior"
    lead = "lead"

    @property
    def rank(self) -> int:
        return list(RosterLevel).index(self)

    @property
    def can_own(self) -> bool:
        return self.rank >= RosterLevel.senior.rank


class RosterMember(Base):
    __tablename__ = "roster_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    added_at: Mapped[datetime]
    last_assigned_at: Mapped[datetime | None]

    identities: Mapped[list[MemberIdentity]] = relationship(
        back_populates="member", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def roster_level(self) -> RosterLevel:
        return RosterLevel(self.level)

    def identity(self, platform: str) -> str | None:
        for identity in self.identities:
            if identity.platform == platform:
                return identity.external_id
        return None


class MemberIdentity(Base):
    """A person's user id on one platform (Slack user id, Teams AAD object id)."""

    __tablename__ = "member_identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("roster_members.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(100))

    member: Mapped[RosterMember] = relationship(back_populates="identities")
