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
