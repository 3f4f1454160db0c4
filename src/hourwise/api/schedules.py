"""``/api/schedules``: a user's schedules, the weekly time filters RescueTime's
``restrict_schedule_id`` selects (create, list, show, delete)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from hourwise.analytics.schedules import Schedule
from hourwise.analytics.storage import (
    create_schedule,
    delete_schedule,
    get_schedule,
    list_schedules,
)
from hourwise.api.body import RawBody, json_body_doc, parse_body
from hourwise.api.deps import PrincipalDep, ServicesDep
from hourwise.api.responses import JSONResponse
from hourwise.auth.principal import Principal
from hourwise.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/schedules", tags=["RescueTime"])


class IntervalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: str | list[str] = Field(
        description="monday..sunday, mon..sun, a range (mon-fri), weekdays, weekend or daily"
    )
    start: str = Field(description="HH:MM, local time, inclusive", examples=["09:00"])
    end: str = Field(description="HH:MM, local time, exclusive; 24:00 is midnight",
                     examples=["17:00"])


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    intervals: list[IntervalIn] = Field(min_length=1, max_length=500)


class IntervalOut(BaseModel):
    day: str
    start: str
    end: str


class ScheduleOut(BaseModel):
    id: int
    name: str
    intervals: list[IntervalOut]


SCHEDULE_CREATE = TypeAdapter(ScheduleCreate)
ScheduleId = Annotated[int, Path(ge=1, le=2**31)]


def out(schedule: Schedule) -> dict[str, Any]:
    return {"id": schedule.id, "name": schedule.name, "intervals": schedule.intervals_json()}


def _require(principal: Principal, write: bool) -> None:
    # Schedules are part of a user's time data: the owner, or a key that may read it.
    if principal.user_id == 0 or principal.via not in ("owner", "key"):
        raise Forbidden("schedules need the owner or an API key")
    if not principal.allows("time_data"):
        raise Forbidden("this key may not use time data")
    if write and principal.read_only:
        raise Forbidden("this key is read-only")


@router.get("", response_model=list[ScheduleOut], response_class=JSONResponse)
def list_all(services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """The user's schedules, oldest first."""
    _require(principal, write=False)
    return JSONResponse([out(s) for s in list_schedules(services.store, principal.user_id)])


@router.post("", status_code=201, response_model=ScheduleOut, response_class=JSONResponse,
             openapi_extra=json_body_doc(SCHEDULE_CREATE))
def create(body: RawBody, services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """Create a schedule; its ``id`` is the ``restrict_schedule_id`` of reports."""
    _require(principal, write=True)
    payload = parse_body(body, SCHEDULE_CREATE)
    intervals = [i.model_dump() for i in payload.intervals]
    schedule = create_schedule(services.store, principal.user_id, payload.name, intervals)
    return JSONResponse(out(schedule), status_code=201)


@router.get("/{schedule_id}", response_model=ScheduleOut, response_class=JSONResponse)
def show(schedule_id: ScheduleId, services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """One schedule."""
    _require(principal, write=False)
    return JSONResponse(out(get_schedule(services.store, principal.user_id, schedule_id)))


@router.delete("/{schedule_id}", response_class=JSONResponse)
def remove(schedule_id: ScheduleId, services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    """Delete a schedule; reports asking for it then get RescueTime's query error."""
    _require(principal, write=True)
    if not delete_schedule(services.store, principal.user_id, schedule_id):
        raise NotFound(f"no schedule {schedule_id}")
    return JSONResponse({"deleted": schedule_id})
