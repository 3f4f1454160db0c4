"""``hourwise user ...`` and ``hourwise key ...``: accounts and API keys, on the database
the server uses (safe while it runs: the server re-checks keys on every request)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from hourwise.errors import HourwiseError

user_cli = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
key_cli = typer.Typer(help="Manage API keys (RescueTime ?key=, Authorization: Bearer, ?token=).",
                      no_args_is_help=True)

Config = Annotated[Optional[Path], typer.Option("--config", help="TOML settings file.")]
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Data directory.")]
Db = Annotated[Optional[str], typer.Option("--db", help="Database URL.")]
Testing = Annotated[bool, typer.Option("--testing", help="Use the testing database.")]


def _accounts(config, data_dir, db, testing):
    from hourwise.services.accounts import AccountService
    from hourwise.settings import load_settings
    from hourwise.store import Store

    settings = load_settings(config, testing=testing or None, data_dir=data_dir, db=db)
    store = Store(settings.database_url)
    store.migrate()
    return AccountService(store)


def _fail(exc: HourwiseError) -> None:
    typer.echo(f"hourwise: {exc.message}", err=True)
    raise typer.Exit(1)


def _ask_password() -> str:
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_cli.command("add")
def user_add(
    name: str,
    password: Annotated[bool, typer.Option("--password/--no-password", help="Ask for a password to sign in with (off: key-only account).")] = True,
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Add a user."""
    accounts = _accounts(config, data_dir, db, testing)
    try:
        secret = _ask_password() if password else None
        if secret is not None and len(secret) < 8:
            raise typer.BadParameter("passwords must be at least 8 characters long")
        user = accounts.add_user(name, secret)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"added user {user.name} (id {user.id})")


@user_cli.command("list")
def user_list(config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False) -> None:
    """List users."""
    for user in _accounts(config, data_dir, db, testing).users():
        typer.echo(f"{user.id}\t{user.name}\t{'password' if user.has_password else 'no password'}")


@user_cli.command("remove")
def user_remove(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Remove a user and ALL their data (buckets, events, settings, keys)."""
    accounts = _accounts(config, data_dir, db, testing)
    if not yes:
        typer.confirm(f"Delete {name} and all their data?", abort=True)
    try:
        accounts.remove_user(name)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"removed user {name}")


@user_cli.command("passwd")
def user_passwd(
    name: str,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the password instead.")] = False,
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Set (or remove) a user's password."""
    accounts = _accounts(config, data_dir, db, testing)
    try:
        accounts.set_password(name, None if remove else _ask_password())
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"password {'removed' if remove else 'set'} for {name}")


@key_cli.command("create")
def key_create(
    label: Annotated[str, typer.Option("--label", help="What the key is for.")],
    user: Annotated[str, typer.Option("--user", help="Whose key.")] = "owner",
    scope: Annotated[Optional[list[str]], typer.Option("--scope", help="Limit to a scope (repeatable): activitywatch, time_data, category_data, productivity_data, alert_data, highlight_data, focustime_data.")] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse writes made with this key.")] = False,
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Create an API key and print its secret (shown this once only)."""
    accounts = _accounts(config, data_dir, db, testing)
    try:
        owner = accounts.user(user)
        record, secret = accounts.create_key(owner.id, label, scope or None, read_only)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(secret)
    typer.echo(f"key {record.id} ({record.prefix}…) for {user}: keep the secret above, it is not "
               "stored and cannot be shown again", err=True)


@key_cli.command("list")
def key_list(
    user: Annotated[str, typer.Option("--user", help="Whose keys.")] = "owner",
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """List a user's keys (id, prefix, label, limits, state)."""
    from hourwise.models import format_timestamp

    accounts = _accounts(config, data_dir, db, testing)
    try:
        keys = accounts.keys(accounts.user(user).id)
    except HourwiseError as exc:
        _fail(exc)
    for key in keys:
        limits = ",".join(key.scopes) if key.scopes is not None else "all scopes"
        state = f"revoked {format_timestamp(key.revoked)}" if key.revoked else (
            f"last used {format_timestamp(key.last_used)}" if key.last_used else "never used")
        typer.echo(f"{key.id}\t{key.prefix}…\t{key.label}\t{limits}{' read-only' if key.read_only else ''}\t{state}")


@key_cli.command("revoke")
def key_revoke(
    key_id: int,
    user: Annotated[str, typer.Option("--user", help="Whose key.")] = "owner",
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Revoke a key; the server refuses it from the next request on."""
    accounts = _accounts(config, data_dir, db, testing)
    try:
        accounts.revoke_key(accounts.user(user).id, key_id)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"revoked key {key_id}")


oauth_cli = typer.Typer(help="Manage OAuth2 applications (clients).", no_args_is_help=True)


def _oauth(config, data_dir, db, testing):
    from hourwise.services.oauth import OAuthService

    return OAuthService(_accounts(config, data_dir, db, testing).store)


@oauth_cli.command("add")
def oauth_client_add(
    name: str,
    redirect_uri: Annotated[list[str], typer.Option("--redirect-uri", help="Where users are sent back (exact match; repeatable).")],
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Register an application; prints its client id and secret (the secret only now)."""
    try:
        client_id, secret = _oauth(config, data_dir, db, testing).add_client(name, redirect_uri)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"client_id={client_id}")
    typer.echo(f"client_secret={secret}")


@oauth_cli.command("list")
def oauth_client_list(config: Config = None, data_dir: DataDir = None, db: Db = None,
                      testing: Testing = False) -> None:
    """List registered applications."""
    for client in _oauth(config, data_dir, db, testing).clients():
        typer.echo(f"{client.client_id}\t{client.name}\t{' '.join(client.redirect_uris)}")
