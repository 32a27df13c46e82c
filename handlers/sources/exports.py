"""`crisisbot import <file> --source brand24 --brand <b>`: a listening tool's export (CSV or
XLSX) through the same inbox as its API.

Each row is checked as the inbox will check it; a bad row is reported with its line and
reason and left out, the good ones are stored in the inbox in pages (the running bot takes
them from there). Rows the inbox already holds (an earlier import, or the poller) are left
out, so importing a file twice adds nothing. Exports carry what the API lacks: author,
followers and reach.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import inbox as inbox_store
from bot.alert_input import AlertInvalid, parse_alert
from bot.context import CoreContext
from bot.settings import Settings
from bot.source_items import ItemError, SourceItem
from bot.source_polls import Parser, item_key, leave_out_known
from handlers.sources import brand24

FEED = "import"
SOURCES = ("brand24",)
_PAGE = 500
_HEADER_SEARCH = 5
# Our field -> the column names exports use for it (compared case-insensitively).
_COLUMNS = {
    "date": ("date", "data", "published", "created"),
    "time": ("time", "hour", "hrs", "godzina"),
    "title": ("title", "tytuł"),
    "content": ("content", "text", "mention", "treść", "tresc"),
    "source": ("url", "link", "source", "source url", "źródło"),
    "host": ("host", "domain", "domena"),
    "category": ("category", "source type", "kategoria"),
    "sentiment": ("sentiment", "sentyment"),
    "author": ("author", "autor", "author name"),
    "followers": ("followers", "author followers", "obserwujący", "followers count"),
    "reach": ("reach", "estimated reach", "zasięg"),
    "language": ("language", "lang", "język"),
}


class ExportUnreadable(Exception):
    """The file cannot be read as an export at all (nothing is imported)."""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    known: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def parse(payload: Any, settings: Settings) -> list[SourceItem | ItemError]:
    """A stored page of an import: `{"source", "brand", "results": [row, …]}`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        return [ItemError("an import page is a JSON object with a results list", payload)]
    if payload.get("source") != "brand24":
        return [ItemError(f"an import from an unknown tool {payload.get('source')!r}", None)]
    brand = payload.get("brand") if isinstance(payload.get("brand"), str) else None
    return [brand24.mention(row, brand, FEED) for row in payload["results"]]


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, row by our field names) for each row of a CSV or XLSX export."""
    if not path.is_file():
        raise ExportUnreadable(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        yield from _csv_rows(path)
    else:
        raise ExportUnreadable(f"{path}: not a .csv or .xlsx file")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExportUnreadable(f"{path}: not UTF-8 text") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        line = 1
        for values in reader:
            yield line, values
            line = reader.line_num + 1

    yield from _rows(numbered(), path)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import openpyxl  # the XLSX reader is only loaded for an XLSX import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ExportUnreadable(
            f"{path}: not a readable XLSX file ({exc.__class__.__name__})"
        ) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        yield from _rows(((line, list(values)) for line, values in enumerate(rows, 1)), path)
    finally:
        book.close()


def _rows(
    lines: Iterator[tuple[int, list[Any]]], path: Path
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows after the header: the first row naming a Url or Host column, among the first
    few (Brand24's XLSX export, as public importers read it, starts with an empty row)."""
    columns: dict[int, str] | None = None
    for seen, (line, values) in enumerate(lines, 1):
        if columns is None:
            columns = _columns([str(v) if v is not None else "" for v in values])
            if columns is None and seen >= _HEADER_SEARCH:
                break
            continue
        if any(value not in (None, "") and str(value).strip() for value in values):
            yield line, _row(columns, values)
    if columns is None:
        raise ExportUnreadable(
            f"{path}: none of the first {_HEADER_SEARCH} rows names a Url or Host column "
            "(is it a Brand24 export?)"
        )


def _columns(header: list[str]) -> dict[int, str] | None:
    """Our field of each column this header names; None unless it names a Url or Host."""
    names = {alias: ours for ours, aliases in _COLUMNS.items() for alias in aliases}
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        ours = names.get(title.strip().lower())
        if ours is not None and ours not in columns.values():
            columns[index] = ours
    if "source" not in columns.values() and "host" not in columns.values():
        return None
    return columns


def _row(columns: dict[int, str], values: list[Any]) -> dict[str, Any]:
    return {
        ours: values[index]
        for index, ours in columns.items()
        if index < len(values) and values[index] not in (None, "")
    }


def check(row: dict[str, Any], brand: str) -> SourceItem | str:
    """The row as an item, or why it is refused (as the inbox would refuse it)."""
    result = brand24.mention(_json_safe(row), brand, FEED)
    if isinstance(result, ItemError):
        return result.reason
    try:
        parse_alert(result.alert)
    except AlertInvalid as invalid:
        return invalid.error
    return result


def _json_safe(row: dict[str, Any]) -> dict[str, Any]:
    """XLSX cells come as dates and numbers; stored pages are JSON."""
    return json.loads(json.dumps(row, default=str))


async def import_file(
    ctx: CoreContext, path: Path, source: str, brand: str, parsers: dict[str, Parser]
) -> ImportReport:
    """Store the file's good, new rows in the inbox; report the bad ones by line."""
    if source not in SOURCES:
        raise ExportUnreadable(f"--source {source}: one of {', '.join(SOURCES)}")
    report = ImportReport()
    good: list[dict[str, Any]] = []
    for line, row in read_rows(path):
        report.rows += 1
        checked = check(row, brand)
        if isinstance(checked, str):
            report.refused.append((line, checked))
        else:
            good.append(_json_safe(row))
    for start in range(0, len(good), _PAGE):
        page = good[start : start + _PAGE]
        async with ctx.db.transaction() as session:
            keyed = [
                (
                    row,
                    item_key(
                        parse({"source": source, "brand": brand, "results": [row]}, ctx.settings)
                    ),
                )
                for row in page
            ]
            fresh = await leave_out_known(session, keyed, parsers, ctx.settings)
            if fresh:
                body = {"source": source, "brand": brand, "file": path.name, "results": fresh}
                inbox_store.store(session, FEED, json.dumps(body), ctx.clock.now())
        report.imported += len(fresh)
        report.known += len(page) - len(fresh)
    return report
