"""SQLAlchemy models: importing this package registers every table on `Base.metadata`."""

from models.alert import Alert
from models.base import Base
from models.brand_activity import BrandChannel, BrandHour, BrandSpike
from models.confirmation import AppSecret, ConfirmationLink
from models.crisis import Crisis, CrisisStatus
from models.group_key import GroupKey
from models.inbox import DeliveryStatus, InboxDelivery, InboxItem, ItemOutcome, ItemStatus
from models.link_code import LinkCode
from models.outbox import OutboxMessage, OutboxStatus
from models.platform_post import PlatformPost
from models.playbook_tick import PlaybookTick
from models.reminder import Reminder, ReminderKind, ReminderStatus
from models.report_run import ReportRun
from models.roster import MemberIdentity, RosterLevel, RosterMember
from models.source_poll import GoogleNotification, SourcePoll
from models.teams_channel import TeamsChannel
from models.timeline import TimelineEvent

__all__ = [
    "Alert",
    "AppSecret",
    "Base",
    "BrandChannel",
    "BrandHour",
    "BrandSpike",
    "ConfirmationLink",
    "Crisis",
    "CrisisStatus",
    "DeliveryStatus",
    "GoogleNotification",
    "GroupKey",
    "InboxDelivery",
    "InboxItem",
    "ItemOutcome",
    "ItemStatus",
    "LinkCode",
    "MemberIdentity",
    "OutboxMessage",
    "OutboxStatus",
    "PlatformPost",
    "PlaybookTick",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "ReportRun",
    "RosterLevel",
    "RosterMember",
    "SourcePoll",
    "TeamsChannel",
    "TimelineEvent",
]
