"""Wahoo's Cloud API, called with the athlete's own token.

Creating a plan or a workout is made idempotent with the ids we choose (``external_id``,
``workout_token``): when Wahoo says one is already taken, a retry of ours got there before,
so we look it up and use it instead of failing or creating a second one.
"""

from __future__ import annotations

from .errors import PayloadRejected
from .http import ProviderHttp

PROVIDER = "WAHOO"
TAKEN = "already been taken"


class WahooApi:
    def __init__(self, http: ProviderHttp):
        self.http = http

    def user_id(self, token: str) -> str:
        return str(self.http.call("GET", "/v1/user", token).json()["id"])

    def create_plan(self, token: str, form: dict) -> str:
        return self._create_or_find(token, "/v1/plans", form, "plans", "external_id", form["plan[external_id]"])

    def create_workout(self, token: str, form: dict) -> str:
        return self._create_or_find(token, "/v1/workouts", form, "workouts", "workout_token",
                                    form["workout[workout_token]"])

    def _create_or_find(self, token: str, path: str, form: dict, listing: str, key: str, value: str) -> str:
        try:
            return str(self.http.call("POST", path, token, data=form).json()["id"])
        except PayloadRejected as error:
            if TAKEN not in str(error):
                raise
            found = self.http.call("GET", path, token, params={key: value}).json()
            matches = [item for item in found.get(listing, []) if item.get(key) == value]
            if not matches:
                raise
            return str(matches[0]["id"])

    def delete_workout(self, token: str, workout_id: str) -> None:
        self.http.call("DELETE", f"/v1/workouts/{workout_id}", token)

    def delete_plan(self, token: str, plan_id: str) -> None:
        self.http.call("DELETE", f"/v1/plans/{plan_id}", token)

    def deauthorize(self, token: str) -> None:
        self.http.call("DELETE", "/v1/permissions", token)
