"""`crisisbot import`: Brand24's CSV and XLSX exports through the inbox, bad rows reported by
line, a second import of the same file adding nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from bot import cli
from bot.clock import SystemClock
from bot.context import CoreContext
from bot.inbox import Inbox
from handlers.sources.fetched import register_feeds
from models import InboxDelivery, InboxItem
from models.session import Database
from tests.conftest import make_settings
from tests.sources import DATA

CSV = DATA / "brand24_export.csv"


@pytest.fixture(autouse=True)
def keep_the_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command configures logging onto the streams CliRunner lends it and closes after.
    monkeypatch.setattr(cli, "configure", lambda level: None)


async def crisisbot_import(database_url: str, *args: str) -> tuple[int, str, str]:
    """The command as a person runs it (in a thread: it runs its own event loop)."""
    env = {"DATABASE_URL": database_url, "SANDBOX": "false"}
    result = await asyncio.to_thread(CliRunner().invoke, cli.app, ["import", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


async def process_inbox(database_url: str) -> list[InboxItem]:
    db = Database(database_url)
    try:
        ctx = CoreContext(
            db=db,
            settings=make_settings(database_url=database_url),
            clock=SystemClock(),
            platforms=("slack",),
        )
        inbox = Inbox(ctx)
        register_feeds(inbox)
        await inbox.drain()
        async with db.sessions() as session:
            return list((await session.scalars(select(InboxItem).order_by(InboxItem.id))).all())
    finally:
        await db.dispose()


async def test_a_brand24_csv_is_imported_once_and_its_bad_rows_named_by_line(
    database_url: str,
) -> None:
    code, out, err = await crisisbot_import(
        database_url, str(CSV), "--source", "brand24", "--brand", "Sklep"
    )
    assert code == 1
    assert out.strip() == "5 rows: 3 imported, 0 already imported, 2 refused"
    assert err.splitlines()[-2:] == [
        "line 6: a mention with neither a source link nor a host",
        "line 7: a mention whose link is neither a web address nor a Tweet-ID",
    ]
    items = await process_inbox(database_url)
    assert [(i.feed, i.source) for i in items] == [
        ("import", "facebook"),
        ("import", "instagram"),
        ("import", "forum"),
    ]
    assert [i.outcome for i in items[:2]] == ["opened", "not_negative"]
    assert items[2].outcome in ("opened", "grouped")
    first = items[0].data["alert"]
    assert first["author"] == {"name": "Anna Kowalska", "followers": 2300}
    assert (first["reach"], first["brand"], first["sentiment"]) == (12000, "Sklep", -1.0)
    assert first["created_at"] == "2026-11-23T08:15:00+00:00"
    assert "Reklamacja odrzucona bez powodu,\nnigdy więcej" in items[2].data["alert"]["text"]

    code, out, _ = await crisisbot_import(
        database_url, str(CSV), "--source", "brand24", "--brand", "Sklep"
    )
    assert out.strip() == "5 rows: 0 imported, 3 already imported, 2 refused"
    db = Database(database_url)
    async with db.sessions() as session:
        assert len((await session.scalars(select(InboxDelivery))).all()) == 1
    await db.dispose()


async def test_an_xlsx_export_is_read_and_an_unreadable_file_imports_nothing(
    database_url: str, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # Brand24's XLSX export, as public importers read it: an empty first row, then the header.
    sheet.append([])
    sheet.append(["Date", "Hrs", "Content", "Url", "Sentiment", "Author", "Followers", "Reach"])
    sheet.append(
        [
            "2026-11-23",
            "09:00:00",
            "Oszustwo, nie polecam!",
            "https://x.com/a/status/1",
            -1,
            "Adam",
            5000,
            20000,
        ]
    )
    sheet.append(["2026-11-23", "09:05:00", "Bez linku", None, -1, "Ola", None, None])
    path = tmp_path / "export.xlsx"
    book.save(path)
    code, out, err = await crisisbot_import(
        database_url, str(path), "--source", "brand24", "--brand", "Sklep"
    )
    assert (code, out.strip()) == (1, "2 rows: 1 imported, 0 already imported, 1 refused")
    assert "line 4: a mention with neither a source link nor a host" in err
    [item] = await process_inbox(database_url)
    assert (item.source, item.outcome) == ("x", "opened")
    assert item.data["alert"]["author"] == {"name": "Adam", "followers": 5000}
    assert item.data["alert"]["created_at"] == "2026-11-23T09:00:00+00:00"  # Date + Hrs

    not_an_export = tmp_path / "notes.csv"
    not_an_export.write_text("name,phone\nAnna,123\n")
    code, _, err = await crisisbot_import(
        database_url, str(not_an_export), "--source", "brand24", "--brand", "Sklep"
    )
    assert code == 2
    assert "nothing imported" in err and "rows names a Url or Host column" in err
    code, _, err = await crisisbot_import(
        database_url, str(path), "--source", "hootsuite", "--brand", "Sklep"
    )
    assert code == 2 and "--source hootsuite: one of brand24" in err
