"""`/crisis link`: joining a person's Slack and Teams identities, refusals changing nothing."""

from __future__ import annotations

from datetime import timedelta

from bot import commands
from bot.actors import Actor
from bot.clock import FixedClock
from bot.context import CoreContext
from models import LinkCode, MemberIdentity
from tests.helpers import count, slack_user

TEAMS_ANNA = Actor("teams", "aad-anna", "Anna")


def person(token: str) -> Actor | None:
    return slack_user(token.strip("@")) if token.startswith("@U") else None


async def run(ctx: CoreContext, actor: Actor, text: str) -> str:
    reply = await commands.run(ctx, actor, text, person, lambda _: None)
    return " ".join(m.key for m in reply.messages)


async def code_for(ctx: CoreContext, actor: Actor) -> str:
    reply = await commands.run(ctx, actor, "link", person, lambda _: None)
    return str(reply.messages[0].params["command"]["code"]).split()[-1]


async def test_neither_on_the_roster_is_refused(ctx: CoreContext) -> None:
    code = await code_for(ctx, slack_user("UANNA"))
    assert await run(ctx, TEAMS_ANNA, f"link {code}") == "error.link_not_on_roster"
    assert await count(ctx.db, MemberIdentity) == 0
    # Refused, not used up: it works once someone is on the roster.
    await run(ctx, slack_user("UANNA"), "roster add @UANNA senior")
    assert await run(ctx, TEAMS_ANNA, f"link {code.lower()}") == "link.done"
    assert await count(ctx.db, MemberIdentity) == 2
    assert await count(ctx.db, LinkCode) == 0


async def test_the_teams_side_may_be_the_one_on_the_roster(ctx: CoreContext) -> None:
    await run(ctx, TEAMS_ANNA, "roster add @UBOSS lead")
    code = await code_for(ctx, slack_user("UBOSS"))
    boss_on_teams = Actor("teams", "aad-boss")
    # Bob is on the roster through Slack; his Teams account joins him.
    assert await run(ctx, boss_on_teams, f"link {code}") == "link.done"
    assert await run(ctx, boss_on_teams, "roster add @UANNA senior") == "roster.added"


async def test_two_roster_members_are_not_merged(ctx: CoreContext) -> None:
    await run(ctx, slack_user("UBOSS"), "roster add @UBOSS lead")
    await run(ctx, slack_user("UBOSS"), "roster add @UANNA senior")
    await run(ctx, slack_user("UBOSS"), "roster add @UCARL senior")
    code = await code_for(ctx, slack_user("UANNA"))
    code_carl = await code_for(ctx, slack_user("UCARL"))
    assert await run(ctx, TEAMS_ANNA, f"link {code}") == "link.done"
    # Teams Anna now is Anna: Carl's code would merge two people into one.
    assert await run(ctx, TEAMS_ANNA, f"link {code_carl}") == "error.link_both_on_roster"
    assert await run(ctx, TEAMS_ANNA, "link") == "link.code"
    assert await run(ctx, TEAMS_ANNA, "link a b") == "usage.link"


async def test_an_expired_code_is_refused(ctx: CoreContext, clock: FixedClock) -> None:
    await run(ctx, slack_user("UANNA"), "roster add @UANNA senior")
    code = await code_for(ctx, slack_user("UANNA"))
    clock.advance(timedelta(minutes=16))
    assert await run(ctx, TEAMS_ANNA, f"link {code}") == "error.link_code"
    assert await count(ctx.db, MemberIdentity) == 1
