"""The `crisisbot` command: `serve`, `db upgrade`."""

from __future__ import annotations

import asyncio

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
    from bot.app import PortInUse
    from bot.app import serve as run_server

    settings = _settings()
    configure(settings.log_level)
    try:
        asyncio.run(run_server(settings))
    except PortInUse as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
