"""Hypothesis strategies: valid workouts of every shape the format allows, and thresholds."""

from __future__ import annotations

from hypothesis import strategies as st

from workouts.constants import INTENSITIES, SPORTS

PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
TEXT = st.text(alphabet=PRINTABLE, min_size=1, max_size=20)


def _range(low, high, whole=True):
    number = st.integers(low, high) if whole else st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.tuples(number, number).map(sorted)


@st.composite
def targets(draw, sport: str):
    kinds = ["HEART_RATE"]
    if sport != "SWIM":
        kinds.append("POWER")
    if sport != "BIKE":
        kinds.append("PACE")
    if sport == "BIKE":
        kinds.append("CADENCE")
    kind = draw(st.sampled_from(kinds))
    zones = {"POWER": 7, "HEART_RATE": 5, "PACE": 5}.get(kind)
    if zones and draw(st.booleans()):
        return {"type": kind, "zone": draw(st.integers(1, zones))}
    low, high = {
        "POWER": (1, 3000), "HEART_RATE": (30, 250), "CADENCE": (20, 250),
        "PACE": (6, 180) if sport == "SWIM" else (60, 1800),
    }[kind]
    lo, hi = draw(_range(low, high, whole=draw(st.booleans()) or kind != "PACE"))
    return {"type": kind, "min": lo, "max": hi}


@st.composite
def steps(draw, sport: str):
    kind = draw(st.sampled_from(["TIME", "DISTANCE", "OPEN"]))
    step = {"intensity": draw(st.sampled_from(INTENSITIES))}
    if kind == "TIME":
        step["duration"] = {"type": "TIME", "value": draw(st.integers(1, 86400) | st.floats(0.5, 86400))}
    elif kind == "DISTANCE":
        step["duration"] = {"type": "DISTANCE", "value": draw(st.integers(1, 1_000_000))}
    else:
        step["duration"] = {"type": "OPEN"}
    target = draw(st.none() | targets(sport))
    if target is not None or draw(st.booleans()):
        step["target"] = target
    if sport == "BIKE" and (target is None or target["type"] != "CADENCE") and draw(st.booleans()):
        low, high = draw(_range(20, 250))
        step["cadence"] = {"min": low, "max": high}
    if draw(st.booleans()):
        step["name"] = draw(TEXT)
    if draw(st.booleans()):
        step["notes"] = draw(st.text(alphabet=PRINTABLE, max_size=200).filter(lambda t: t.strip()))
    return step


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


@st.composite
def workouts(draw, sports=SPORTS):
    sport = draw(st.sampled_from(sports))
    workout = {"sport": sport, "name": draw(st.text(alphabet=PRINTABLE, min_size=1, max_size=80).filter(lambda t: t.strip())),
               "steps": draw(nodes(sport).filter(lambda items: expanded(items) <= 200))}
    if draw(st.booleans()):
        workout["description"] = draw(st.text(alphabet=PRINTABLE, max_size=1000))
    if draw(st.booleans()):
        workout["location"] = draw(st.sampled_from(["INDOOR", "OUTDOOR"]))
    if sport == "SWIM" and draw(st.booleans()):
        workout["poolLength"] = draw(st.sampled_from([25, 50, 33.33]))
        workout["poolLengthUnit"] = draw(st.sampled_from(["METER", "YARD"]))
    return workout


thresholds = st.fixed_dictionaries({}, optional={
    "ftp_watts": st.integers(50, 500),
    "max_heart_rate": st.integers(150, 220),
    "threshold_pace_sec_per_km": st.integers(180, 480),
    "swim_threshold_pace_sec_per_100m": st.integers(70, 115),  # slower, and zone 1 leaves the plausible range
})
