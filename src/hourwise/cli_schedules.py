"""``hourwise schedule ...``: schedules (weekly time filters for RescueTime's
``restrict_schedule_id``), on the database the server uses."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from hourwise.cli_accounts import Config, DataDir, Db, Testing, _accounts, _fail
from hourwise.errors import HourwiseError, InvalidInput

schedule_cli = typer.Typer(help="Manage schedules (RescueTime restrict_schedule_id filters).",
                           no_args_is_help=True)

User = Annotated[str, typer.Option("--user", help="Whose schedules.")]
_SPEC = re.compile(r"^\s*(?P<days>\S+)\s+(?P<start>\S+?)\s*-\s*(?P<end>\S+)\s*$")


def parse_spec(spec: str) -> dict[str, object]:
    """``"mon-fri 09:00-17:00"`` or ``"sat,sun 10:00-12:00"`` as an interval object."""
    match = _SPEC.match(spec)
    if match is None:
        raise InvalidInput(f"not an interval (DAYS HH:MM-HH:MM): {spec!r}")
    days = [d for d in match["days"].split(",") if d]
    return {"day": days, "start": match["start"], "end": match["end"]}


def _store_and_user(user, config, data_dir, db, testing):
    accounts = _accounts(config, data_dir, db, testing)
    return accounts.store, accounts.user(user).id


@schedule_cli.command("add")
def schedule_add(
    name: str,
    interval: Annotated[list[str], typer.Option("--interval", "-i", help="DAYS HH:MM-HH:MM, e.g. 'mon-fri 09:00-17:00', 'sat,sun 10:00-12:00', 'daily 22:00-24:00' (repeatable).")],
    user: User = "owner",
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Add a schedule; prints its id (the restrict_schedule_id of reports)."""
    from hourwise.analytics.storage import create_schedule

    try:
        intervals = [parse_spec(spec) for spec in interval]
        store, user_id = _store_and_user(user, config, data_dir, db, testing)
        schedule = create_schedule(store, user_id, name, intervals)
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(schedule.id)
    typer.echo(f"schedule {schedule.id} ({schedule.name}) for {user}", err=True)


@schedule_cli.command("list")
def schedule_list(
    user: User = "owner",
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """List a user's schedules (id, name, intervals)."""
    from hourwise.analytics.storage import list_schedules

    try:
        store, user_id = _store_and_user(user, config, data_dir, db, testing)
    except HourwiseError as exc:
        _fail(exc)
    for schedule in list_schedules(store, user_id):
        spans = ", ".join(f"{i['day'][:3]} {i['start']}-{i['end']}"
                          for i in schedule.intervals_json())
        typer.echo(f"{schedule.id}\t{schedule.name}\t{spans}")


@schedule_cli.command("remove")
def schedule_remove(
    schedule_id: int,
    user: User = "owner",
    config: Config = None, data_dir: DataDir = None, db: Db = None, testing: Testing = False,
) -> None:
    """Remove a schedule."""
    from hourwise.analytics.storage import delete_schedule

    try:
        store, user_id = _store_and_user(user, config, data_dir, db, testing)
        if not delete_schedule(store, user_id, schedule_id):
            raise InvalidInput(f"no schedule {schedule_id} for {user}")
    except HourwiseError as exc:
        _fail(exc)
    typer.echo(f"removed schedule {schedule_id}")


__all__ = ["schedule_cli"]
