"""Where the missed targets go: the real server, run under pyinstrument, through one
benchmark's load; writes the hottest frames and the call tree to bench/profiles/<name>.txt.

    python -m bench.profile intake      new-crisis alerts, one per request, 32 senders
    python -m bench.profile comments    comments joining one crisis, one per request, 32 senders
    python -m bench.profile ack         slash commands and clicks from 50 senders
    python -m bench.profile reminders   a restart with 2,000 reminders overdue
    python -m bench.profile meta        one Meta delivery of 1,000 changes through the inbox
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from bench import ack, intake, meta, reminders
from bench.fake import RateLimitedSlack
from bench.server import Server, fresh_database
from bot.migrations import upgrade_to_head
from models.session import Database

OUT = Path(__file__).resolve().parent / "profiles"
_TOP = 40


async def _intake(server: Server, fake: RateLimitedSlack, db: Database, ids: list[int]) -> None:
    await intake.measure(server.url, "new crises", intake.Shape(32, 1), 15.0)


async def _comments(server: Server, fake: RateLimitedSlack, db: Database, ids: list[int]) -> None:
    await intake.measure(server.url, "grouped comments", intake.Shape(32, 1), 15.0)


async def _ack(server: Server, fake: RateLimitedSlack, db: Database, ids: list[int]) -> None:
    await ack.run(server.url, fake, senders=50, per_sender=20)


async def _reminders(server: Server, fake: RateLimitedSlack, db: Database, ids: list[int]) -> None:
    now = datetime.now(UTC)
    await reminders.watch(server, db, ids, now, now, time.monotonic() + 60)


async def _meta(server: Server, fake: RateLimitedSlack, db: Database, ids: list[int]) -> None:
    await meta.send(server, meta.CHANGES)


SCENARIOS = {
    "intake": _intake,
    "comments": _comments,
    "ack": _ack,
    "reminders": _reminders,
    "meta": _meta,
}
OVERDUE = 2000


async def profile(name: str, backend: str, workdir: Path) -> Path:
    session_path = workdir / "profile.pyisession"
    url = await fresh_database(backend, workdir, "profile")
    database = Database(url)
    try:
        await upgrade_to_head(database)
        async with RateLimitedSlack() as fake:
            ids: list[int] = []
            if name == "reminders":
                now = datetime.now(UTC)
                ids = await reminders.seed(
                    database, fake, OVERDUE, now - timedelta(minutes=10), timedelta(minutes=9), now
                )
            env = meta.ENV if name == "meta" else {}
            server = Server.crisisbot(url, fake.base_url, workdir, **env)
            server.command = [
                sys.executable,
                "-m",
                "pyinstrument",
                "-r",
                "pyisession",
                "-o",
                str(session_path),
                "-m",
                "bot.cli",
                "serve",
            ]
            async with server:
                await SCENARIOS[name](server, fake, database, ids)
    finally:
        await database.dispose()
    session = Session.load(session_path)
    flat = ConsoleRenderer(flat=True, unicode=False, color=False).render(session)
    tree = ConsoleRenderer(unicode=False, color=False, time="percent_of_total").render(session)
    OUT.mkdir(exist_ok=True)
    out = OUT / f"{name}-{backend}.txt"
    top = "\n".join(flat.splitlines()[: _TOP + 8])
    out.write_text(
        f"# {name} on {backend}: hottest frames (self time)\n\n{top}\n\n# call tree\n\n{tree}"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crisisbot-profile-") as workdir:
        out = asyncio.run(profile(args.scenario, args.database, Path(workdir)))
    print(out.read_text()[:6000])
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
