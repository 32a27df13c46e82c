"""The `/crisis` command language, shared by every chat platform.

A platform hands in the text after the command and a way to read a person mention in its
own syntax; it gets back messages to show the person who asked (only to them).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import (
    brand_channels,
    crises,
    crisis_flow,
    links,
    outbox,
    roster,
    source_status,
    stats,
    timeline,
)
from bot.actors import Actor
from bot.alert_input import check_url, parse_alert
from bot.context import CoreContext
from bot.durations import parse_duration
from bot.errors import CrisisError, InvalidInput
from bot.intake import IntakeStatus, guess_source, ingest
from bot.messages import (
    Message,
    actor_ref,
    choice_ref,
    code_ref,
    count_ref,
    duration_ref,
    link_ref,
    member_ref,
    mentioned_members,
    number_ref,
    time_ref,
)
from bot.post_keys import post_key
from bot.severity import Severity
from models import Crisis, CrisisStatus, RosterMember, TimelineEvent

PersonParser = Callable[[str], Actor | None]


@dataclass(frozen=True)
class Place:
    """A channel on a platform, as a person named it in a command."""

    platform: str
    channel: str


ChannelParser = Callable[[str], Place | None]

_NUMBER = re.compile(r"^#?(\d{1,9})$")


@dataclass
class CommandReply:
    messages: list[Message] = field(default_factory=list)
    # False when the command was refused; nothing changed then.
    ok: bool = True
    # Roster members the messages mention, read with the command's own reads, so the
    # platform need not read them again to render the reply (it reads any missing here).
    members: dict[int, RosterMember] = field(default_factory=dict)


@dataclass(frozen=True)
class Invocation:
    actor: Actor
    text: str
    parse_person: PersonParser
    parse_channel: ChannelParser


Handler = Callable[[CoreContext, Invocation, list[str]], Awaitable[CommandReply]]


async def run(
    ctx: CoreContext,
    actor: Actor,
    text: str,
    parse_person: PersonParser,
    parse_channel: ChannelParser,
) -> CommandReply:
    """Run one `/crisis …` command for `actor`; refusals come back as messages, not errors."""
    if "\x00" in text:
        # No chat client sends one, and the database could not store it.
        return CommandReply([Message("error.nul_character")], ok=False)
    words = text.split()
    name = words[0].lower() if words else "help"
    handler = _HANDLERS.get(name)
    if handler is None:
        return CommandReply(
            [Message("error.unknown_command", {"command": name, "help": code_ref("/crisis help")})],
            ok=False,
        )
    try:
        return await handler(ctx, Invocation(actor, text, parse_person, parse_channel), words[1:])
    except CrisisError as refusal:
        return CommandReply([refusal.message], ok=False)


def parse_number(word: str | None, command: str) -> int:
    match = _NUMBER.match(word or "")
    if not match:
        raise InvalidInput(f"usage.{command}")
    return int(match.group(1))


async def _help(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    return CommandReply([Message("help.text")])


async def _list(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    if args:
        raise InvalidInput("usage.list")
    async with ctx.db.sessions() as session:
        rows = await crises.open_crises(session)
        if not rows:
            return CommandReply([Message("list.empty")])
        return await _with_members(
            session, [Message("list.header", {"count": len(rows)}), *map(_list_line, rows)]
        )


async def _with_members(session: AsyncSession, messages: list[Message]) -> CommandReply:
    return CommandReply(
        messages, members=await roster.members_by_id(session, mentioned_members(messages))
    )


def _list_line(crisis: Crisis) -> Message:
    return Message(
        "list.line",
        {
            "n": crisis.id,
            "status": choice_ref("status", crisis.status),
            "severity": choice_ref("severity", crisis.severity),
            "owner": _owner(crisis),
            "post": link_ref(crisis.post_url, crisis.source, f"source.{crisis.source}"),
            "alerts": count_ref("count.post", crisis.alert_count),
        },
    )


def _owner(crisis: Crisis) -> object:
    return member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none")


async def _status(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    if len(args) != 1:
        raise InvalidInput("usage.status")
    number = parse_number(args[0], "status")
    async with ctx.db.sessions() as session:
        crisis = await crises.get(session, number)
        events = await timeline.events(session, number)
        return await _with_members(session, _status_lines(crisis, events))


def _status_lines(crisis: Crisis, events: list[TimelineEvent]) -> list[Message]:
    lines = [
        Message(
            "status.summary",
            {
                "n": crisis.id,
                "status": choice_ref("status", crisis.status),
                "severity": choice_ref("severity", crisis.severity),
                "category": choice_ref("category", crisis.category),
                "owner": _owner(crisis),
                "alerts": count_ref("count.post", crisis.alert_count),
                "reach": number_ref(crisis.total_reach),
                "post": link_ref(crisis.post_url, crisis.source, f"source.{crisis.source}"),
            },
        ),
        Message("status.timeline_header"),
    ]
    for event in events:
        # A roster member is shown as a person on every platform (a move made in Teams
        # mentions them in Slack too); anyone else by their label.
        actor = member_ref(event.actor_member_id) if event.actor_member_id else None
        params = {"at": time_ref(event.at), "actor": actor or actor_ref(event.actor)}
        params.update(_event_params(event.kind, event.detail))
        lines.append(Message(f"timeline.{event.kind}", params))
    return lines


# Detail values stored as codes, shown by their name in the reader's language.
_DETAIL_CHOICES = {
    "step": "playbook.step",
    "source": "source",
    "language": "language",
}


def _event_params(kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in detail.items():
        if name == "member":
            params[name] = member_ref(value)
        elif name == "until":
            params[name] = time_ref(datetime.fromisoformat(value))
        elif name in _DETAIL_CHOICES and isinstance(value, str):
            params[name] = choice_ref(_DETAIL_CHOICES[name], value)
        elif kind == "category_changed" and name in ("to", "was"):
            params[name] = choice_ref("category", value)
        elif kind == "relapsed" and name == "reason":
            params[name] = choice_ref("relapse", value)
        elif kind == "severity_raised" and name == "to":
            params[name] = choice_ref("severity", value)
        elif isinstance(value, str | int):
            params[name] = value
    if kind in ("resolution_proposed", "closed"):
        params["details"] = crisis_flow.resolution_details(
            detail.get("remedy") or None, detail.get("note") or None
        )
    return params


async def _open(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    if not args:
        raise InvalidInput("usage.open")
    url = args[0].strip("<>").split("|", 1)[0]
    try:
        check_url(url)
    except ValueError:
        raise InvalidInput("usage.open") from None
    if len(url) > 2048:
        raise InvalidInput("usage.open")
    text = call.text.split(None, 2)[2] if len(args) > 1 else ""
    alert = parse_alert(
        {
            # A person reporting the same post twice is a duplicate, like a tool doing so.
            "id": "manual:" + post_key(url)[:190],
            "source": guess_source(url).value,
            "url": url,
            "text": text.strip()[:40_000] or url,
        }
    )
    result = await ingest(ctx, alert, call.actor)
    key = {
        IntakeStatus.opened: "intake.opened",
        IntakeStatus.grouped: "intake.grouped",
        IntakeStatus.duplicate: "intake.duplicate",
        IntakeStatus.reopened: "intake.reopened",
    }[result.status]
    return CommandReply([Message(key, {"n": result.crisis})])


async def _roster(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    action = args[0].lower() if args else "show"
    if action == "show" and len(args) <= 1:
        async with ctx.db.sessions() as session:
            members = await roster.active_members(session)
            load = await roster.open_crisis_counts(session)
        if not members:
            return CommandReply(
                [Message("roster.empty", {"command": code_ref("/crisis roster add @person lead")})]
            )
        return CommandReply(
            [Message("roster.header", {"count": len(members)})]
            + [
                Message(
                    "roster.line",
                    {"member": member_ref(m.id), "level": m.level, "open": load.get(m.id, 0)},
                )
                for m in members
            ],
            members={m.id: m for m in members},
        )
    if action == "add" and len(args) == 3:
        person = call.parse_person(args[1])
        if person is None:
            raise InvalidInput("usage.roster")
        level = roster.parse_level(args[2])
        async with ctx.db.transaction() as session:
            message = await roster.add(session, call.actor, person, level, ctx.clock.now())
        return CommandReply([message])
    if action == "remove" and len(args) == 2:
        person = call.parse_person(args[1])
        if person is None:
            raise InvalidInput("usage.roster")
        async with ctx.db.transaction() as session:
            message = await roster.remove(session, call.actor, person)
        return CommandReply([message])
    raise InvalidInput("usage.roster")


def _number_and_rest(call: Invocation, args: list[str], command: str) -> tuple[int, str]:
    """`<n> [free text]`: the number, and the rest of the text as the person typed it."""
    if not args:
        raise InvalidInput(f"usage.{command}")
    number = parse_number(args[0], command)
    parts = call.text.split(None, 2)
    return number, parts[2] if len(parts) > 2 else ""


def _number_only(args: list[str], command: str) -> int:
    if len(args) != 1:
        raise InvalidInput(f"usage.{command}")
    return parse_number(args[0], command)


async def _ack(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    return CommandReply([await crisis_flow.acknowledge(ctx, _number_only(args, "ack"), call.actor)])


async def _assign(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    if len(args) != 2:
        raise InvalidInput("usage.assign")
    number = parse_number(args[0], "assign")
    person = call.parse_person(args[1])
    if person is None:
        raise InvalidInput("usage.assign")
    return CommandReply([await crisis_flow.reassign(ctx, number, call.actor, person)])


async def _resolve(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    number, note = _number_and_rest(call, args, "resolve")
    message = await crisis_flow.propose_resolution(ctx, number, call.actor, None, note)
    return CommandReply([message])


async def _confirm(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    number, note = _number_and_rest(call, args, "confirm")
    return CommandReply([await crisis_flow.confirm(ctx, number, call.actor, note)])


async def _reopen(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    return CommandReply([await crisis_flow.reopen(ctx, _number_only(args, "reopen"), call.actor)])


async def _snooze(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    if len(args) != 2:
        raise InvalidInput("usage.snooze")
    number = parse_number(args[0], "snooze")
    try:
        until = ctx.clock.now() + parse_duration(args[1])
    except (ValueError, OverflowError):
        raise InvalidInput("error.bad_snooze") from None
    return CommandReply([await crisis_flow.snooze(ctx, number, call.actor, until)])


async def _stats(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    """`stats [7d|30d|90d|all] [brand]`: the period defaults to 30 days, the brand to all."""
    period = "30d"
    if args and args[0].lower() in stats.PERIODS:
        period, args = args[0].lower(), args[1:]
    brand = " ".join(args) or None
    if brand is not None and len(brand) > 200:
        raise InvalidInput("usage.stats")
    async with ctx.db.sessions() as session:
        if brand is not None and not await stats.brand_known(session, brand):
            raise InvalidInput("usage.stats")
        now = ctx.clock.now()
        scope = stats.scope_for(period, brand, now)
        figures = await stats.compute(session, scope, ctx.settings.ack_timeout, now)
        return await _with_members(
            session, _stats_lines(figures, period, brand, ctx.settings.ack_timeout)
        )


def _stats_lines(
    figures: stats.Stats, period: str, brand: str | None, ack_timeout: timedelta
) -> list[Message]:
    def spread(value: float | None) -> object:
        return duration_ref(value if value is not None else -1)

    header = {"period": choice_ref("period", period), "total": figures.total}
    lines = [
        Message("stats.header_brand", {**header, "brand": brand})
        if brand
        else Message("stats.header", header),
        Message(
            "stats.by_status",
            {
                "open": figures.by_status.get(CrisisStatus.open.value, 0),
                "acknowledged": figures.by_status.get(CrisisStatus.acknowledged.value, 0),
                "awaiting": figures.by_status.get(CrisisStatus.awaiting_confirmation.value, 0),
                "closed": figures.by_status.get(CrisisStatus.closed.value, 0),
            },
        ),
        Message(
            "stats.by_severity",
            {level.value: figures.by_severity.get(level.value, 0) for level in Severity},
        ),
    ]
    for category, count in sorted(figures.by_category.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(
            Message(
                "stats.category", {"category": choice_ref("category", category), "count": count}
            )
        )
    share = figures.acked_in_time_share
    lines += [
        Message(
            "stats.to_ack",
            {"median": spread(figures.to_ack.median), "p90": spread(figures.to_ack.p90)},
        ),
        Message(
            "stats.to_confirm",
            {"median": spread(figures.to_confirm.median), "p90": spread(figures.to_confirm.p90)},
        ),
        Message(
            "stats.in_time",
            {
                "timeout": duration_ref(ack_timeout.total_seconds()),
                "share": f"{share:.0%}" if share is not None else "—",
                "in_time": figures.acked_in_time,
                "measured": figures.ack_measured,
            },
        ),
        Message("stats.escalations", {"count": figures.escalations}),
    ]
    if figures.owners:
        lines.append(Message("stats.owners_header"))
        lines += [
            Message(
                "stats.owner",
                {
                    "member": member_ref(owner.member_id),
                    "count": count_ref("count.crisis", owner.crises),
                    "to_ack": spread(owner.median_to_ack),
                    "open": owner.open_now,
                },
            )
            for owner in figures.owners
        ]
    return lines


async def _export(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    """`export <n>`: the crisis's timeline as a CSV file in its thread, on the platform asked."""
    number = _number_only(args, "export")
    platforms = tuple(p for p in ctx.platforms if p == call.actor.platform)
    async with ctx.db.transaction() as session:
        await crises.get(session, number)
        outbox.enqueue(session, platforms, number, outbox.TIMELINE_CSV, ctx.clock.now())
    ctx.on_outbox()
    return CommandReply([Message("export.on_its_way", {"n": number})])


async def _channel(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    """`channel` lists brands with their own channel; `channel <brand> <#channel>` sets one;
    `channel <brand> default` sends the brand back to CRISIS_CHANNEL."""
    if not args:
        async with ctx.db.sessions() as session:
            rows = await brand_channels.mapped(session, call.actor.platform)
        configured = brand_channels.configured(ctx.settings)
        lines = [Message("channel.header")]
        for brand, channel in sorted({**configured, **dict(rows)}.items()):
            lines.append(Message("channel.line", {"brand": brand, "channel": {"channel": channel}}))
        if len(lines) == 1:
            lines = [
                Message("channel.none", {"command": code_ref("/crisis channel <brand> #channel")})
            ]
        return CommandReply(lines)
    if len(args) < 2:
        raise InvalidInput("usage.channel")
    brand = " ".join(args[:-1])
    if len(brand) > 200:
        raise InvalidInput("usage.channel")
    place = None if args[-1].lower() == "default" else call.parse_channel(args[-1])
    if place is None and args[-1].lower() != "default":
        raise InvalidInput("usage.channel")
    async with ctx.db.transaction() as session:
        await roster.check_may_edit(session, call.actor)
        await brand_channels.set_channel(
            session, brand, call.actor.platform, place.channel if place else None
        )
    if place is None:
        return CommandReply([Message("channel.reset", {"brand": brand})])
    return CommandReply(
        [Message("channel.set", {"brand": brand, "channel": {"channel": place.channel}})]
    )


async def _link(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    """`link` gives a one-time code; `link <code>` on another platform joins the two."""
    if len(args) > 1:
        raise InvalidInput("usage.link")
    async with ctx.db.transaction() as session:
        if not args:
            return CommandReply([await links.new_code(session, call.actor, ctx.clock.now())])
        return CommandReply([await links.use_code(session, call.actor, args[0], ctx.clock.now())])


async def _sources(ctx: CoreContext, call: Invocation, args: list[str]) -> CommandReply:
    """Each native source: configured or not, last delivery, today's items, last error."""
    if args:
        raise InvalidInput("usage.sources")
    async with ctx.db.sessions() as session:
        found = await source_status.statuses(session, ctx.settings, ctx.clock.now())
    lines = [Message("sources.header")]
    for status in found:
        lines.append(
            Message(
                "sources.line",
                {
                    "source": status.feed,
                    "configured": choice_ref("source_configured", str(status.configured).lower()),
                    "last": time_ref(status.last_delivery)
                    if status.last_delivery
                    else choice_ref("source_delivery", "never"),
                    **status.today,
                },
            )
        )
        if status.last_error:
            lines.append(Message("sources.last_error", {"error": status.last_error}))
        if status.unmapped:
            lines.append(Message("sources.unmapped", {"ids": ", ".join(status.unmapped)}))
    return CommandReply(lines)


_HANDLERS: dict[str, Handler] = {
    "help": _help,
    "list": _list,
    "status": _status,
    "open": _open,
    "roster": _roster,
    "ack": _ack,
    "assign": _assign,
    "resolve": _resolve,
    "confirm": _confirm,
    "reopen": _reopen,
    "snooze": _snooze,
    "stats": _stats,
    "export": _export,
    "channel": _channel,
    "link": _link,
    "sources": _sources,
}
