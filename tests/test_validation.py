"""Every rule of workout-format.md, each refused with its step path and its rule."""

from __future__ import annotations

import copy
import tracemalloc

import pytest

from tests.support.workouts import SPEC_EXAMPLE
from workouts import WorkoutInvalid, check_workout, validate_workout


def broken(mutate):
    workout = copy.deepcopy(SPEC_EXAMPLE)
    mutate(workout)
    return workout


def step(intensity="ACTIVE", kind="TIME", value=60, target=None, **extra):
    data = {"intensity": intensity, "duration": {"type": kind} if kind == "OPEN" else {"type": kind, "value": value}}
    if target is not None:
        data["target"] = target
    data.update(extra)
    return data


def test_the_spec_example_is_valid():
    assert check_workout(SPEC_EXAMPLE) == []


CASES = [
    # (mutation, expected "path: rule")
    (lambda w: w.update(sport="SKI"), "sport: must be one of BIKE, RUN, SWIM, ROW, OTHER, STRENGTH, CARDIO, MULTISPORT"),
    (lambda w: w.pop("sport"), "sport: is required"),
    (lambda w: w.update(name="   "), "name: must be 1 to 80 characters after trimming"),
    (lambda w: w.update(name="x" * 81), "name: must be 1 to 80 characters after trimming"),
    (lambda w: w.update(description="d" * 1001), "description: must be at most 1,000 characters"),
    (lambda w: w.update(colour="red"), "unknown field 'colour'"),
    (lambda w: w.update(steps=[]), "steps: at least one step is required"),
    (lambda w: w.update(steps="all of them"), "steps: must be a list of steps"),
    (lambda w: w["steps"][0].update(intensity="EASY"),
     "steps[0]: intensity must be one of WARMUP, ACTIVE, RECOVERY, REST, COOLDOWN"),
    (lambda w: w["steps"][0].update(duration={"type": "TIME", "value": 0}), "steps[0]: TIME duration must be greater than 0"),
    (lambda w: w["steps"][0].update(duration={"type": "DISTANCE", "value": -1}),
     "steps[0]: DISTANCE duration must be greater than 0"),
    (lambda w: w["steps"][0].update(duration={"type": "TIME", "value": 86401}),
     "steps[0]: TIME duration must be at most 24 h (86,400 s)"),
    (lambda w: w["steps"][0].update(duration={"type": "DISTANCE", "value": 1_000_001}),
     "steps[0]: DISTANCE duration must be at most 1,000 km (1,000,000 m)"),
    (lambda w: w["steps"][0].update(duration={"type": "TIME", "value": "600"}),
     "steps[0]: TIME duration needs a numeric value"),
    (lambda w: w["steps"][0].update(duration={"type": "OPEN", "value": 10}), "steps[0]: an OPEN duration takes no value"),
    (lambda w: w["steps"][0].update(duration={"type": "LAPS", "value": 10}),
     "steps[0]: duration type must be TIME, DISTANCE or OPEN"),
    (lambda w: w["steps"][0].pop("duration"), "steps[0]: duration is required"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "zone": 2, "min": 100, "max": 200}),
     "steps[0]: target needs exactly one of zone or both min and max"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "min": 100}),
     "steps[0]: target needs exactly one of zone or both min and max"),
    (lambda w: w["steps"][0].update(target={"type": "POWER"}),
     "steps[0]: target needs exactly one of zone or both min and max"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "min": 300, "max": 200}),
     "steps[0]: target min must not exceed max"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "min": 0, "max": 200}),
     "steps[0]: POWER values must be greater than 0 and at most 3,000 W"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "min": 100, "max": 3001}),
     "steps[0]: POWER values must be greater than 0 and at most 3,000 W"),
    (lambda w: w["steps"][0].update(target={"type": "HEART_RATE", "min": 20, "max": 150}),
     "steps[0]: HEART_RATE values must be between 30 and 250 bpm"),
    (lambda w: w["steps"][0].update(target={"type": "CADENCE", "min": 10, "max": 90}),
     "steps[0]: CADENCE values must be between 20 and 250 rpm"),
    (lambda w: w["steps"][0].update(target={"type": "POWER", "zone": 8}),
     "steps[0]: POWER zone must be a whole number from 1 to 7"),
    (lambda w: w["steps"][0].update(target={"type": "HEART_RATE", "zone": 6}),
     "steps[0]: HEART_RATE zone must be a whole number from 1 to 5"),
    (lambda w: w["steps"][0].update(target={"type": "CADENCE", "zone": 2}), "steps[0]: CADENCE has no zones"),
    (lambda w: w["steps"][0].update(target={"type": "SPEED", "zone": 2}),
     "steps[0]: target type must be one of POWER, HEART_RATE, PACE, CADENCE"),
    (lambda w: w["steps"][0].update(target={"type": "PACE", "min": 240, "max": 250}),
     "steps[0]: PACE target is not allowed for BIKE"),
    (lambda w: w.update(sport="RUN"), "steps[1].steps[0]: cadence target is only allowed for BIKE"),
    (lambda w: w["steps"][1]["steps"][0].update(cadence={"min": 95, "max": 85}),
     "steps[1].steps[0]: cadence min must not exceed max"),
    (lambda w: w["steps"][1]["steps"][0].update(cadence={"min": 85}), "steps[1].steps[0]: cadence must be {min, max} in rpm"),
    (lambda w: w["steps"][1]["steps"][0].update(target={"type": "CADENCE", "min": 80, "max": 90}),
     "steps[1].steps[0]: a step with a CADENCE target takes no separate cadence range"),
    (lambda w: w["steps"][0].update(name="n" * 51), "steps[0]: step name must be at most 50 characters"),
    (lambda w: w["steps"][0].update(notes="n" * 201), "steps[0]: step notes must be at most 200 characters"),
    (lambda w: w["steps"][0].update(power=200), "steps[0]: unknown field 'power'"),
    (lambda w: w["steps"][0].update(notes="Hold\x00it"),
     "steps[0]: step notes must not contain control characters or bidirectional overrides"),
    (lambda w: w.update(name="Tempo\x1b[31m"), "name: must not contain control characters or bidirectional overrides"),
    (lambda w: w.update(name="Tempo \u202ecipsum"), "name: must not contain control characters or bidirectional overrides"),
    (lambda w: w["steps"][0].update(name="Hold\u2066it"),
     "steps[0]: step name must not contain control characters or bidirectional overrides"),
    (lambda w: w["steps"][1].update(repeat=1), "steps[1]: repeat must be a whole number from 2 to 99"),
    (lambda w: w["steps"][1].update(repeat=100), "steps[1]: repeat must be a whole number from 2 to 99"),
    (lambda w: w["steps"][1].update(repeat=True), "steps[1]: repeat must be a whole number from 2 to 99"),
    (lambda w: w["steps"][1].update(steps=[]), "steps[1]: a repeat block needs a non-empty list of steps"),
    (lambda w: w["steps"][1]["steps"].append({"repeat": 2, "steps": [{"repeat": 2, "steps": [step()]}]}),
     "steps[1].steps[2].steps[0]: repeat blocks may nest at most 2 deep"),
    (lambda w: w["steps"][1].update(repeat=99, steps=[step(), step(), step()]),
     "steps: at most 200 steps after expanding repeats (this one has 299)"),
    (lambda w: w["steps"].__setitem__(0, "warm up"), "steps[0]: a step must be an object"),
]


@pytest.mark.parametrize("mutate, expected", CASES)
def test_each_rule_is_refused_with_its_path_and_rule(mutate, expected):
    problems = [str(p) for p in check_workout(broken(mutate))]
    assert expected in problems, problems


def test_power_is_not_allowed_for_swim_and_swim_paces_are_per_100m():
    swim = {"sport": "SWIM", "name": "Swim", "steps": [
        step(kind="DISTANCE", value=100, target={"type": "POWER", "min": 100, "max": 120}),
        step(kind="DISTANCE", value=100, target={"type": "PACE", "min": 85, "max": 95}),
        step(kind="DISTANCE", value=100, target={"type": "PACE", "min": 200, "max": 240}),
    ]}
    assert [str(p) for p in check_workout(swim)] == [
        "steps[0]: POWER target is not allowed for SWIM",
        "steps[2]: PACE values must be between 6 and 180 s/100 m",
    ]


def test_validation_error_message_is_the_sessions_last_export_error():
    with pytest.raises(WorkoutInvalid) as caught:
        validate_workout(broken(lambda w: w.update(sport="RUN")))
    assert caught.value.message == "Validation failed: steps[1].steps[0]: cadence target is only allowed for BIKE"


@pytest.mark.parametrize("value", [True, None, float("inf"), float("nan"), 10 ** 400, [1], {"v": 1}])
def test_odd_values_are_refused_not_crashed_on(value):
    workout = broken(lambda w: w["steps"][0].update(duration={"type": "TIME", "value": value}))
    assert "steps[0]: TIME duration needs a numeric value" in [str(p) for p in check_workout(workout)]


@pytest.mark.parametrize("value", [None, 5, "x", [], True])
def test_not_a_workout(value):
    assert [str(p) for p in check_workout(value)] == ["a workout must be a JSON object"]


def test_a_repeat_bomb_is_refused_fast_without_expanding_it():
    inner = {"repeat": 99, "steps": [step()] * 100}
    bomb = {"sport": "RUN", "name": "bomb", "steps": [{"repeat": 99, "steps": [inner] * 100}]}
    tracemalloc.start()
    problems = check_workout(bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [str(p) for p in problems] == ["steps: at most 200 steps after expanding repeats (this one has 98,010,000)"]
    # Counted, not expanded: 98 million steps would need gigabytes; counting needs almost nothing.
    assert peak < 1_000_000


def test_a_huge_flat_list_is_refused_without_reading_every_step():
    workout = {"sport": "RUN", "name": "long", "steps": [step()] * 1_000_000}
    assert [str(p) for p in check_workout(workout)] == [
        "steps: at most 200 steps after expanding repeats (this one has 1,000,000)"]


def test_problems_are_capped():
    workout = {"sport": "RUN", "name": "many", "steps": [{"intensity": "X"}] * 150}
    assert len(check_workout(workout)) == 50
