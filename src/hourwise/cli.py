"""The ``hourwise`` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from hourwise import __version__

cli = typer.Typer(
    name="hourwise",
    help="Hourwise: self-hosted time tracking that speaks the ActivityWatch API.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hourwise {__version__}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


@cli.command()
def serve(
    testing: Annotated[bool, typer.Option("--testing", help="Port 5666 and a separate testing database.")] = False,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on [default: 127.0.0.1].")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port [default: 5600, or 5666 with --testing].")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Directory for the database and state.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL: sqlite:///file.db or postgresql://user@host/db.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings file.")] = None,
    log_level: Annotated[Optional[str], typer.Option("--log-level", help="debug, info, warning or error.")] = None,
) -> None:
    """Start the server (ActivityWatch API on /api/0, API browser on /api/)."""
    import uvicorn
    from pydantic import ValidationError

    from hourwise.app import create_app
    from hourwise.settings import load_settings

    try:
        settings = load_settings(
            config, testing=testing or None, host=host, port=port, data_dir=data_dir, db=db,
            log_level=log_level,
        )
    except ValidationError as exc:
        typer.echo(f"hourwise: invalid settings: {exc}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(settings)
    where = settings.database_url.split("@")[-1]
    typer.echo(
        f"Hourwise {__version__} on http://{settings.host}:{settings.effective_port} "
        f"({'testing, ' if settings.testing else ''}database {where})"
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.effective_port,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level.lower() == "debug",
        timeout_graceful_shutdown=5,
    )


def main() -> None:
    cli()
