"""SuuntoPlus Guides: a normalized workout as a guide's ``guide.json``, and what changed.

Follows suunto-research.md §2 (the guide file): §2.3 top-level fields and limits, §2.4 step
types, §2.5 conditions, §2.6 field types and units, §2.8 activity ids; and §5's observed
failures.  The ZIP that carries the guide and the per-delivery fields are in archive.py.

- ``type`` "sequence", ``usage`` "workout", ``name`` (1-60), ``description`` (1-256: the
  workout's, else its name), ``shortDescription`` (1-23, shown in the watch's list of guides:
  the name in the characters the watch renders), ``activities`` (§2.8: running 1, trail 22,
  treadmill 53; cycling 2, mountain biking 10, indoor cycling 52; pool swimming 21; rowing 15,
  indoor rowing 57; narrowed by the workout's ``location``; never the 3 of the 2021 sample,
  which is cross-country skiing).  OTHER has no sport mode to show a guide in: UNSUPPORTED;
- one ``fields`` step per step the athlete does: its title (≤13) the step's name (or its
  intensity), then its target fields, one measurement, and a countdown of what ends it.  A
  timed or distance step ends on ``or`` (that end, ``manualLap``) with ``createManualLap``,
  as a real partner guide does (§5.3): with a flat end the lap button cannot end a step; a
  lap-press step ends on ``manualLap``.  The ending is written as ``transitions`` (the S2
  reference, used live by two partners); archive.py rewrites it as a 2021 ``trigger`` (and
  the notification as a step of its own) when the client is told to;
- targets are absolute (§2.6): ``targetHeartRate`` in whole bpm, at most 250 (Suunto refuses
  more, §5.1), ``targetPower`` in W, ``targetPace`` in m/s (a pace range inverts), and
  ``targetCadence`` in Hz (rpm / 60), each as ``value`` (the middle) with ``min`` and ``max``
  as in Suunto's sample.  A zone or percent resolves against the athlete's thresholds; without
  the threshold the step goes without a target, its notification naming what the coach meant
  (noted, naming the missing threshold).  A cadence range beside the primary target is a
  second target field;
- a step's name (when longer than the title holds), notes and unresolved target are its
  ``notification`` (≤54 characters, six lines), shown when the step starts;
- ``repeat`` steps (1-100 times) hold fields steps and no step ids (Suunto refuses ids inside
  a repeat, §5.2: we send none anywhere); they do not nest, so a block in a block is sent with
  one level written out, whichever gives fewer steps (noted);
- a ramp is sent as flat steps (workouts.ramps: the same time and work, noted); a cue is a
  notification at its time, the timed step shown as several screens split at the cues
  (noted), and folded into the step's notification where the step is not timed (noted);
- durations are whole seconds and metres, as every live client sends (a fraction is
  rounded, noted);
- at most 1000 steps, counted as the watch plays them (repeats written out, a notification a
  step of its own), which holds whichever way Suunto counts (not published, §6): if the
  guide would be longer, cues are folded and ramps sent as fewer steps;
- texts the watch shows keep to its character set and its screens' lengths (text.py; noted).
"""

from __future__ import annotations

from bisect import bisect_right

from workouts import Thresholds
from workouts.ramps import is_ramp, ramp_steps
from workouts.structure import Node, Repeat, native_tree, one_level
from workouts.text import pace_text, ramp_text, target_text
from workouts.validation import Problem
from workouts.zones import round_half_up

from ..verdict import Fit, Notes
from .text import cut, watch_text

# Suunto activity ids (research §2.8), per sport and location: outdoors first.
ACTIVITIES = {
    "RUN": {"OUTDOOR": (1, 22), "INDOOR": (53,)},
    "BIKE": {"OUTDOOR": (2, 10), "INDOOR": (52,)},
    "SWIM": {"OUTDOOR": (21,), "INDOOR": (21,)},  # the format's swims are in a pool (open water is 85)
    "ROW": {"OUTDOOR": (15,), "INDOOR": (57,)},
}
SPORTS = tuple(ACTIVITIES)
NAME_MAX, DESCRIPTION_MAX, SHORT_MAX = 60, 256, 23
TITLE_MAX = 13  # a fields step's title and a notification's title
NOTIFICATION_MAX = 54
MAX_STEPS = 1000
HEART_RATE_MAX = 250  # "value is larger than the allowed maximum (250.0)" (§5.1)
TRANSITIONS, TRIGGER = "transitions", "trigger"  # the two published ways a step ends (§2.4)
LABEL = {"WARMUP": "Warm-up", "ACTIVE": "Active", "RECOVERY": "Recovery", "REST": "Rest", "COOLDOWN": "Cool-down"}
SPORT_LABEL = {"RUN": "Run", "BIKE": "Ride", "SWIM": "Swim", "ROW": "Row"}
TARGET_FIELD = {"HEART_RATE": "targetHeartRate", "POWER": "targetPower", "PACE": "targetPace",
                "CADENCE": "targetCadence"}
MEASURE = {"HEART_RATE": "heartRate", "POWER": "power", "PACE": "pace", "CADENCE": "cadence"}
# What a step with no target shows: the numbers an athlete of that sport watches.
DEFAULT_MEASURES = {"RUN": ("pace", "heartRate"), "BIKE": ("power", "heartRate"), "SWIM": ("pace", "heartRate"),
                    "ROW": ("pace", "heartRate")}
MISSING = {"POWER": "FTP", "HEART_RATE": "maximum heart rate", "PACE": "threshold pace"}
# Tried in order until the guide fits MAX_STEPS: (cues at their time, most steps per ramp).
PLANS = ((True, 5), (False, 5), (False, 4), (False, 3), (False, 2), (False, 1))


def fit(normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """The guide (without the per-delivery ``owner``, ``url``, ``localDate`` and
    ``externalId``: archive.guide_document adds them), with a note for every change."""
    thresholds = thresholds or Thresholds()
    sport = normalized["sport"]
    if sport not in ACTIVITIES:
        return Fit.unsupported([Problem("sport", f"Suunto shows a guide in the sport modes it names (running, "
                                                 f"cycling, pool swimming, rowing); {sport} has none")])
    tree = native_tree(normalized["steps"])
    for plan in PLANS:
        notes = Notes()
        top = _top(normalized, notes)
        converter = _Converter(sport, thresholds, notes, split_cues=plan[0], ramp_max=plan[1])
        steps = [guide_step for node in _one_level(tree, notes) for guide_step in converter.node(node)]
        if played(steps) <= MAX_STEPS:
            break
    else:  # pragma: no cover (200 steps with one screen each always fit)
        return Fit.unsupported([Problem("steps", f"Suunto takes at most {MAX_STEPS} steps")])
    if plan != PLANS[0]:
        notes.add("steps", f"the guide would be over Suunto's {MAX_STEPS} steps: cues are folded into notifications"
                           + (f" and ramps sent as at most {plan[1]} steps" if plan[1] < PLANS[0][1] else ""))
    guide = {"type": "sequence", "usage": "workout", **top, "activities": list(activities(normalized)),
             "steps": steps}
    return Fit.of(guide, notes)


def convert(normalized: dict, thresholds: Thresholds | None = None) -> dict:
    """The guide Suunto gets; raises Unsupported when it cannot take the workout."""
    return fit(normalized, thresholds).sendable()


def activities(normalized: dict) -> tuple[int, ...]:
    by_location = ACTIVITIES[normalized["sport"]]
    location = normalized.get("location")
    if location in by_location:
        return by_location[location]
    return tuple(dict.fromkeys(by_location["OUTDOOR"] + by_location["INDOOR"]))


def _top(normalized: dict, notes: Notes) -> dict:
    name = normalized["name"].strip()
    sent = cut(name, NAME_MAX)
    if sent != name:
        notes.add("name", f"the name is cut to Suunto's {NAME_MAX} characters: “{sent}”")
    description = (normalized.get("description") or "").strip() or sent
    described = cut(description, DESCRIPTION_MAX)
    if described != description:
        notes.add("description", f"the description is cut to Suunto's {DESCRIPTION_MAX} characters")
    short = cut(watch_text(name), SHORT_MAX) or SPORT_LABEL[normalized["sport"]]
    if short != name:
        notes.add("name", f"the watch's list of guides shows it as “{short}” ({SHORT_MAX} characters, in the "
                          "characters the watch renders)")
    return {"name": sent, "description": described, "shortDescription": short}


# -- repeats ------------------------------------------------------------------------------------

def _one_level(nodes: list[Node], notes: Notes) -> list[Node]:
    """Suunto's repeats do not nest: workouts.structure.one_level, with a note of which level went."""
    def say(node: Repeat, outer: bool) -> None:
        notes.add(node.path, f"a repeat holding a repeat is sent with its {node.count} repetitions written out "
                             "(Suunto's repeats do not nest)" if outer else
                  "a repeat holding a repeat is sent with the inner repeat written out (Suunto's repeats do not nest)")
    return one_level(nodes, say)


def played(steps: list[dict]) -> int:
    """Steps as the watch plays them: repeats written out, and a fields step's notification
    counted as a step of its own (it is one in the 2021 form)."""
    total = 0
    for step in steps:
        if step["type"] == "repeat":
            total += step["times"] * played(step["steps"])
        else:
            total += 2 if step.get("notification") else 1
    return total


# -- steps --------------------------------------------------------------------------------------

class _Converter:
    """One workout's steps as guide steps, noting every change."""

    def __init__(self, sport: str, thresholds: Thresholds, notes: Notes, split_cues: bool, ramp_max: int):
        self.sport, self.thresholds, self.notes = sport, thresholds, notes
        self.split_cues, self.ramp_max = split_cues, ramp_max

    def node(self, node: Node) -> list[dict]:
        if isinstance(node, Repeat):
            return [{"type": "repeat", "times": node.count,
                     "steps": [screen for child in node.steps for screen in self.step(child)]}]
        return self.step(node)

    def step(self, step: dict) -> list[dict]:
        """A step of the coach's as fields steps: one, or a ramp's slices, or a timed step's
        parts between its cues."""
        path = step["path"]
        title, lines = self.texts(step)
        parts, missing = self.parts(step)
        if missing:  # before the notes: if the notification must be cut, the notes lose their end
            lines.insert(len(lines) - bool((step.get("notes") or "").strip()), (missing, False))
        _whole_times(parts, path, self.notes)
        screens: list[dict] = []
        offset = 0  # where the part starts in the step, for the notes
        for index, part in enumerate(parts):
            for screen_index, (seconds, cue_lines) in enumerate(self.screens(part, path, offset, len(parts) > 1)):
                first = index == 0 and screen_index == 0
                shown = (lines if first else []) + [(text, True) for text in cue_lines]
                screens.append(self.fields_step(part, seconds, title, self.notification(shown, path),
                                                new_lap=screen_index == 0))
            offset += part["duration"].get("value", 0) if part["duration"]["type"] == "TIME" else 0
        return screens

    # -- what a step is sent as ---------------------------------------------------------------

    def parts(self, step: dict) -> tuple[list[dict], str | None]:
        """The step itself, or a ramp's flat slices; and the text of a target it cannot send."""
        target = step.get("target")
        if not is_ramp(target):
            return [dict(step)], self.unresolved(target, step["path"])
        if "from" in target:  # resolved against the athlete's threshold
            split = ramp_steps(step, self.sport, max_steps=self.ramp_max)
            self.notes.add("", f"{split.note} (a guide step holds no ramp)")
            return split.steps, None
        text = ramp_text(target, self.sport)
        self.notes.add(step["path"], f"a {text} is sent without a target (the step's notification names it): the "
                                     f"athlete's {self.missing(target['type'])} is missing")
        return [dict(step, target=None)], text

    def unresolved(self, target: dict | None, path: str) -> str | None:
        if target is None or "min" in target:
            return None
        text = target_text(target, self.sport)
        self.notes.add(path, f"{text[0].lower()}{text[1:]} is sent without a target (the step's notification names "
                             f"it): the athlete's {self.missing(target['type'])} is missing")
        return text

    def missing(self, kind: str) -> str:
        return "swim threshold pace" if kind == "PACE" and self.sport == "SWIM" else MISSING[kind]

    def screens(self, part: dict, path: str, offset: float = 0,
                sliced: bool = False) -> list[tuple[float | None, list[str]]]:
        """(length, the cue texts it pops up with) for each screen of a part: a timed part is
        split at its cues; elsewhere its cues go to the notification at its start."""
        cues = part.get("cues") or []
        duration = part["duration"]
        length = duration["value"] if duration["type"] == "TIME" else None
        if not cues:
            return [(length, [])]
        moments = [round_half_up(cue["at"]) for cue in cues]
        inner = sorted({m for m in moments if length is not None and 0 < m < length})
        if inner and self.split_cues:
            bounds = [0, *inner, length]
            groups: list[list[str]] = [[] for _ in inner] + [[]]
            for cue, moment in zip(cues, moments):
                groups[min(bisect_right(bounds, moment) - 1, len(groups) - 1)].append(cue["text"])
            self.notes.add(path, f"its cues pop up at {', '.join(pace_text(offset + m) for m in inner)}: the step is shown "
                                 f"as {len(groups)} screens split there, each counting down its own part (a lap "
                                 "press ends only the current one)")
            return [(bounds[i + 1] - bounds[i], groups[i]) for i in range(len(groups))]
        if all(moment <= 0 for moment in moments):
            return [(length, [cue["text"] for cue in cues])]  # at the start: where a notification shows
        why = ("Suunto shows a notification when a step starts, and this step is not timed" if length is None
               else f"the guide would be over {MAX_STEPS} steps with them at their time" if inner
               else "they fall at its very end")
        where = "the ramp's slice they fall in" if sliced else "the step"
        self.notes.add(path, f"its cues are in the notification at the start of {where} ({why})")
        return [(length, [f"{pace_text(offset + cue['at'])} {cue['text']}" for cue in cues])]

    # -- texts ----------------------------------------------------------------------------------

    def texts(self, step: dict) -> tuple[str, list[tuple[str, bool]]]:
        """The step's title, and the lines of its notification as (text, written by the coach)."""
        name = (step.get("name") or "").strip()
        shown_name = watch_text(name)
        title = cut(shown_name, TITLE_MAX) if shown_name else LABEL[step["intensity"]]
        lines: list[tuple[str, bool]] = []
        if shown_name and title != shown_name:
            lines.append((name, True))  # the whole name, where the title cannot hold it
        elif name and _changed(name):
            self.notes.add(step["path"], f"its name is shown as “{title}” ({RENDERED})")
        if (step.get("notes") or "").strip():
            lines.append((step["notes"].strip(), True))
        return title, lines

    def notification(self, lines: list[tuple[str, bool]], path: str) -> dict | None:
        if not lines:
            return None
        shown_all = watch_text("\n".join(text for text, _ in lines), multiline=True)
        text = cut(shown_all, NOTIFICATION_MAX)
        if any(coach and _changed(line) for line, coach in lines):
            self.notes.add(path, f"its texts are shown in other characters ({RENDERED})")
        if text != shown_all:
            self.notes.add(path, f"its notification shows “{text}” (a notification holds {NOTIFICATION_MAX} "
                                 "characters and six lines)")
        return {"text": text} if text else None

    # -- one fields step ------------------------------------------------------------------------

    def fields_step(self, part: dict, seconds: float | None, title: str, notification: dict | None,
                    new_lap: bool) -> dict:
        duration = part["duration"]
        kind = duration["type"]
        value = seconds if kind == "TIME" else duration.get("value")
        fields = self.targets(part)
        shown = [field["type"] for field in fields]
        measures = [MEASURE[TARGET_KIND[shown[0]]]] if shown else list(DEFAULT_MEASURES[self.sport])
        fields += [{"type": measure} for measure in measures]
        if kind == "TIME":
            fields.append({"type": "stepDurationCountdown", "value": value})
            ending = {"type": "or", "conditions": [{"type": "stepDuration", "value": value}, {"type": "manualLap"}]}
        elif kind == "DISTANCE":
            fields.append({"type": "stepDistanceCountdown", "value": value})
            ending = {"type": "or", "conditions": [{"type": "stepDistance", "value": value}, {"type": "manualLap"}]}
        else:
            fields.append({"type": "duration", "window": "step"})
            ending = {"type": "manualLap"}
        step = {"type": "fields", "title": title, "transitions": [{"condition": ending}]}
        if new_lap:
            step["createManualLap"] = True
        if notification:
            step["notification"] = {"title": title, **notification}
        step["fields"] = fields
        return step

    def targets(self, part: dict) -> list[dict]:
        target, cadence = part.get("target"), part.get("cadence")
        path = part["path"]
        out = []
        if target is not None and "min" in target:
            out.append(self.target_field(target["type"], target["min"], target["max"], path))
        if cadence:
            out.append(self.target_field("CADENCE", cadence["min"], cadence["max"], path))
        return out

    def target_field(self, kind: str, low: float, high: float, path: str) -> dict:
        if kind == "HEART_RATE":
            low, high = round_half_up(low), round_half_up(high)
            if high > HEART_RATE_MAX:
                self.notes.add(path, f"a heart rate of {high} bpm is over the {HEART_RATE_MAX} Suunto takes: the "
                                     f"target ends at {HEART_RATE_MAX}")
                low, high = min(low, HEART_RATE_MAX), HEART_RATE_MAX
            middle = round_half_up((low + high) / 2)
        elif kind == "PACE":  # seconds per km (a swim's too) -> metres per second; the slower pace is min
            low, high = round(1000.0 / high, 4), round(1000.0 / low, 4)
            middle = round((low + high) / 2, 4)
        elif kind == "CADENCE":  # rpm -> Hz
            low, high = round(low / 60, 4), round(high / 60, 4)
            middle = round((low + high) / 2, 4)
        else:
            low, high = _number(low), _number(high)
            middle = _number((low + high) / 2)
        return {"type": TARGET_FIELD[kind], "value": middle, "min": low, "max": high}


TARGET_KIND = {field: kind for kind, field in TARGET_FIELD.items()}
RENDERED = "the watch renders only basic Latin letters, digits and punctuation"


def _changed(text: str) -> bool:
    """Whether the watch would show ``text`` with other characters (spacing aside)."""
    plain = "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
    return watch_text(text, multiline=True) != plain


def _number(value: float) -> float | int:
    """Whole numbers as integers, others to two decimals (a ramp's slice of a few watts)."""
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def _whole_times(parts: list[dict], path: str, notes: Notes) -> None:
    """Whole seconds and metres, as live clients send them: timed parts keep their total, each
    boundary rounded; a fraction of a second or metre in the coach's step is said."""
    timed = [part for part in parts if part["duration"]["type"] == "TIME"]
    if timed:
        total = sum(part["duration"]["value"] for part in timed)
        running, previous = 0.0, 0
        for index, part in enumerate(timed):
            running += part["duration"]["value"]
            bound = max(previous + 1, round_half_up(running))
            part["duration"] = {"type": "TIME", "value": bound - previous}
            previous = bound
        if previous != total:
            notes.add(path, f"a {total:g} s step is sent as {previous} s (Suunto steps count whole seconds)")
    for part in parts:  # (copies: the normalized workout is the caller's)
        duration = part["duration"]
        if duration["type"] == "DISTANCE" and not float(duration["value"]).is_integer():
            metres = max(1, round_half_up(duration["value"]))
            notes.add(path, f"a {duration['value']:g} m step is sent as {metres} m (Suunto steps count whole metres)")
            part["duration"] = {"type": "DISTANCE", "value": metres}
        elif duration["type"] == "DISTANCE":
            part["duration"] = {"type": "DISTANCE", "value": int(duration["value"])}
