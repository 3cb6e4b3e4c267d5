"""Garmin's Training API and user endpoints, called with the athlete's own token."""

from __future__ import annotations

from datetime import date

from .garmin import schedule_body
from .http import ProviderHttp

PROVIDER = "GARMIN"


class GarminApi:
    def __init__(self, http: ProviderHttp):
        self.http = http

    def user_id(self, token: str) -> str:
        return str(self.http.call("GET", "/wellness-api/rest/user/id", token).json()["userId"])

    def permissions(self, token: str) -> list[str]:
        return list(self.http.call("GET", "/wellness-api/rest/user/permissions", token).json())

    def create_workout(self, token: str, workout: dict) -> str:
        return str(self.http.call("POST", "/workoutportal/workout/v2", token, json=workout).json()["workoutId"])

    def schedule(self, token: str, workout_id: str, day: date) -> str:
        body = self.http.call("POST", "/training-api/schedule/", token, json=schedule_body(int(workout_id), day)).json()
        return str(body["workoutScheduleId"] if isinstance(body, dict) else body)

    def delete_workout(self, token: str, workout_id: str) -> None:
        self.http.call("DELETE", f"/training-api/workout/v2/{workout_id}", token)

    def deregister(self, token: str) -> None:
        self.http.call("DELETE", "/wellness-api/rest/user/registration", token)
