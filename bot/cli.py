"""The `crisisbot` command: `serve`, `db upgrade`, `import`."""

from __future__ import annotations

import asyncio
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
    from bot.app import serve as run_server

    settings = _settings()
    configure(settings.log_level)
    asyncio.run(run_server(settings))


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
