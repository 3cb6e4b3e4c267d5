"""Garmin's step count of a workout body, as its document counts (a repeat once, plus its
steps), for the tests that hold a payload to Garmin's limits."""

from __future__ import annotations


def step_count_of(payload: dict) -> int:
    """The steps of a Garmin workout body as Garmin counts them, over all its segments."""
    def count(steps: list[dict]) -> int:
        return sum(1 + count(s["steps"]) if s["type"] == "WorkoutRepeatStep" else 1 for s in steps)

    return sum(count(segment["steps"]) for segment in payload["segments"])
