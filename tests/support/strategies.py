"""Hypothesis strategies: valid workouts of every shape the format allows, and thresholds.

Every strategy here is made once per set of arguments (``cache``): hypothesis validates each
new strategy object and reads its lambdas' source, which cost more than the drawing itself
when composites made their inner strategies anew at every draw."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from workouts.constants import INTENSITIES, SPORTS

# Text a workout may hold (workouts/characters.py): no control characters, surrogates or
# bidirectional overrides.
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                          exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TEXT = st.text(alphabet=PRINTABLE, min_size=1, max_size=20)
NAMED = TEXT.filter(lambda t: t.strip())
NOTES = st.text(alphabet=PRINTABLE, max_size=200).filter(lambda t: t.strip())
WORKOUT_NAME = st.text(alphabet=PRINTABLE, min_size=1, max_size=80).filter(lambda t: t.strip())
SECONDS = st.integers(1, 86400) | st.floats(0.5, 86400)


@cache
def pick(*choices):
    """``st.sampled_from(choices)``, made once per list of choices."""
    return st.sampled_from(choices)


@cache
def within(nodes_strategy, steps: int):
    """``nodes_strategy`` kept to those that expand to at most ``steps`` steps."""
    return nodes_strategy.filter(lambda items: expanded(items) <= steps)


@cache
def _range(low, high, whole=True):
    number = st.integers(low, high) if whole else st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.tuples(number, number).map(sorted)


@cache
@st.composite
def targets(draw, sport: str):
    kinds = ["HEART_RATE"]
    if sport != "SWIM":
        kinds.append("POWER")
    if sport != "BIKE":
        kinds.append("PACE")
    if sport == "BIKE":
        kinds.append("CADENCE")
    kind = draw(pick(*kinds))
    zones = {"POWER": 7, "HEART_RATE": 5, "PACE": 5}.get(kind)
    if zones and draw(st.booleans()):
        return {"type": kind, "zone": draw(st.integers(1, zones))}
    low, high = {
        "POWER": (1, 3000), "HEART_RATE": (30, 250), "CADENCE": (20, 250),
        "PACE": (6, 180) if sport == "SWIM" else (60, 1800),
    }[kind]
    lo, hi = draw(_range(low, high, whole=draw(st.booleans()) or kind != "PACE"))
    return {"type": kind, "min": lo, "max": hi}


@cache
def _maybe_target(sport: str):
    return st.none() | targets(sport)


@cache
@st.composite
def steps(draw, sport: str):
    kind = draw(pick("TIME", "DISTANCE", "OPEN"))
    step = {"intensity": draw(pick(*INTENSITIES))}
    if kind == "TIME":
        step["duration"] = {"type": "TIME", "value": draw(SECONDS)}
    elif kind == "DISTANCE":
        step["duration"] = {"type": "DISTANCE", "value": draw(st.integers(1, 1_000_000))}
    else:
        step["duration"] = {"type": "OPEN"}
    target = draw(_maybe_target(sport))
    if target is not None or draw(st.booleans()):
        step["target"] = target
    if sport == "BIKE" and (target is None or target["type"] != "CADENCE") and draw(st.booleans()):
        low, high = draw(_range(20, 250))
        step["cadence"] = {"min": low, "max": high}
    if draw(st.booleans()):
        step["name"] = draw(TEXT)
    if draw(st.booleans()):
        step["notes"] = draw(NOTES)
    return step


@cache
@st.composite
def nodes(draw, sport: str, depth: int = 0):
    items = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            items.append({"repeat": draw(st.integers(2, 6)), "steps": draw(nodes(sport, depth + 1))})
        else:
            items.append(draw(steps(sport)))
    return items


def expanded(items) -> int:
    return sum(item["repeat"] * expanded(item["steps"]) if "repeat" in item else 1 for item in items)


@cache
@st.composite
def workouts(draw, sports=SPORTS):
    sport = draw(pick(*sports))
    workout = {"sport": sport, "name": draw(WORKOUT_NAME), "steps": draw(within(nodes(sport), 200))}
    if draw(st.booleans()):
        workout["description"] = draw(st.text(alphabet=PRINTABLE, max_size=1000))
    if draw(st.booleans()):
        workout["location"] = draw(pick("INDOOR", "OUTDOOR"))
    if sport == "SWIM" and draw(st.booleans()):
        workout["poolLength"] = draw(pick(25, 50, 33.33))
        workout["poolLengthUnit"] = draw(pick("METER", "YARD"))
    return workout


thresholds = st.fixed_dictionaries({}, optional={
    "ftp_watts": st.integers(50, 500),
    "max_heart_rate": st.integers(150, 220),
    "threshold_pace_sec_per_km": st.integers(180, 480),
    "swim_threshold_pace_sec_per_100m": st.integers(70, 115),  # slower, and zone 1 leaves the plausible range
})


# -- the third round: percent targets, ramps and cues (workout-format.md) -------------------------
# Drawn within what stays plausible once resolved against any of the `thresholds` above, so a
# drawn workout passes prepare() for every athlete those thresholds describe.

import math  # (imported here: this section is appended, the file is shared)

PERCENTS = {"POWER": (1, 500), "HEART_RATE": (50, 110), "PACE": (70, 150)}
ABSOLUTE = {"POWER": (1, 3000), "HEART_RATE": (30, 250), "CADENCE": (20, 250)}


def _absolute_limits(kind: str, sport: str) -> tuple[int, int]:
    if kind == "PACE":
        return (6, 180) if sport == "SWIM" else (60, 1800)
    return ABSOLUTE[kind]


@cache
def _number(low, high, whole):
    return st.integers(low, high) if whole else st.floats(low, high, allow_nan=False, allow_infinity=False)


@cache
@st.composite
def targets_v3(draw, sport: str, duration_type: str):
    """Any target of the format: zones, absolute and percent ranges, and on TIME steps ramps."""
    kinds = ["HEART_RATE"] + (["POWER"] if sport != "SWIM" else []) + (["PACE"] if sport != "BIKE" else [])
    if sport == "BIKE":
        kinds.append("CADENCE")
    kind = draw(pick(*kinds))
    shapes = ["range"] if kind == "CADENCE" else ["zone", "range", "percent"]
    if duration_type == "TIME" and kind != "CADENCE":
        shapes += ["ramp", "percent ramp"]
    shape = draw(pick(*shapes))
    if shape == "zone":
        return {"type": kind, "zone": draw(st.integers(1, {"POWER": 7, "HEART_RATE": 5, "PACE": 5}[kind]))}
    percent = "percent" in shape
    low, high = PERCENTS[kind] if percent else _absolute_limits(kind, sport)
    whole = draw(st.booleans()) or (not percent and kind != "PACE")
    a, b = draw(_number(low, high, whole)), draw(_number(low, high, whole))
    target = {"type": kind}
    if "ramp" in shape:
        target.update({"from": a, "to": b})
    else:
        target.update({"min": min(a, b), "max": max(a, b)})
    if percent:
        target["unit"] = "PERCENT"
    elif draw(st.integers(0, 4)) == 0:
        target["unit"] = "ABSOLUTE"
    return target


CUE_TEXT = st.text(alphabet=PRINTABLE, min_size=1, max_size=40).filter(lambda t: t.strip())


def cues(duration: dict):
    return _cues(duration.get("value") if duration["type"] == "TIME" else 3600)


@cache
def _cues(length):
    at = st.integers(0, max(0, math.ceil(length) - 1)) if length >= 1 else st.just(0)
    return st.lists(st.fixed_dictionaries({"at": at, "text": CUE_TEXT}), min_size=1, max_size=4)


@cache
@st.composite
def steps_v3(draw, sport: str):
    step = draw(steps(sport))
    duration = step["duration"]
    if draw(st.integers(0, 2)) > 0:
        step["target"] = draw(targets_v3(sport, duration["type"]))
        if step["target"]["type"] == "CADENCE":
            step.pop("cadence", None)
    if draw(st.integers(0, 3)) == 0:
        step["cues"] = draw(cues(duration))
    return step


@cache
@st.composite
def nodes_v3(draw, sport: str, depth: int = 0):
    items = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            items.append({"repeat": draw(st.integers(2, 6)), "steps": draw(nodes_v3(sport, depth + 1))})
        else:
            items.append(draw(steps_v3(sport)))
    return items


@cache
@st.composite
def workouts_v3(draw, sports=SPORTS):
    """Valid workouts using everything the third round added (and all that was there before)."""
    workout = draw(workouts(sports))
    workout["steps"] = draw(within(nodes_v3(workout["sport"]), 200))
    return workout


# -- long workouts that push a device's step limit (issue 19) --------------------------------------

@cache
@st.composite
def long_step_v3(draw, sport: str):
    """A cheap step for long workouts: timed mostly (ramps, percents, ranges), some distance or lap-press."""
    kind = draw(pick(*["TIME"] * 8, "DISTANCE", "OPEN"))
    intensity = draw(pick(*INTENSITIES))
    if kind == "OPEN":
        return {"intensity": intensity, "duration": {"type": "OPEN"}}
    if kind == "DISTANCE":
        return {"intensity": intensity, "duration": {"type": "DISTANCE", "value": draw(st.integers(100, 5000))}}
    step = {"intensity": intensity, "duration": {"type": "TIME", "value": draw(st.integers(20, 1800))}}
    kinds = {"BIKE": ["POWER", "HEART_RATE"], "RUN": ["PACE", "HEART_RATE", "POWER"], "SWIM": ["PACE", "HEART_RATE"]}
    kind = draw(pick(*kinds[sport]))
    low, high = PERCENTS[kind]
    a, b = draw(st.integers(low, min(high, 150))), draw(st.integers(low, min(high, 150)))
    shape = draw(pick("ramp", "ramp", "percent", "zone", "none"))
    if shape == "ramp":
        step["target"] = {"type": kind, "from": a, "to": b, "unit": "PERCENT"}
    elif shape == "percent":
        step["target"] = {"type": kind, "min": min(a, b), "max": max(a, b), "unit": "PERCENT"}
    elif shape == "zone":
        step["target"] = {"type": kind, "zone": draw(st.integers(1, 5))}
    if draw(st.integers(0, 5)) == 0:
        step["cues"] = [{"at": 0, "text": "Go"}]
    return step


@cache
def _long_steps(sport: str):
    return st.lists(long_step_v3(sport), min_size=60, max_size=200)


@cache
@st.composite
def long_workouts_v3(draw, sports=("BIKE", "RUN", "SWIM")):
    """Flat workouts of 60 to 200 steps, most of them timed ramps and percents."""
    sport = draw(pick(*sports))
    steps = draw(_long_steps(sport))
    return {"sport": sport, "name": "Long", "steps": steps}


# -- strength, cardio and multisport workouts (issue 21) -------------------------------------------

from workouts.catalog import catalog as _catalog  # noqa: E402  (this section is appended)
from workouts.constants import KG_PER_LB, LEG_SPORTS, WEIGHT_MAX_KG  # noqa: E402


@cache
@st.composite
def exercises(draw):
    """An exercise of Garmin's catalog (as garmin-fit-sdk ships it), now and then the category alone."""
    names = _catalog().names
    category = draw(pick(*sorted(c for c in names if names[c])))
    if draw(st.integers(0, 5)) == 0:
        return {"category": category}
    return {"category": category, "name": draw(pick(*sorted(names[category])))}


@cache
def _weight_values(top: int):
    return st.integers(1, top) | st.decimals(1, top, places=1).map(float)


@cache
@st.composite
def weights(draw):
    unit = draw(pick("KG", "LB"))
    top = WEIGHT_MAX_KG if unit == "KG" else int(WEIGHT_MAX_KG / KG_PER_LB)
    value = draw(_weight_values(top))
    return {"value": value, "unit": unit}


STRENGTH_TARGETS = st.sampled_from([{"type": "HEART_RATE", "zone": 3}, {"type": "HEART_RATE", "min": 120, "max": 150},
                                    {"type": "HEART_RATE", "min": 60, "max": 70, "unit": "PERCENT"}])


@cache
@st.composite
def strength_steps(draw, sport: str):
    kind = draw(pick("REPS", "REPS", "REPS", "TIME", "OPEN", "DISTANCE"))
    step = {"intensity": draw(pick("ACTIVE", "ACTIVE", "WARMUP", "COOLDOWN", "RECOVERY"))}
    if kind == "REPS":
        step["duration"] = {"type": "REPS", "value": draw(st.integers(1, 999))}
    elif kind == "TIME":
        step["duration"] = {"type": "TIME", "value": draw(st.integers(5, 3600))}
    elif kind == "DISTANCE":
        step["duration"] = {"type": "DISTANCE", "value": draw(st.integers(10, 2000))}
    else:
        step["duration"] = {"type": "OPEN"}
    if draw(st.integers(0, 4)):
        step["exercise"] = draw(exercises())
    if draw(st.booleans()):
        step["weight"] = draw(weights())
    if draw(st.integers(0, 4)) == 0:
        step["target"] = draw(STRENGTH_TARGETS)
    if draw(st.booleans()):
        step["name"] = draw(TEXT)
    return step


def _rest(seconds: int) -> dict:
    return {"intensity": "REST", "duration": {"type": "TIME", "value": seconds}}


@cache
@st.composite
def strength_nodes(draw, sport: str, depth: int = 0):
    """Sets (a repeat of an exercise and a rest), supersets (a set of sets), single steps and rests."""
    items = []
    for _ in range(draw(st.integers(1, 4))):
        shape = draw(pick("set", "set", "step", "rest", *(["superset"] if depth == 0 else [])))
        if shape == "set":
            items.append({"repeat": draw(st.integers(2, 6)),
                          "steps": [draw(strength_steps(sport)), _rest(draw(st.integers(15, 300)))]})
        elif shape == "superset":
            items.append({"repeat": draw(st.integers(2, 4)), "steps": draw(strength_nodes(sport, depth + 1))})
        elif shape == "step":
            items.append(draw(strength_steps(sport)))
        else:
            items.append(_rest(draw(st.integers(15, 600))))
    return items


@cache
@st.composite
def strength_workouts(draw, sports=("STRENGTH", "CARDIO")):
    sport = draw(pick(*sports))
    return {"sport": sport, "name": draw(NAMED), "steps": draw(within(strength_nodes(sport), 200))}


@cache
@st.composite
def multisport_workouts(draw, max_legs: int = 5):
    """2 to ``max_legs`` legs of any sport but MULTISPORT, at most 250 steps over all of them."""
    legs, total = [], 0
    for _ in range(draw(st.integers(2, max_legs))):
        sport = draw(pick(*LEG_SPORTS))
        nodes = strength_nodes(sport) if sport in ("STRENGTH", "CARDIO") else nodes_v3(sport)
        steps = draw(within(nodes, min(200, 250 - total - 1)))
        total += expanded(steps)
        legs.append({"sport": sport, "steps": steps})
    workout = {"sport": "MULTISPORT", "name": draw(NAMED), "legs": legs}
    if any(leg["sport"] == "SWIM" for leg in legs) and draw(st.booleans()):
        workout["poolLength"] = draw(pick(25, 50))
        workout["poolLengthUnit"] = draw(pick("METER", "YARD"))
    return workout
