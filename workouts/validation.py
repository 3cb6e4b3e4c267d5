"""Every rule a structured workout must follow, in one place.

The JSON API, the coach's plan editor, the ``flask workouts`` commands and the export job
all call :func:`check_workout`; nothing else decides whether a workout is valid, so a rule
changed here changes everywhere at once.  Provider limits (Garmin's step count, Wahoo's
sports) are not here: each converter checks its own and reports them as :class:`Problem`
too, so every refusal reads the same way.

Each problem names a path (``steps[1].steps[0]``, or a top-level field) and the rule it
breaks, the form that workout-format.md asks for and that the API's 422 ``fields`` use.
The third round's percent targets, ramps and cues are checked the same way (``steps[0]: a
ramp needs a TIME duration``, ``steps[0].cues[1]: ...``), their limits in constants.py.

Strength and cardio workouts (``STRENGTH``, ``CARDIO``) add a step's ``exercise`` from Garmin's
catalog (catalog.py), ``REPS`` durations and ``weight``; a ``MULTISPORT`` workout holds 2 to 25
``legs``, each checked under its own sport's rules with paths such as ``legs[1].steps[0]``, at
most 250 steps over all of them.

The checker never expands repeat blocks: it counts the expanded steps arithmetically and
stops descending past the allowed nesting, so a "repeat bomb" is refused as fast as any
other workout of the same size in bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import catalog
from .characters import RULE as TEXT_RULE
from .characters import is_clean
from .constants import (
    ALL_SPORTS,
    CADENCE_LIMITS,
    CUE_TEXT_MAX,
    CUES_MAX,
    DESCRIPTION_MAX,
    DISTANCE_MAX_METERS,
    INTENSITIES,
    KG_PER_LB,
    LEG_SPORTS,
    LEGS_MAX,
    LEGS_MIN,
    LOCATIONS,
    MAX_EXPANDED_STEPS,
    MAX_REPEAT_DEPTH,
    MULTISPORT,
    MULTISPORT_MAX_STEPS,
    NAME_MAX,
    PERCENT_LIMITS,
    POOL_LENGTH_MAX,
    POOL_UNITS,
    RAMP_TYPES,
    REPEAT_MAX,
    REPEAT_MIN,
    REPS_MAX,
    REPS_MIN,
    STEP_NAME_MAX,
    STEP_NOTES_MAX,
    STRENGTH_SPORTS,
    STRENGTH_TARGET_TYPES,
    SWIM_PACE_FACTOR,
    TARGET_LIMITS,
    TARGET_TYPES,
    TARGET_UNITS,
    TIME_MAX_SECONDS,
    WEIGHT_MAX_KG,
    WEIGHT_UNITS,
)
from .zones import zone_count

MAX_PROBLEMS = 50

WORKOUT_KEYS = {"sport", "name", "description", "steps", "location", "poolLength", "poolLengthUnit"}
NORMALIZED_KEYS = WORKOUT_KEYS | {"normalized", "totals"}
MULTISPORT_KEYS = WORKOUT_KEYS - {"steps"} | {"legs"}
NORMALIZED_MULTISPORT_KEYS = MULTISPORT_KEYS | {"normalized", "totals"}
LEG_KEYS = {"sport", "steps"}
NORMALIZED_LEG_KEYS = LEG_KEYS | {"totals"}
STEP_KEYS = {"intensity", "duration", "target", "cadence", "name", "notes", "cues", "exercise", "weight"}
EXERCISE_KEYS = ({"category"}, {"category", "name"})
WEIGHT_KEYS = {"value", "unit"}
NORMALIZED_WEIGHT_KEYS = WEIGHT_KEYS | {"kg"}
ONLY_STRENGTH = "is only for STRENGTH or CARDIO"
NORMALIZED_STEP_KEYS = STEP_KEYS | {"path", "blocks"}
REPEAT_KEYS = {"repeat", "steps"}
DURATION_KEYS = {"type", "value"}
TARGET_KEYS = {"type", "zone", "min", "max", "unit", "from", "to"}
# A normalized target says "percent" instead of "unit" (normalize.py): its own numbers are absolute.
NORMALIZED_TARGET_KEYS = {"type", "zone", "min", "max", "from", "to", "percent"}
RANGE_KEYS = {"min", "max"}
RAMP_KEYS = {"from", "to"}
CUE_KEYS = {"at", "text"}
EXACTLY_ONE = "target needs exactly one of zone or both min and max"
EXACTLY_ONE_OR_RAMP = "target needs exactly one of zone, both min and max, or both from and to (a ramp)"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (a path in the workout) and which rule."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}" if self.path else self.rule


class WorkoutInvalid(ValueError):
    """A workout that breaks at least one rule; ``str()`` is the session's lastExportError."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(dict.fromkeys(problems))  # each once, in order: a converter may meet one twice
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "Validation failed: " + "; ".join(str(p) for p in self.problems)


def check_workout(workout: object) -> list[Problem]:
    """All the problems of a workout (raw, or normalized by :func:`workouts.normalize`)."""
    checker = _Checker()
    checker.workout(workout)
    return checker.problems


def validate_workout(workout: object) -> None:
    """Raise :class:`WorkoutInvalid` unless the workout follows every rule."""
    problems = check_workout(workout)
    if problems:
        raise WorkoutInvalid(problems)


def is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_characters(text: str, allow_newlines: bool) -> bool:
    """Control characters, lone surrogates and bidirectional overrides (characters.py says why)."""
    return not is_clean(text, multiline=allow_newlines)


def _has_any(data: dict, keys: set) -> bool:
    return any(data.get(key) is not None for key in keys)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.sport: str | None = None
        self.normalized = False

    def add(self, path: str, rule: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(path, rule))

    # -- the workout --------------------------------------------------------------------

    def workout(self, data: object) -> None:
        if not isinstance(data, dict):
            self.add("", "a workout must be a JSON object")
            return
        self.normalized = data.get("normalized") is True
        if "normalized" in data and not self.normalized:
            self.add("normalized", "must be true when present")
        sport = data.get("sport")
        multi = sport == MULTISPORT
        if multi:
            allowed = NORMALIZED_MULTISPORT_KEYS if self.normalized else MULTISPORT_KEYS
        else:
            allowed = NORMALIZED_KEYS if self.normalized else WORKOUT_KEYS
        for key in data:
            if key not in allowed:
                self.add("", f"unknown field '{key}'")

        if sport is None:
            self.add("sport", "is required")
        elif sport not in ALL_SPORTS:
            self.add("sport", "must be one of " + ", ".join(ALL_SPORTS))
        else:
            self.sport = sport

        name = data.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
            self.add("name", f"must be 1 to {NAME_MAX} characters after trimming")
        elif _bad_characters(name, allow_newlines=False):
            self.add("name", TEXT_RULE)

        description = data.get("description")
        if description is not None:
            if not isinstance(description, str):
                self.add("description", "must be text")
            elif len(description) > DESCRIPTION_MAX:
                self.add("description", f"must be at most {DESCRIPTION_MAX:,} characters")
            elif _bad_characters(description, allow_newlines=True):
                self.add("description", TEXT_RULE)

        self.setting(data)
        if multi:
            self.legs(data.get("legs"))
        else:
            self.body(data.get("steps"), "steps")

    def body(self, steps: object, path: str) -> int:
        """A single-sport list of steps (a workout's, or a leg's); how many it expands to."""
        if not isinstance(steps, list):
            self.add(path, "must be a list of steps")
            return 0
        if self.normalized:
            count = self.flat_steps(steps, path)
        else:
            count = self.steps(steps, path, depth=0)
        if count == 0:
            self.add(path, "at least one step is required")
        elif count > MAX_EXPANDED_STEPS:
            self.add(path, f"at most {MAX_EXPANDED_STEPS} steps after expanding repeats (this one has {count:,})")
        return count

    def legs(self, legs: object) -> None:
        """A multisport workout's legs, each a single-sport body under its own sport's rules."""
        if not isinstance(legs, list):
            self.add("legs", "must be a list of legs, each {sport, steps}")
            return
        if not LEGS_MIN <= len(legs) <= LEGS_MAX:
            self.add("legs", f"a multisport workout has {LEGS_MIN} to {LEGS_MAX} legs (this one has {len(legs):,})")
            if len(legs) > LEGS_MAX:
                return
        total = 0
        for index, leg in enumerate(legs):
            where = f"legs[{index}]"
            if not isinstance(leg, dict):
                self.add(where, "a leg must be an object {sport, steps}")
                continue
            for key in leg:
                if key not in (NORMALIZED_LEG_KEYS if self.normalized else LEG_KEYS):
                    self.add(where, f"unknown field '{key}' in a leg")
            sport = leg.get("sport")
            if sport == MULTISPORT:
                self.add(f"{where}.sport", "a leg is one sport: MULTISPORT holds legs, it is not one")
            elif sport not in LEG_SPORTS:
                self.add(f"{where}.sport", "must be one of " + ", ".join(LEG_SPORTS))
            self.sport = sport if sport in LEG_SPORTS else None
            total += self.body(leg.get("steps"), f"{where}.steps")
        self.sport = MULTISPORT
        if total > MULTISPORT_MAX_STEPS:
            self.add("legs", f"at most {MULTISPORT_MAX_STEPS} steps over all legs after expanding repeats "
                             f"(this one has {total:,})")

    def setting(self, data: dict) -> None:
        """Where the workout is done: indoor or outdoor, and for a swim, the pool."""
        location = data.get("location")
        if location is not None and location not in LOCATIONS:
            self.add("location", "must be " + " or ".join(LOCATIONS))
        length, unit = data.get("poolLength"), data.get("poolLengthUnit")
        legs = data.get("legs") if self.sport == MULTISPORT and isinstance(data.get("legs"), list) else []
        swims = self.sport == "SWIM" or any(isinstance(leg, dict) and leg.get("sport") == "SWIM" for leg in legs)
        if (length is not None or unit is not None) and self.sport is not None and not swims:
            self.add("poolLength" if length is not None else "poolLengthUnit",
                     "a pool is only for a multisport workout with a SWIM leg" if self.sport == MULTISPORT
                     else "a pool is only for SWIM")
        if length is not None and (not is_number(length) or not 0 < length <= POOL_LENGTH_MAX):
            self.add("poolLength", f"must be a number greater than 0 and at most {POOL_LENGTH_MAX:,}")
        if unit is not None and unit not in POOL_UNITS:
            self.add("poolLengthUnit", "must be " + " or ".join(POOL_UNITS))

    # -- steps and repeat blocks --------------------------------------------------------

    def steps(self, steps: list, path: str, depth: int) -> int:
        """Check a list of steps and blocks; return how many steps it expands to."""
        if len(steps) > MAX_EXPANDED_STEPS:
            # Every step expands to at least one, so this list is too long whatever it holds.
            return len(steps)
        total = 0
        for index, item in enumerate(steps):
            item_path = f"{path}[{index}]"
            if isinstance(item, dict) and "repeat" in item:
                total += self.repeat(item, item_path, depth)
            else:
                self.step(item, item_path)
                total += 1
        return total

    def repeat(self, block: dict, path: str, depth: int) -> int:
        for key in block:
            if key not in REPEAT_KEYS:
                self.add(path, f"unknown field '{key}' in a repeat block")
        if depth >= MAX_REPEAT_DEPTH:
            self.add(path, f"repeat blocks may nest at most {MAX_REPEAT_DEPTH} deep")
            return 1
        count = block.get("repeat")
        if not is_whole(count) or not REPEAT_MIN <= count <= REPEAT_MAX:
            self.add(path, f"repeat must be a whole number from {REPEAT_MIN} to {REPEAT_MAX}")
            count = 1
        inner = block.get("steps")
        if not isinstance(inner, list) or not inner:
            self.add(path, "a repeat block needs a non-empty list of steps")
            return count
        return count * self.steps(inner, path + ".steps", depth + 1)

    def flat_steps(self, steps: list, path: str = "steps") -> int:
        if len(steps) > MAX_EXPANDED_STEPS:
            return len(steps)
        for index, item in enumerate(steps):
            self.step(item, f"{path}[{index}]")
        return len(steps)

    def step(self, step: object, path: str) -> None:
        if not isinstance(step, dict):
            self.add(path, "a step must be an object")
            return
        if self.normalized:
            path = step.get("path") if isinstance(step.get("path"), str) else path
            self.blocks(step.get("blocks"), path)
        allowed = NORMALIZED_STEP_KEYS if self.normalized else STEP_KEYS
        for key in step:
            if key not in allowed:
                self.add(path, f"unknown field '{key}'")

        if step.get("intensity") not in INTENSITIES:
            self.add(path, "intensity must be one of " + ", ".join(INTENSITIES))
        duration = step.get("duration")
        self.duration(duration, path, "duration" in step)
        self.target(step.get("target"), path, duration if isinstance(duration, dict) else {})
        self.cadence(step.get("cadence"), path)
        self.cues(step.get("cues"), path, duration if isinstance(duration, dict) else {})
        target = step.get("target")
        if isinstance(target, dict) and target.get("type") == "CADENCE" and step.get("cadence") is not None:
            self.add(path, "a step with a CADENCE target takes no separate cadence range")
        self.text(step.get("name"), path, "step name", STEP_NAME_MAX, allow_newlines=False)
        self.text(step.get("notes"), path, "step notes", STEP_NOTES_MAX, allow_newlines=True)
        self.exercise(step.get("exercise"), path)
        self.weight(step.get("weight"), path)

    def blocks(self, blocks: object, path: str) -> None:
        if not isinstance(blocks, list) or len(blocks) > MAX_REPEAT_DEPTH:
            self.add(path, "blocks must list at most two enclosing repeat blocks")
            return
        for block in blocks:
            ok = (
                isinstance(block, dict)
                and set(block) == {"path", "repeat", "iteration"}
                and isinstance(block["path"], str)
                and is_whole(block["repeat"])
                and REPEAT_MIN <= block["repeat"] <= REPEAT_MAX
                and is_whole(block["iteration"])
                and 1 <= block["iteration"] <= block["repeat"]
            )
            if not ok:
                self.add(path, "each block needs a path, a repeat count and an iteration within it")

    def text(self, value: object, path: str, label: str, limit: int, allow_newlines: bool) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(path, f"{label} must be text")
        elif len(value) > limit:
            self.add(path, f"{label} must be at most {limit} characters")
        elif _bad_characters(value, allow_newlines):
            self.add(path, f"{label} {TEXT_RULE}")

    # -- duration and targets -----------------------------------------------------------

    def duration(self, duration: object, path: str, present: bool) -> None:
        if duration is None:
            self.add(path, "duration is required" if not present else "duration must be an object")
            return
        if not isinstance(duration, dict):
            self.add(path, "duration must be an object")
            return
        for key in duration:
            if key not in DURATION_KEYS:
                self.add(path, f"unknown field '{key}' in duration")
        kind = duration.get("type")
        value = duration.get("value")
        strength = self.sport in STRENGTH_SPORTS
        if kind == "OPEN":
            if value is not None:
                self.add(path, "an OPEN duration takes no value")
        elif kind == "REPS" and (strength or self.sport is None):
            if not is_whole(value) or not REPS_MIN <= value <= REPS_MAX:
                self.add(path, f"a REPS duration is a whole number of repetitions from {REPS_MIN} to {REPS_MAX}")
        elif kind == "REPS":
            self.add(path, f"a REPS duration {ONLY_STRENGTH}")
        elif kind in ("TIME", "DISTANCE"):
            if not is_number(value):
                self.add(path, f"{kind} duration needs a numeric value")
            elif value <= 0:
                self.add(path, f"{kind} duration must be greater than 0")
            elif kind == "TIME" and value > TIME_MAX_SECONDS:
                self.add(path, "TIME duration must be at most 24 h (86,400 s)")
            elif kind == "DISTANCE" and value > DISTANCE_MAX_METERS:
                self.add(path, "DISTANCE duration must be at most 1,000 km (1,000,000 m)")
        else:
            self.add(path, "duration type must be TIME, DISTANCE, OPEN or REPS" if strength
                     else "duration type must be TIME, DISTANCE or OPEN")

    def target(self, target: object, path: str, duration: dict) -> None:
        if target is None:
            return
        if not isinstance(target, dict):
            self.add(path, "target must be an object or null")
            return
        allowed = NORMALIZED_TARGET_KEYS if self.normalized else TARGET_KEYS
        for key in target:
            if key not in allowed:
                self.add(path, f"unknown field '{key}' in target")
        kind = target.get("type")
        if kind not in TARGET_TYPES:
            self.add(path, "target type must be one of " + ", ".join(TARGET_TYPES))
            return
        self.sport_allows(kind, path)
        if self.normalized:
            self.normalized_target(target, path, kind, duration)
            return

        unit = target.get("unit")
        if unit is not None and unit not in TARGET_UNITS:
            self.add(path, "target unit must be " + " or ".join(TARGET_UNITS))
        percent = unit == "PERCENT"
        if percent and kind == "CADENCE":
            self.add(path, "a CADENCE target takes no PERCENT unit (cadence has no threshold)")
            percent = False
        if _has_any(target, RAMP_KEYS):
            if _has_any(target, {"zone", "min", "max"}):
                self.add(path, EXACTLY_ONE_OR_RAMP)
            elif self.ramp(target, path, kind, duration):
                self.values(target["from"], target["to"], path, kind, percent, resolved=False, ramp=True)
            return
        zone = target.get("zone")
        has_zone = zone is not None
        has_min, has_max = target.get("min") is not None, target.get("max") is not None
        if has_zone == (has_min or has_max) or has_min != has_max:
            self.add(path, EXACTLY_ONE)
        if has_zone:
            if unit is not None:
                self.add(path, "a zone target takes no unit")
            self.zone(zone, kind, path)
        if has_min and has_max:
            self.values(target["min"], target["max"], path, kind, percent, resolved=False)

    def normalized_target(self, target: dict, path: str, kind: str, duration: dict) -> None:
        """The shapes normalize.py writes: a zone, a range, a ramp, or a percent of either.

        A percent keeps its own numbers under ``percent``; ``min``/``max`` or ``from``/``to``
        beside it are what it resolved to for the athlete (absent while the threshold is unknown).
        """
        percent = target.get("percent")
        zone = target.get("zone")
        if percent is not None:
            if not isinstance(percent, dict) or set(percent) not in (RANGE_KEYS, RAMP_KEYS):
                self.add(path, "target percent must be {min, max} or {from, to}")
                return
            if zone is not None:
                self.add(path, "a percent target takes no zone")
            if kind == "CADENCE":
                self.add(path, "a CADENCE target takes no PERCENT unit (cadence has no threshold)")
                return
            ramp = set(percent) == RAMP_KEYS
            own, other = (RAMP_KEYS, RANGE_KEYS) if ramp else (RANGE_KEYS, RAMP_KEYS)
            if _has_any(target, other):
                self.add(path, EXACTLY_ONE_OR_RAMP)
                return
            if ramp and not self.ramp(percent, path, kind, duration):
                return
            first, second = ("from", "to") if ramp else ("min", "max")
            self.values(percent[first], percent[second], path, kind, True, resolved=False, ramp=ramp)
            present = [key for key in own if target.get(key) is not None]
            if present and len(present) != 2:
                self.add(path, f"a resolved percent needs both {first} and {second}")
            elif present:
                self.values(target[first], target[second], path, kind, False, resolved=True, ramp=ramp)
            return
        if _has_any(target, RAMP_KEYS):
            if _has_any(target, {"zone", "min", "max"}):
                self.add(path, EXACTLY_ONE_OR_RAMP)
            elif self.ramp(target, path, kind, duration):
                self.values(target["from"], target["to"], path, kind, False, resolved=False, ramp=True)
            return
        has_zone = zone is not None
        has_min, has_max = target.get("min") is not None, target.get("max") is not None
        # A target resolved from a zone keeps its zone number beside the range.
        resolved = has_zone and has_min and has_max
        if not resolved and (has_zone == (has_min or has_max) or has_min != has_max):
            self.add(path, EXACTLY_ONE)
        if has_zone:
            self.zone(zone, kind, path)
        if has_min and has_max:
            self.values(target["min"], target["max"], path, kind, False, resolved=resolved)

    def zone(self, zone: object, kind: str, path: str) -> None:
        zones = zone_count(kind)
        if zones == 0:
            self.add(path, f"{kind} has no zones")
        elif not is_whole(zone) or not 1 <= zone <= zones:
            self.add(path, f"{kind} zone must be a whole number from 1 to {zones}")

    def ramp(self, ends: dict, path: str, kind: str, duration: dict) -> bool:
        """The rules of a ramp's shape; True when its two ends are there to check."""
        ok = True
        if ends.get("from") is None or ends.get("to") is None:
            self.add(path, "a ramp needs both from and to")
            ok = False
        if kind not in RAMP_TYPES:
            self.add(path, f"a ramp is only for {', '.join(RAMP_TYPES[:-1])} or {RAMP_TYPES[-1]} targets")
            ok = False
        if duration.get("type") in ("DISTANCE", "OPEN"):
            # The target moves with time: over a distance or until a lap press its slope is unknown.
            self.add(path, "a ramp needs a TIME duration")
        return ok

    def values(self, low: object, high: object, path: str, kind: str, percent: bool, resolved: bool,
               ramp: bool = False) -> None:
        """Two numbers of a target: a range's min and max (in order) or a ramp's from and to (any order)."""
        if not is_number(low) or not is_number(high):
            self.add(path, "ramp from and to must be numbers" if ramp else "target min and max must be numbers")
            return
        if not ramp and low > high:
            self.add(path, "target min must not exceed max")
        if percent:
            floor, ceiling = PERCENT_LIMITS[kind]
            if min(low, high) < floor or max(low, high) > ceiling:
                self.add(path, f"{kind} percents must be between {_fmt(floor)} and {_fmt(ceiling)} %")
            return
        self.limits(min(low, high), max(low, high), path, kind, resolved)

    def limits(self, low: float, high: float, path: str, kind: str, resolved: bool) -> None:
        floor, ceiling, unit = TARGET_LIMITS[kind]
        if kind == "PACE" and self.sport == "SWIM" and not self.normalized:
            floor, ceiling, unit = floor / SWIM_PACE_FACTOR, ceiling / SWIM_PACE_FACTOR, "s/100 m"
        # Zone 1 of POWER starts at 0 % of FTP; a range the coach types must be positive.
        too_low = low < floor if (resolved or kind != "POWER") else low <= floor
        if too_low or high > ceiling:
            if kind == "POWER":
                self.add(path, f"POWER values must be greater than 0 and at most {_fmt(ceiling)} W")
            else:
                self.add(path, f"{kind} values must be between {_fmt(floor)} and {_fmt(ceiling)} {unit}")

    def cues(self, cues: object, path: str, duration: dict) -> None:
        """Text shown at a time into the step; any order (the normalizer sorts them by time)."""
        if cues is None:
            return
        if not isinstance(cues, list):
            self.add(path, "cues must be a list of {at, text}")
            return
        if len(cues) > CUES_MAX:
            self.add(path, f"at most {CUES_MAX} cues per step")
            return
        # Only a TIME step's length is known; a cue of a distance or lap-press step is checked from 0.
        length = duration.get("value") if duration.get("type") == "TIME" and is_number(duration.get("value")) else None
        for index, cue in enumerate(cues):
            where = f"{path}.cues[{index}]"
            if not isinstance(cue, dict) or set(cue) != CUE_KEYS:
                self.add(where, "a cue must be {at, text}")
                continue
            at, text = cue["at"], cue["text"]
            if not is_number(at) or at < 0:
                self.add(where, "a cue's at must be a number of seconds from 0")
            elif length is not None and at >= length:
                self.add(where, f"a cue's at must be within the step's {_fmt(length)} s")
            if not isinstance(text, str) or not text.strip() or len(text) > CUE_TEXT_MAX:
                self.add(where, f"cue text must be 1 to {CUE_TEXT_MAX} characters")
            elif _bad_characters(text, allow_newlines=False):
                self.add(where, "cue text must not contain control characters")

    def cadence(self, cadence: object, path: str) -> None:
        if cadence is None:
            return
        if not isinstance(cadence, dict) or set(cadence) != RANGE_KEYS:
            self.add(path, "cadence must be {min, max} in rpm")
            return
        if self.sport is not None and self.sport != "BIKE":
            self.add(path, "cadence target is only allowed for BIKE")
        low, high = cadence["min"], cadence["max"]
        if not is_number(low) or not is_number(high):
            self.add(path, "cadence min and max must be numbers")
            return
        if low > high:
            self.add(path, "cadence min must not exceed max")
        if low < CADENCE_LIMITS[0] or high > CADENCE_LIMITS[1]:
            self.add(path, f"cadence values must be between {CADENCE_LIMITS[0]} and {CADENCE_LIMITS[1]} rpm")

    def sport_allows(self, kind: str, path: str) -> None:
        if self.sport is None:
            return
        if self.sport in STRENGTH_SPORTS and kind not in STRENGTH_TARGET_TYPES:
            # A set has no power, pace or cadence to hold; heart rate it has.
            self.add(path, f"{kind} target is not allowed for {self.sport} (only HEART_RATE)")
        elif kind == "CADENCE" and self.sport != "BIKE":
            self.add(path, "cadence target is only allowed for BIKE")
        elif kind == "PACE" and self.sport == "BIKE":
            self.add(path, "PACE target is not allowed for BIKE")
        elif kind == "POWER" and self.sport == "SWIM":
            self.add(path, "POWER target is not allowed for SWIM")

    # -- strength and cardio --------------------------------------------------------------

    def exercise(self, exercise: object, path: str) -> None:
        """An exercise of Garmin's catalog: its category, and a name within that category."""
        if exercise is None:
            return
        if self.sport is not None and self.sport not in STRENGTH_SPORTS:
            self.add(path, f"an exercise {ONLY_STRENGTH}")
            return
        if not isinstance(exercise, dict) or set(exercise) not in EXERCISE_KEYS:
            self.add(path, "exercise must be {category, name} from Garmin's exercise catalog")
            return
        category, name = exercise["category"], exercise.get("name", "")
        if not isinstance(category, str) or not isinstance(name, str):
            self.add(path, "exercise category and name must be text")
            return
        problem = exercise_problem(category, exercise.get("name"))
        if problem:
            self.add(path, problem)

    def weight(self, weight: object, path: str) -> None:
        if weight is None:
            return
        if self.sport is not None and self.sport not in STRENGTH_SPORTS:
            self.add(path, f"a weight {ONLY_STRENGTH}")
            return
        keys = NORMALIZED_WEIGHT_KEYS if self.normalized else WEIGHT_KEYS
        if not isinstance(weight, dict) or set(weight) != keys or weight["unit"] not in WEIGHT_UNITS:
            self.add(path, "weight must be {value, unit} with unit " + " or ".join(WEIGHT_UNITS))
            return
        value, unit = weight["value"], weight["unit"]
        limit = WEIGHT_MAX_KG if unit == "KG" else WEIGHT_MAX_KG / KG_PER_LB
        if not is_number(value) or not 0 < value <= limit:
            self.add(path, f"weight must be more than 0 and at most {WEIGHT_MAX_KG:,} kg "
                           f"({WEIGHT_MAX_KG / KG_PER_LB:,.0f} lb)")
        elif self.normalized and not (is_number(weight["kg"]) and math.isclose(
                weight["kg"], value * (KG_PER_LB if unit == "LB" else 1), abs_tol=0.001)):
            self.add(path, "a normalized weight's kg must be its value in kilograms")


def exercise_problem(category: str, name: str | None) -> str | None:
    """What is wrong with an exercise, by Garmin's catalog (each message once, here), or None."""
    found = catalog.catalog()
    if category not in found.categories:
        spelled = catalog.api_name(category) if category else category
        if spelled in found.categories:
            return f"exercise category '{category}' is spelled {spelled}"
        return f"unknown exercise category '{category}' (not in Garmin's exercise catalog)"
    if name is None or catalog.is_exercise(category, name):
        return None
    spelled = catalog.api_name(catalog.fit_name(name)) if name else name
    if catalog.is_exercise(category, spelled):
        return f"exercise '{name}' is spelled {spelled}"
    elsewhere = found.category_of(name) or found.category_of(spelled)
    if elsewhere:
        return f"exercise {name} is not in category {category} (it is in {', '.join(elsewhere)})"
    return f"unknown exercise '{name}' (not in Garmin's exercise catalog)"
