"""Workouts the tests share: the spec's own example and a few real-looking sessions."""

import copy

SPEC_EXAMPLE = {
    "sport": "BIKE",
    "name": "4x8 min threshold",
    "description": "Stay seated on the efforts.",
    "steps": [
        {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "zone": 2}},
        {"repeat": 4, "steps": [
            {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 480},
             "target": {"type": "POWER", "min": 250, "max": 265},
             "cadence": {"min": 85, "max": 95}},
            {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 120},
             "target": {"type": "POWER", "zone": 1}},
        ]},
        {"intensity": "COOLDOWN", "duration": {"type": "DISTANCE", "value": 2000}, "target": None},
    ],
}

EASY_RUN = {
    "sport": "RUN",
    "name": "Easy run",
    "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 2700},
         "target": {"type": "HEART_RATE", "min": 130, "max": 145}},
    ],
}


def workout(base=SPEC_EXAMPLE, **changes):
    data = copy.deepcopy(base)
    data.update(changes)
    return data


# A library workout written in percent of FTP: each athlete's device gets its own watts.
SWEET_SPOT_PERCENT = {
    "sport": "BIKE",
    "name": "Sweet spot 3 x 10",
    "steps": [
        {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "min": 50, "max": 60, "unit": "PERCENT"}},
        {"repeat": 3, "steps": [
            {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600},
             "target": {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}},
            {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 300},
             "target": {"type": "POWER", "min": 40, "max": 55, "unit": "PERCENT"}},
        ]},
    ],
}

# Sets and reps (a STRENGTH session's workout).
SQUATS = {"sport": "STRENGTH", "name": "Squats 4 x 5", "steps": [
    {"repeat": 4, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 5},
         "exercise": {"category": "SQUAT", "name": "BARBELL_BACK_SQUAT"}, "weight": {"value": 100, "unit": "KG"}},
        {"intensity": "REST", "duration": {"type": "TIME", "value": 180}}]},
]}
