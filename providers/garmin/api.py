"""Garmin's Training API V2 and user endpoints, called with the athlete's own token.

Follows providers.md, "Garmin Training API V2", sections Endpoints (3.2.3-3.3.8) and
Accounts (Start Guide 3):

- ``POST /workoutportal/workout/v2`` answers the created workout; its ``workoutId`` is ours.
- ``POST /training-api/schedule/``: what it answers is not published.  Clients in the wild
  read a bare id or the schedule object ``{"scheduleId", ...}``: both are accepted.
- ``GET /training-api/schedule?startDate=&endDate=`` lists the athlete's schedules, so a
  schedule whose create went unanswered is found again by its workout and date.
- ``PUT /training-api/schedule/{id}`` moves a schedule: a date move costs one call.
- The permissions call is documented at two paths (the Training API's ``/userPermissions/``
  and the Start Guide's ``/wellness-api/rest/user/permissions``), with malformed examples:
  a bare array or an object holding one are both read.
- Garmin has no list of workouts and no idempotency key: a workout whose create went
  unanswered cannot be found again (README, Known limits).
"""

from __future__ import annotations

from datetime import date

from ..delivery import Item, Run
from ..errors import Forbidden, NotFound, PermissionMissing
from ..http import ProviderHttp
from .convert import schedule_body

PROVIDER = "GARMIN"
STATUSES = {403: Forbidden, 412: PermissionMissing}
PERMISSION_PATHS = ("/wellness-api/rest/user/permissions", "/userPermissions/")


class GarminApi:
    provider = PROVIDER

    def __init__(self, http: ProviderHttp):
        self.http = http

    # -- the user ---------------------------------------------------------------------------

    def user_id(self, token: str) -> str:
        return str(self.http.call("GET", "/wellness-api/rest/user/id", token).json()["userId"])

    def permissions(self, token: str) -> list[str]:
        for path in PERMISSION_PATHS:
            try:
                return permission_list(self.http.call("GET", path, token).json())
            except NotFound:
                continue  # the other documented path
        raise NotFound(PROVIDER, "no permissions endpoint answered")

    def revoke(self, token: str) -> None:
        self.http.call("DELETE", "/wellness-api/rest/user/registration", token)

    # -- workouts and schedules -----------------------------------------------------------------

    def create_workout(self, token: str, workout: dict) -> str:
        return str(self.http.call("POST", "/workoutportal/workout/v2", token, json=workout).json()["workoutId"])

    def delete_workout(self, token: str, workout_id: str) -> None:
        self.http.call("DELETE", f"/training-api/workout/v2/{workout_id}", token)

    def schedule(self, token: str, workout_id: str, day: date) -> str:
        body = self.http.call("POST", "/training-api/schedule/", token, json=schedule_body(int(workout_id), day)).json()
        return schedule_id(body)

    def schedules(self, token: str, start: date, end: date) -> list[dict]:
        body = self.http.call("GET", "/training-api/schedule", token,
                              params={"startDate": start.isoformat(), "endDate": end.isoformat()}).json()
        return [item for item in _items(body) if isinstance(item, dict)]

    def find_schedule(self, token: str, workout_id: str, day: date) -> str | None:
        for item in self.schedules(token, day, day):
            if str(item.get("workoutId")) == str(workout_id):
                return schedule_id(item)
        return None

    def move_schedule(self, token: str, schedule: str, workout_id: str, day: date) -> None:
        body = {"scheduleId": int(schedule), **schedule_body(int(workout_id), day)}
        self.http.call("PUT", f"/training-api/schedule/{schedule}", token, json=body)

    def delete_schedule(self, token: str, schedule: str) -> None:
        self.http.call("DELETE", f"/training-api/schedule/{schedule}", token)

    # -- the delivery operations (providers/delivery.py) ------------------------------------------

    def create(self, run: Run, item: Item) -> None:
        run.step("workoutId", lambda token: self.create_workout(token, item.payload))
        workout_id = run.refs["workoutId"]
        run.step("scheduleId", lambda token: self.schedule(token, workout_id, item.day),
                 find=lambda token: self.find_schedule(token, workout_id, item.day))

    def move(self, run: Run, item: Item) -> None:
        refs = run.refs
        run.call(lambda token: self.move_schedule(token, refs["scheduleId"], refs["workoutId"], item.day))

    def remove(self, run: Run) -> None:
        # Whether deleting a workout drops its schedules is not published: the schedule
        # goes first, so no calendar entry can outlive its workout.
        for ref, delete in (("scheduleId", self.delete_schedule), ("workoutId", self.delete_workout)):
            if ref in run.refs:
                _gone_is_fine(lambda: run.call(lambda token: delete(token, run.refs[ref])))
                run.gone(ref)


def schedule_id(body) -> str:
    """A schedule's id from a bare id or a schedule object."""
    if isinstance(body, dict):
        for key in ("scheduleId", "workoutScheduleId", "id"):
            if body.get(key) is not None:
                return str(body[key])
        raise ValueError("the schedule reply holds no scheduleId")
    if isinstance(body, (int, str)) and not isinstance(body, bool) and str(body).strip():
        return str(body).strip()
    raise ValueError("the schedule reply is neither an id nor a schedule")


def permission_list(body) -> list[str]:
    """Garmin's permissions from a bare array, or an object holding one."""
    if isinstance(body, list):
        return [str(p) for p in body]
    if isinstance(body, dict):
        lists = [value for value in body.values() if isinstance(value, list)]
        if len(lists) == 1:
            return [str(p) for p in lists[0]]
    raise ValueError("the permissions reply holds no list of permissions")


def _items(body) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        lists = [value for value in body.values() if isinstance(value, list)]
        if len(lists) == 1:
            return lists[0]
    raise ValueError("the schedule listing is not a list")


def _gone_is_fine(action) -> None:
    try:
        action()
    except NotFound:
        pass
