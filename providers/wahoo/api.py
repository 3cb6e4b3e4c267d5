"""Wahoo's Cloud API, called with the athlete's own token.

Follows providers.md, "Wahoo Cloud API", sections Plans and workouts, Limits and OAuth (from
Wahoo's docs, ``WahooFitness/slate``: ``plans/*``, ``workouts/*``, ``index.html.md``):

- ``GET /v1/plans`` and ``GET /v1/workouts`` answer a bare array, paged with ``page`` and
  ``per_page`` (30 by default); Wahoo's own workouts page shows an object holding the
  array, so both are read.  Reading needs the ``plans_read`` and ``workouts_read`` scopes
  (asked for at connect); a token without one gets 403.
- A plan we may have created without hearing the answer is found again by its
  ``external_id``: we ask Wahoo to filter by it (its newest docs offer the parameter,
  providers.md calls it undocumented) and compare every item ourselves, page by page, so
  the look-up is right whether or not Wahoo applies the filter.  Workouts are found by the
  ``workout_token`` we chose ("can be used by the application to identify the workout"),
  newest ``starts`` first, stopping once the listing is past the day we scheduled.
- Whether Wahoo refuses a second plan with an ``external_id`` it already holds, and with
  what message, is not published: a plan create refused with 422 looks the plan up before
  it fails, whatever the message says.
- Every answer carries ``X-RateLimit-Limit``/``-Remaining`` for the day, the hour and the
  five minutes, and ``X-RateLimit-Reset``: :func:`rate_state` reads them for the quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ..delivery import Item, Run
from ..errors import NotFound, PayloadRejected, PermissionMissing
from ..http import ProviderHttp
from .convert import external_id, plan_form, workout_form

PROVIDER = "WAHOO"
STATUSES = {403: PermissionMissing}
PER_PAGE = 30
MAX_PAGES = 20  # 600 plans: far more than an athlete's library of ours holds (replaced plans are deleted)
WINDOWS = ("day", "hour", "5min")  # the order of the values in the X-RateLimit-* headers
WINDOW_SECONDS = {"day": 86400, "hour": 3600, "5min": 300}


class WahooApi:
    provider = PROVIDER

    def __init__(self, http: ProviderHttp):
        self.http = http

    def user_id(self, token: str) -> str:
        return str(self.http.call("GET", "/v1/user", token).json()["id"])

    def revoke(self, token: str) -> None:
        self.http.call("DELETE", "/v1/permissions", token)

    # -- plans --------------------------------------------------------------------------------

    def create_plan(self, token: str, form: dict) -> str:
        try:
            return str(self.http.call("POST", "/v1/plans", token, data=form).json()["id"])
        except PayloadRejected:
            # Perhaps "external_id taken": an earlier try of ours got there first.
            found = self.find_plan(token, form["plan[external_id]"])
            if found is None:
                raise
            return found

    def find_plan(self, token: str, external: str) -> str | None:
        for page in range(1, MAX_PAGES + 1):
            body = self.http.call("GET", "/v1/plans", token,
                                  params={"external_id": external, "page": page, "per_page": PER_PAGE}).json()
            items = listing(body, "plans")
            for item in items:
                if isinstance(item, dict) and item.get("external_id") == external and not item.get("deleted"):
                    return str(item["id"])
            if len(items) < PER_PAGE:
                return None
        return None

    def delete_plan(self, token: str, plan_id: str) -> None:
        self.http.call("DELETE", f"/v1/plans/{plan_id}", token)

    # -- workouts (calendar entries) -------------------------------------------------------------

    def create_workout(self, token: str, form: dict) -> str:
        return str(self.http.call("POST", "/v1/workouts", token, data=form).json()["id"])

    def find_workout(self, token: str, workout_token: str, starts: datetime) -> str | None:
        """Newest ``starts`` first: stop once the listing is a day before ours."""
        floor = starts - timedelta(days=1)
        for page in range(1, MAX_PAGES + 1):
            body = self.http.call("GET", "/v1/workouts", token, params={"page": page, "per_page": PER_PAGE}).json()
            items = [item for item in listing(body, "workouts") if isinstance(item, dict)]
            for item in items:
                if item.get("workout_token") == workout_token:
                    return str(item["id"])
            if len(items) < PER_PAGE or any(_before(item.get("starts"), floor) for item in items):
                return None
        return None

    def update_workout(self, token: str, workout_id: str, form: dict) -> None:
        self.http.call("PUT", f"/v1/workouts/{workout_id}", token, data=form)

    def delete_workout(self, token: str, workout_id: str) -> None:
        self.http.call("DELETE", f"/v1/workouts/{workout_id}", token)

    # -- the delivery operations (providers/delivery.py) ------------------------------------------

    def create(self, run: Run, item: Item) -> None:
        external = external_id(item.session_id, item.revision)
        form = plan_form(item.payload, external, item.updated_at)
        run.step("planId", lambda token: self.create_plan(token, form),
                 find=lambda token: self.find_plan(token, external))
        workout = workout_form(run.refs["planId"], item.title, item.starts, item.extra["minutes"],
                               item.extra["workout_type_id"], external)
        run.step("workoutId", lambda token: self.create_workout(token, workout),
                 find=lambda token: self.find_workout(token, external, item.starts))

    def move(self, run: Run, item: Item) -> None:
        form = {"workout[starts]": item.starts.isoformat(timespec="seconds")}
        run.call(lambda token: self.update_workout(token, run.refs["workoutId"], form))

    def remove(self, run: Run) -> None:
        for key, delete in (("workoutId", self.delete_workout), ("planId", self.delete_plan)):
            if key in run.refs:
                try:
                    run.call(lambda token: delete(token, run.refs[key]))
                except NotFound:
                    pass  # already gone: that is what we wanted
                run.gone(key)


def listing(body, key: str) -> list:
    """A Wahoo listing: a bare array, or an object holding it under ``key``."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return body[key]
    raise ValueError(f"the {key} listing is not a list")


def _before(value, floor: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None or floor.tzinfo is None:
        return False
    return moment < floor


@dataclass(frozen=True)
class RateState:
    """What Wahoo's headers say of the app's three windows."""

    limits: dict[str, int]
    remaining: dict[str, int]
    reset_seconds: float | None

    @property
    def exhausted(self) -> list[str]:
        return [window for window, left in self.remaining.items() if left <= 0]

    @property
    def exhausted_seconds(self) -> int:
        """The length of the longest exhausted window: the safe wait when no reset is given."""
        return max((WINDOW_SECONDS[w] for w in self.exhausted), default=0)


def rate_state(response: httpx.Response) -> RateState | None:
    """The X-RateLimit-* headers of a Wahoo answer (day, hour, 5 min), if it has them."""
    try:
        limits = [int(v) for v in response.headers["X-RateLimit-Limit"].split(",")]
        remaining = [int(v) for v in response.headers["X-RateLimit-Remaining"].split(",")]
    except (KeyError, ValueError):
        return None
    if len(limits) != len(WINDOWS) or len(remaining) != len(WINDOWS):
        return None
    try:
        reset = float(response.headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        reset = None
    return RateState(dict(zip(WINDOWS, limits)), dict(zip(WINDOWS, remaining)), reset)
