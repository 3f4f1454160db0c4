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
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 5600, or 5666 with --testing).")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Directory for the database and state.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL: sqlite:///file.db or postgresql://user@host/db.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings file.")] = None,
    log_level: Annotated[Optional[str], typer.Option("--log-level", help="debug, info, warning or error.")] = None,
    no_watchers: Annotated[bool, typer.Option("--no-watchers", help="Do not record this desktop's window and AFK activity.")] = False,
) -> None:
    """Start the server (ActivityWatch API on /api/0, API browser on /api/).

    It also records this desktop's active window and AFK state (X11), as
    'hourwise watch' does, unless --no-watchers is given or there is no display.
    """
    import uvicorn
    from pydantic import ValidationError

    from hourwise.api.http_protocol import CoalescingHttpToolsProtocol
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
    from hourwise.logs import configure as configure_logging
    from hourwise.memory import return_large_frees_to_os

    configure_logging(settings.log_level)
    return_large_frees_to_os()  # a query's large arrays go back to the system when freed
    from hourwise.app import StartupRefused

    try:
        app = create_app(settings)
    except StartupRefused as exc:
        typer.echo(f"hourwise: {exc}", err=True)
        raise typer.Exit(2) from None
    where = settings.database_url.split("@")[-1]
    typer.echo(
        f"Hourwise {__version__} on http://{settings.host}:{settings.effective_port} "
        f"({'testing, ' if settings.testing else ''}database {where})"
    )
    server = uvicorn.Server(uvicorn.Config(
        app,
        host=settings.host,
        port=settings.effective_port,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level.lower() == "debug",
        timeout_graceful_shutdown=5,
        # X-Forwarded-For matters only behind a reverse proxy (server mode); locally it
        # is one more layer on every request.
        proxy_headers=settings.server_mode,
        # one socket write per response instead of two, and plain local heartbeats
        # answered without the ASGI app (see api/http_protocol.py and api/inline.py)
        http=CoalescingHttpToolsProtocol.with_inline(app.state.inline_heartbeats),
    ))
    if no_watchers:
        server.run()
    else:
        from hourwise.watchers.runner import serve_with_watchers

        serve_with_watchers(server, settings)
    if not server.started:
        raise typer.Exit(3)


@cli.command()
def watch(
    server: Annotated[Optional[str], typer.Option(help="Server URL (default http://127.0.0.1:5600, or :5666 with --testing).")] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", envvar="HOURWISE_WATCH_API_KEY", help="Sent as 'Authorization: Bearer <key>'.")] = None,
    testing: Annotated[bool, typer.Option("--testing", help="Record to a testing server (port 5666).")] = False,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Where heartbeats wait while the server is unreachable.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings file (for the port and data directory).")] = None,
    window: Annotated[bool, typer.Option("--window/--no-window", help="Record the active window.")] = True,
    afk: Annotated[bool, typer.Option("--afk/--no-afk", help="Record AFK (away from keyboard) state.")] = True,
    poll: Annotated[float, typer.Option(min=0.05, help="Seconds between two looks at the active window.")] = 1.0,
    afk_poll: Annotated[float, typer.Option("--afk-poll", min=0.05, help="Seconds between two looks at the idle time.")] = 5.0,
    afk_timeout: Annotated[float, typer.Option("--afk-timeout", min=0.1, envvar="HOURWISE_WATCH_AFK_TIMEOUT", help="Seconds without input after which you are AFK.")] = 180.0,
    commit_interval: Annotated[Optional[float], typer.Option("--commit-interval", min=0.0, help="Seconds of merged heartbeats sent at once (default 10, or 5 with --testing).")] = None,
    x11: Annotated[bool, typer.Option("--x11", help="On Wayland, record the X11 (XWayland) apps anyway.")] = False,
    log_level: Annotated[Optional[str], typer.Option("--log-level", help="debug, info, warning or error.")] = None,
) -> None:
    """Record the active window and AFK state (Linux, X11) into a server."""
    import signal
    import threading

    from hourwise.settings import load_settings
    from hourwise.watchers.runner import CannotWatch, WatcherSet, WatchOptions
    from hourwise.watchers.session import detect_session, unavailable_reason

    settings = load_settings(config, testing=testing or None, data_dir=data_dir, log_level=log_level)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    reason = unavailable_reason(detect_session(), allow_xwayland=x11)
    if reason is not None:
        typer.echo(f"hourwise watch: not recording: {reason}", err=True)
        raise typer.Exit(2)
    url = server or f"http://127.0.0.1:{settings.effective_port}"
    watchers = WatcherSet(WatchOptions(
        server_url=url, data_dir=settings.effective_data_dir, api_key=api_key, window=window,
        afk=afk, poll=poll, afk_poll=afk_poll, afk_timeout=afk_timeout,
        commit_interval=commit_interval if commit_interval is not None else (5.0 if settings.testing else 10.0),
        hostname=settings.hostname or "",
    ))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        watchers.start()
    except CannotWatch as exc:
        typer.echo(f"hourwise watch: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Recording {' and '.join(n for n, on in (('windows', window), ('AFK state', afk)) if on) or 'nothing'} to {url}")
    while not stop.wait(1.0):
        pass
    watchers.stop(deliver_for=3.0)


from hourwise.cli_accounts import key_cli, oauth_cli, user_cli  # noqa: E402

cli.add_typer(user_cli, name="user")
cli.add_typer(key_cli, name="key")
cli.add_typer(oauth_cli, name="oauth-client")
from hourwise.cli_schedules import schedule_cli  # noqa: E402

cli.add_typer(schedule_cli, name="schedule")


def main() -> None:
    cli()
