"""The `crisisbot` command: `serve`, `db upgrade`, `export`, `import`."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from bot.log import configure
from bot.settings import Settings

app = typer.Typer(help="crisisbot: run a social-media crisis response from Slack and Teams.")
db_app = typer.Typer(help="Database schema.")
app.add_typer(db_app, name="db")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = ".".join(str(p) for p in error["loc"]).upper()
            typer.echo(f"configuration error: {name}: {error['msg']}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve() -> None:
    """Migrate the database to the newest schema, then serve every route."""
    # Loading and starting the bot makes about 190,000 objects and next to no garbage
    # (2,300), yet the collections those allocations trigger walk every object made so far:
    # 0.1-0.2 s of a restart, while reminders that fell due during the restart wait. The
    # collector is off until the bot is up (bot.app.serve turns it back on then).
    gc.disable()
    try:
        from bot.app import PortInUse
        from bot.app import serve as run_server

        settings = _settings()
        configure(settings.log_level)
        try:
            asyncio.run(run_server(settings))
        except PortInUse as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    finally:
        gc.enable()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (safe to run from several replicas)."""
    from bot.migrations import upgrade_to_head
    from models.session import Database

    settings = _settings()
    configure(settings.log_level)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            await upgrade_to_head(database)
        finally:
            await database.dispose()

    asyncio.run(run())
    typer.echo("database is at the newest schema")


@app.command("export")
def export_crises(
    since: str = typer.Option(..., help="the first day, YYYY-MM-DD (in TIMEZONE)"),
    until: str | None = typer.Option(None, help="the last day, YYYY-MM-DD (default: today)"),
    fmt: str = typer.Option("csv", "--format", help="csv or json"),
) -> None:
    """One row per crisis opened in the range, with its figures, to stdout."""
    from datetime import UTC, datetime

    from bot import export
    from models.session import Database

    if fmt not in export.FORMATS:
        typer.echo(f"--format must be one of: {', '.join(export.FORMATS)}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    try:
        days = export.day_range(since, until, settings.zone, datetime.now(UTC))
    except export.BadRange as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None

    async def run() -> str:
        database = Database(settings.database_url)
        try:
            async with database.sessions() as session:
                return export.render(await export.rows(session, days), fmt)
        finally:
            await database.dispose()

    typer.echo(asyncio.run(run()), nl=False)


@app.command("import")
def import_export(
    file: Annotated[Path, typer.Argument(help="The export: .csv or .xlsx")],
    source: Annotated[str, typer.Option("--source", help="The tool that made it: brand24")],
    brand: Annotated[str, typer.Option("--brand", help="The brand its mentions are about")],
) -> None:
    """Take a listening tool's export into the inbox: bad rows are listed with their line,
    good ones imported once (the running bot processes them)."""
    from bot.app import ExportUnreadable, import_export

    settings = _settings()
    configure(settings.log_level)
    if not brand.strip():
        typer.echo("--brand: a brand name is required", err=True)
        raise typer.Exit(2)
    try:
        report = asyncio.run(import_export(settings, file, source, brand.strip()))
    except ExportUnreadable as unreadable:
        typer.echo(f"nothing imported: {unreadable}", err=True)
        raise typer.Exit(2) from None
    for line, reason in report.refused:
        typer.echo(f"line {line}: {reason}", err=True)
    typer.echo(
        f"{report.rows} rows: {report.imported} imported, {report.known} already imported, "
        f"{len(report.refused)} refused"
    )
    if report.refused:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
