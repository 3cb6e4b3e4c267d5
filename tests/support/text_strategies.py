"""Workouts the text format holds exactly (workouts/formats/text.py): read(write(w)) == w.

The canonical form: what the text can say, said one way.
- Optional fields are absent rather than null; ``unit`` appears only as PERCENT.
- No primary CADENCE target (the text has only a step's cadence), no location or pool.
- Names, notes and cue texts have no surrounding spaces; names nothing the reader takes for
  more than a name (the writer's own check, ``holds_name``); notes and cues no ``<!>``.
- The description: no blank first or last line, no trailing spaces, no carriage return, and no
  line starting with ``-`` (which would read as a step); the name does not start with ``-``.
- Numbers fit the reader's 24 characters (any float the strategies draw but the tiniest).
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from tests.support.strategies import PERCENTS, PRINTABLE, _absolute_limits, expanded, pick, within
from workouts.constants import INTENSITIES, SPORTS
from workouts.formats.text import MAX_NUMBER_CHARS, _num, _Writer

HOLDS_NAME = _Writer({"sport": "BIKE", "name": "x", "steps": []}).holds_name


def _fits(value) -> bool:
    return len(_num(value)) <= MAX_NUMBER_CHARS


# Each strategy made once per set of arguments (see tests/support/strategies.py).
@cache
def _number(low, high):
    return st.integers(low, high) | st.floats(low, high, allow_nan=False, allow_infinity=False).filter(_fits)


@cache
def _text(max_size: int):
    return st.text(alphabet=PRINTABLE, min_size=1, max_size=max_size).filter(
        lambda t: t == t.strip() and t and "<!>" not in t)


names = _text(50).filter(HOLDS_NAME)
SECONDS = _number(1, 86400) | st.floats(0.5, 1).filter(_fits)


@cache
@st.composite
def targets(draw, sport: str, timed: bool):
    kinds = ["HEART_RATE"] + (["POWER"] if sport != "SWIM" else []) + (["PACE"] if sport != "BIKE" else [])
    kind = draw(pick(*kinds))
    shape = draw(pick("zone", "range", "percent", *(["ramp", "percent ramp"] if timed else [])))
    if shape == "zone":
        return {"type": kind, "zone": draw(st.integers(1, {"POWER": 7, "HEART_RATE": 5, "PACE": 5}[kind]))}
    percent = "percent" in shape
    low, high = PERCENTS[kind] if percent else _absolute_limits(kind, sport)
    a, b = draw(_number(low, high)), draw(_number(low, high))
    target = {"type": kind, "from": a, "to": b} if "ramp" in shape else {"type": kind, "min": min(a, b), "max": max(a, b)}
    if percent:
        target["unit"] = "PERCENT"
    return target


@cache
def _cues(length):
    at = st.integers(0, max(0, int(length) - 1)) if length >= 1 else st.just(0)
    return st.lists(st.fixed_dictionaries({"at": at, "text": _text(40)}), min_size=1, max_size=3)


@cache
@st.composite
def steps(draw, sport: str):
    kind = draw(pick("TIME", "TIME", "DISTANCE", "OPEN"))
    step: dict = {"intensity": draw(pick(*INTENSITIES))}
    if kind == "TIME":
        step["duration"] = {"type": "TIME", "value": draw(SECONDS)}
    elif kind == "DISTANCE":
        step["duration"] = {"type": "DISTANCE", "value": draw(_number(1, 1_000_000))}
    else:
        step["duration"] = {"type": "OPEN"}
    if draw(st.integers(0, 3)):
        step["target"] = draw(targets(sport, kind == "TIME"))
    if sport == "BIKE" and draw(st.booleans()):
        low, high = sorted((draw(_number(20, 250)), draw(_number(20, 250))))
        step["cadence"] = {"min": low, "max": high}
    if draw(st.booleans()):
        step["name"] = draw(names)
    if draw(st.integers(0, 3)) == 0:
        step["notes"] = draw(_text(200))
    if draw(st.integers(0, 3)) == 0:
        step["cues"] = draw(_cues(step["duration"].get("value", 5000) if kind == "TIME" else 5000))
    return step


@cache
@st.composite
def nodes(draw, sport: str, depth: int = 0):
    items = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            items.append({"repeat": draw(st.integers(2, 5)), "steps": draw(nodes(sport, depth + 1))})
        else:
            items.append(draw(steps(sport)))
    return items


def _description_line(line: str) -> bool:
    return line == line.rstrip() and not line.lstrip().startswith("-")


descriptions = st.lists(
    st.text(alphabet=PRINTABLE, max_size=60).filter(_description_line), min_size=1, max_size=5,
).map("\n".join).filter(lambda d: d.strip() and d.split("\n")[0].strip() and d.split("\n")[-1].strip()
                        and len(d) <= 1000)


WORKOUT_NAME = st.text(alphabet=PRINTABLE, min_size=1, max_size=80).filter(
    lambda t: t == t.strip() and t and not t.startswith("-"))


@cache
@st.composite
def text_workouts(draw, sports=SPORTS):
    """Valid workouts in the text's canonical form (see the module)."""
    sport = draw(pick(*sports))
    workout = {"sport": sport, "name": draw(WORKOUT_NAME), "steps": draw(within(nodes(sport), 200))}
    if draw(st.booleans()):
        workout["description"] = draw(descriptions)
    return workout
