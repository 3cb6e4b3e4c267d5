"""FIT workout files: the writer (fit-tool), and the reader of files written elsewhere
(Garmin's own FIT SDK, ``garmin-fit-sdk``).

Both follow Garmin's FIT SDK profile (the ``file_id``, ``workout`` and ``workout_step``
messages of a workout file), so any FIT-reading device or Garmin's own FIT SDK reads the
same steps back:

- repeats are native: a ``repeat_until_steps_cmplt`` step after the block's steps, with
  ``duration_step`` = the block's first step and ``target_repeat_steps`` = the count;
  blocks nested two deep stay nested;
- custom targets use the profile's offsets (its ``workout_power`` and ``workout_hr`` types):
  power as watts + 1000 and heart rate as bpm + 100; below the offset the same fields hold a
  percent of FTP or of max heart rate, which the device resolves against its own thresholds;
  pace as speed in m/s; cadence in rpm;
- a zone the athlete has no threshold for is sent as a zone number (``target_hr_zone``,
  ``target_power_zone``, ``target_speed_zone``), which the device resolves; a percent target
  is sent resolved (watts, bpm, speed) where the athlete's threshold is known, else as the
  profile's percent of FTP or of max heart rate (a pace percent has no FIT form: no target,
  said so);
- cadence rides as the secondary target, or as the primary when there is no other;
- FIT steps have no ramp: a ramp is sent as a few flat steps (workouts.ramps.ramp_steps: each
  holds the slice of the ramp it covers as a range, the same time and the same work), said so;
- FIT steps have no timed messages: a step's cues are folded into its notes, said so;
- strength and cardio workouts (sport ``training``, sub-sport ``strength_training`` or
  ``cardio_training``): a step's exercise as ``exercise_category`` and ``exercise_name`` (the
  catalog's FIT numbers, workouts/catalog.py), its weight as ``exercise_weight`` in kilograms
  (0.01 kg) with ``weight_display_unit`` kilogram or pound as the coach wrote it, REPS as
  ``duration_type`` reps with ``duration_reps``;
- a multisport workout has no FIT workout file: a workout file holds one sport, and one file
  per leg is several workouts, not the brick (no transitions, no order a device keeps), so
  :func:`write` refuses it (:class:`Unwritable`); :func:`write_legs` gives each leg's own file
  for a caller that offers them as such, each said to be one leg only.

The reader (:func:`read`) is below the writer.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    FitBaseUnit,
    Intensity,
    Manufacturer,
    Sport,
    SubSport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from workouts import catalog
from workouts.constants import KG_PER_LB, MAX_REPEAT_DEPTH, MULTISPORT, REPEAT_MAX
from workouts.notes import Notes
from workouts.ramps import is_ramp, ramp_steps
from workouts.structure import Node, Repeat, native_tree
from workouts.zones import round_half_up

from . import reading

SPORTS = {"BIKE": Sport.CYCLING, "RUN": Sport.RUNNING, "SWIM": Sport.SWIMMING,
          "ROW": Sport.ROWING, "OTHER": Sport.GENERIC, "STRENGTH": Sport.TRAINING, "CARDIO": Sport.TRAINING}
SUB_SPORTS = {"STRENGTH": SubSport.STRENGTH_TRAINING, "CARDIO": SubSport.CARDIO_TRAINING}
WEIGHT_UNITS = {"KG": FitBaseUnit.KILOGRAM, "LB": FitBaseUnit.POUND}
INTENSITIES = {"WARMUP": Intensity.WARMUP, "ACTIVE": Intensity.ACTIVE, "RECOVERY": Intensity.RECOVERY,
               "REST": Intensity.REST, "COOLDOWN": Intensity.COOLDOWN}
HEART_RATE_OFFSET = 100  # custom heart rate: below it, a percent of max heart rate
POWER_OFFSET = 1000  # custom power: below it, a percent of FTP


# -- the writer ------------------------------------------------------------------------------------

class Unwritable(ValueError):
    """No FIT workout file can hold this workout; the message says why."""


MULTISPORT_REASON = ("sport: a FIT workout file holds one sport; a multisport workout would be one file per leg, "
                     "which is several workouts, not this one (no transitions, no order a device keeps)")


def convert(normalized: dict, created: datetime | None = None) -> bytes:
    """The bytes of a .fit workout file."""
    return write(normalized, created)[0]


def write_legs(normalized: dict, created: datetime | None = None) -> list[tuple[str, bytes, tuple[str, ...]]]:
    """A multisport workout's legs as FIT files of their own: (leg path, bytes, notes) each,
    the first note saying the file is that leg only."""
    out = []
    for index, leg in enumerate(normalized["legs"]):
        one = {"normalized": True, "sport": leg["sport"], "name": f"{normalized['name'].strip()} ({index + 1})",
               "description": None, "steps": leg["steps"], "totals": leg["totals"]}
        for key in ("poolLength", "poolLengthUnit"):
            if leg["sport"] == "SWIM" and normalized.get(key) is not None:
                one[key] = normalized[key]
        data, notes = write(one, created)
        said = f"legs[{index}]: this file is the {leg['sport'].lower()} leg alone, not the multisport workout"
        out.append((f"legs[{index}]", data, (said,) + notes))
    return out


def write(normalized: dict, created: datetime | None = None) -> tuple[bytes, tuple[str, ...]]:
    """The bytes of a .fit workout file and what it sends differently (ramps as steps, cues as
    notes, a percent the profile cannot hold), one note per change."""
    if normalized["sport"] == MULTISPORT:
        raise Unwritable(MULTISPORT_REASON)
    created = created or datetime.now(timezone.utc)
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    notes = Notes()
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = zlib.crc32(normalized["name"].encode()) or 1
    file_id.time_created = round(created.timestamp() * 1000)

    steps: list[WorkoutStepMessage] = []
    _add(native_tree(normalized["steps"]), steps, normalized["sport"], notes)

    if normalized.get("description"):
        notes.add("description", "a FIT workout file has no description: left out")
    workout = WorkoutMessage()
    workout.workout_name = _fit_string(normalized["name"].strip(), "name", notes)
    workout.sport = SPORTS[normalized["sport"]]
    if normalized["sport"] in SUB_SPORTS:
        workout.sub_sport = SUB_SPORTS[normalized["sport"]]
    workout.num_valid_steps = len(steps)

    builder = FitFileBuilder(auto_define=True, min_string_size=16)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return builder.build().to_bytes(), tuple(notes.items)


def _add(nodes: list[Node], steps: list[WorkoutStepMessage], sport: str, notes: Notes) -> None:
    for node in nodes:
        if isinstance(node, Repeat):
            first = len(steps)
            _add(node.steps, steps, sport, notes)
            message = WorkoutStepMessage()
            message.message_index = len(steps)
            message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            message.duration_step = first
            message.target_repeat_steps = node.count
            steps.append(message)
            continue
        for piece in _pieces(node, sport, notes):
            steps.append(_step(piece, len(steps), sport, notes))


# -- ramps as steps, cues as notes ---------------------------------------------------------------

def _pieces(step: dict, sport: str, notes: Notes) -> list[dict]:
    """The step as FIT steps: itself, or a ramp's flat slices (workouts.ramps: the same time and
    work); each one's cues folded into its notes."""
    target = step.get("target")
    if is_ramp(target) and step["duration"]["type"] == "TIME":
        split = ramp_steps(step, sport)
        pieces = [dict(piece) for piece in split.steps]
        notes.add("", f"{split.note} (FIT steps hold no ramp)")
    elif is_ramp(target):  # only a timed step ramps (validation): its range, then
        pieces = [{**step, "target": _as_range(target)}]
    else:
        pieces = [dict(step)]
    folded = False
    for piece in pieces:
        timed = sorted(piece.pop("cues", None) or [], key=lambda cue: cue["at"])
        if timed:
            told = " · ".join(f"{_clock(c['at'])} {c['text']}" for c in timed)
            piece["notes"] = " · ".join(p for p in (piece.get("notes"), told) if p)
            folded = True
    if folded:
        notes.add(step["path"], "its cues are in the step's notes (FIT steps have no timed messages)")
    return pieces


def _as_range(target: dict) -> dict:
    out = {"type": target["type"]}
    if "from" in target:
        out["min"], out["max"] = sorted((target["from"], target["to"]))
    if "from" in (target.get("percent") or {}):
        out["percent"] = dict(zip(("min", "max"), sorted((target["percent"]["from"], target["percent"]["to"]))))
    return out


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


# -- one step --------------------------------------------------------------------------------------

FIT_STRING_BYTES = 254  # a FIT string field holds 255 bytes, its NUL terminator included


def _fit_string(text: str, path: str, notes: Notes) -> str:
    """``text`` as a FIT string field holds it: at most 254 bytes of UTF-8, cut between
    characters with an ellipsis (a note says so)."""
    if len(text.encode("utf-8")) <= FIT_STRING_BYTES:
        return text
    cut = text
    while len((cut + "…").encode("utf-8")) > FIT_STRING_BYTES:
        cut = cut[:-1]
    notes.add(path, f"a text of {len(text.encode('utf-8'))} bytes is cut to the {FIT_STRING_BYTES} a FIT field holds")
    return cut + "…"


def _step(step: dict, index: int, sport: str, notes: Notes) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if step.get("name"):
        message.workout_step_name = _fit_string(step["name"], step.get("path", ""), notes)
    if step.get("notes"):
        message.notes = _fit_string(step["notes"], step.get("path", ""), notes)
    message.intensity = INTENSITIES[step["intensity"]]
    duration = step["duration"]
    if duration["type"] == "TIME":
        message.duration_type = WorkoutStepDuration.TIME
        message.duration_time = float(duration["value"])
    elif duration["type"] == "DISTANCE":
        message.duration_type = WorkoutStepDuration.DISTANCE
        message.duration_distance = float(duration["value"])
    elif duration["type"] == "REPS":
        message.duration_type = WorkoutStepDuration.REPS
        message.duration_reps = int(duration["value"])
    else:
        message.duration_type = WorkoutStepDuration.OPEN
    _exercise(message, step)

    target, cadence = step.get("target"), step.get("cadence")
    if target is None and cadence and sport == "BIKE":
        target, cadence = {"type": "CADENCE", "min": cadence["min"], "max": cadence["max"]}, None
    _primary(message, target, step.get("path", ""), notes)
    if cadence:
        message.secondary_target_type = WorkoutStepTarget.CADENCE
        message.secondary_target_value = 0
        message.secondary_custom_target_cadence_low = round(cadence["min"])
        message.secondary_custom_target_cadence_high = round(cadence["max"])
    return message


def _exercise(message: WorkoutStepMessage, step: dict) -> None:
    """A strength step's exercise (the catalog's FIT numbers) and weight (kg, the coach's unit shown)."""
    exercise, weight = step.get("exercise"), step.get("weight")
    if exercise:
        category, name = catalog.fit_numbers(exercise["category"], exercise.get("name"))
        message.exercise_category = category
        if name is not None:  # no name: the category alone (the profile's invalid 65535, left unset)
            message.exercise_name = name
    if weight:
        message.exercise_weight = round(weight["kg"], 2)
        message.weight_display_unit = WEIGHT_UNITS[weight["unit"]]


def _whole_percent(values: tuple[float, float], path: str, label: str, notes: Notes) -> tuple[int, int]:
    whole = tuple(round_half_up(v) for v in values)
    if any(abs(w - v) > 1e-9 for w, v in zip(whole, values)):
        notes.add(path, f"{values[0]:g}-{values[1]:g} % of {label} is {whole[0]}-{whole[1]} % here "
                        "(FIT holds whole percents)")
    return whole


def _primary(message: WorkoutStepMessage, target: dict | None, path: str, notes: Notes) -> None:
    if target is None:
        message.target_type = WorkoutStepTarget.OPEN
        return
    kind = target["type"]
    resolved = "min" in target
    percent = target.get("percent")
    if kind == "POWER":
        if resolved:
            message.target_type = WorkoutStepTarget.POWER
            message.target_value = 0
            message.custom_target_power_low = round(target["min"]) + POWER_OFFSET
            message.custom_target_power_high = round(target["max"]) + POWER_OFFSET
        elif percent is not None:
            low, high = _whole_percent((percent["min"], percent["max"]), path, "FTP", notes)
            if high >= POWER_OFFSET:
                notes.add(path, f"{high} % of FTP is beyond what a FIT file holds: no target")
                message.target_type = WorkoutStepTarget.OPEN
                return
            message.target_type = WorkoutStepTarget.POWER
            message.target_value = 0
            message.custom_target_power_low = max(low, 1)  # 0 would be no target at all
            message.custom_target_power_high = max(high, 1)
        else:
            message.target_type = WorkoutStepTarget.POWER
            message.target_power_zone = target["zone"]
    elif kind == "HEART_RATE":
        if resolved:
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_value = 0
            message.custom_target_heart_rate_low = round(target["min"]) + HEART_RATE_OFFSET
            message.custom_target_heart_rate_high = round(target["max"]) + HEART_RATE_OFFSET
        elif percent is not None:
            low, high = _whole_percent((percent["min"], percent["max"]), path, "max heart rate", notes)
            if high >= HEART_RATE_OFFSET:
                notes.add(path, f"{low}-{high} % of max heart rate needs the athlete's max heart rate "
                                "(a FIT percent stays under 100): no target")
                message.target_type = WorkoutStepTarget.OPEN
                return
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_value = 0
            message.custom_target_heart_rate_low = low
            message.custom_target_heart_rate_high = high
        else:
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_hr_zone = target["zone"]
    elif kind == "PACE":
        if resolved:  # the slower pace is the lower speed
            message.target_type = WorkoutStepTarget.SPEED
            message.target_value = 0
            message.custom_target_speed_low = 1000.0 / target["max"]
            message.custom_target_speed_high = 1000.0 / target["min"]
        elif percent is not None:
            notes.add(path, "a pace as a percent of threshold needs the athlete's threshold pace "
                            "(FIT has no percent pace): no target")
            message.target_type = WorkoutStepTarget.OPEN
        else:
            message.target_type = WorkoutStepTarget.SPEED
            message.target_speed_zone = target["zone"]
    else:
        message.target_type = WorkoutStepTarget.CADENCE
        message.target_value = 0
        message.custom_target_cadence_low = round(target["min"])
        message.custom_target_cadence_high = round(target["max"])


# -- the reader ------------------------------------------------------------------------------------
#
# A FIT file of type workout (the ``file_id``), decoded by Garmin's FIT SDK with its CRC checked:
# ``workout`` (``wkt_name``, ``sport``) and its ``workout_step`` messages.  A step is read as:
#
# - duration: ``time``/``repetition_time`` (s), ``distance`` (m), ``open``; a step that ends on a
#   heart rate, a power, calories or training stress is read as a lap-press step, said so;
# - target (``target_value`` 0 is custom, else it holds a zone): power as watts + 1000 or, below
#   1000, a percent of FTP (the profile's ``workout_power``); heart rate as bpm + 100 or, below 100,
#   a percent of max heart rate (``workout_hr``); speed (m/s) as a pace; cadence in rpm; the 3 s,
#   10 s, 30 s and lap averages of power, speed and heart rate as the plain target, said so;
#   grade, resistance and swim stroke have no place in our format (no target, said so);
# - the secondary target: cadence (other secondary targets left out, said so);
# - intensity: warmup, active, interval (ACTIVE), rest, recovery, cooldown; none is ACTIVE;
# - ``repeat_until_steps_cmplt``: the steps from ``duration_step`` to it, ``repeat_steps`` times
#   (nested two deep at most); other repeats (until a time, a distance, a heart rate...) refused;
# - a ``training`` workout whose sub-sport is ``strength_training`` or ``cardio_training`` is a
#   STRENGTH or CARDIO workout: ``reps`` steps (``duration_reps``), ``exercise_category`` and
#   ``exercise_name`` read through the catalog (a name outside the category is left out, said so),
#   ``exercise_weight`` (kg) in its ``weight_display_unit`` (a pound weight back in pounds).
#
# A FIT file of any other type (an activity, a course...) is refused, saying which it is.

FIT_SPORTS = {"cycling": "BIKE", "running": "RUN", "swimming": "SWIM", "rowing": "ROW", "generic": "OTHER",
              "e_biking": "BIKE", "walking": "OTHER", "hiking": "OTHER", "fitness_equipment": "OTHER",
              "training": "OTHER", "cross_country_skiing": "OTHER", "paddling": "OTHER"}
FIT_STRENGTH = {"strength_training": "STRENGTH", "cardio_training": "CARDIO"}  # sub-sports of ``training``
FIT_INTENSITIES = {"warmup": "WARMUP", "active": "ACTIVE", "interval": "ACTIVE", "rest": "REST",
                   "recovery": "RECOVERY", "cooldown": "COOLDOWN", "other": "ACTIVE"}
AVERAGED = {"power_3s": "power", "power_10s": "power", "power_30s": "power", "power_lap": "power",
            "speed_lap": "speed", "heart_rate_lap": "heart_rate"}
ENDS_ON = {"hr_less_than": "a heart rate", "hr_greater_than": "a heart rate", "calories": "calories",
           "power_less_than": "a power", "power_greater_than": "a power", "training_peaks_tss": "training stress",
           "power_3s_less_than": "a power", "power_10s_less_than": "a power", "power_30s_less_than": "a power",
           "power_3s_greater_than": "a power", "power_10s_greater_than": "a power",
           "power_30s_greater_than": "a power", "power_lap_less_than": "a power",
           "power_lap_greater_than": "a power"}


def read(data: bytes, sport: str | None = None):
    """A FIT workout file as our workout (what a coach would have written) and notes, or
    :class:`ReadError` with one problem per step message it cannot read."""
    from garmin_fit_sdk import Decoder, Stream

    from . import MAX_BYTES, Imported, LineProblem, ReadError

    if len(data) > MAX_BYTES:
        raise ReadError([LineProblem(None, None, f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are read")])
    try:
        stream = Stream.from_byte_array(bytearray(data))
        decoder = Decoder(stream)
        if not decoder.is_fit():
            raise ReadError([LineProblem(None, None, "not a FIT file (no FIT header)")])
        if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
            raise ReadError([LineProblem(None, None, "the FIT file is damaged (its CRC does not match)")])
        messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    except ReadError:
        raise
    except Exception as error:  # the SDK's own errors on a truncated or hostile file
        raise ReadError([LineProblem(None, None, f"the FIT file cannot be decoded ({type(error).__name__})")]) from None
    if errors:
        raise ReadError([LineProblem(None, None, f"the FIT file cannot be decoded ({str(errors[0])[:80]})")])
    file_ids = messages.get("file_id_mesgs") or []
    kind = file_ids[0].get("type") if file_ids else None
    if kind != "workout":
        shown = kind if isinstance(kind, str) else ("of no type" if kind is None else f"type {kind}")
        raise ReadError([LineProblem(None, "file_id", f"the FIT file is {_article(shown)} file, not a workout "
                                                      "(its file_id type is not workout)")])
    notes = Notes()
    header = (messages.get("workout_mesgs") or [{}])[0]
    fit_sport = header.get("sport")
    ours = FIT_SPORTS.get(fit_sport) if isinstance(fit_sport, str) else None
    if fit_sport == "training" and header.get("sub_sport") in FIT_STRENGTH:
        ours = FIT_STRENGTH[header["sub_sport"]]
    elif ours is None:
        ours = "OTHER"
        if fit_sport is not None:
            notes.add("sport", f"the FIT sport '{fit_sport}' is read as OTHER")
    elif fit_sport not in ("cycling", "running", "swimming", "rowing", "generic"):
        notes.add("sport", f"the FIT sport '{fit_sport}' is read as {ours}")
    if sport and sport != ours:
        notes.add("sport", f"the file is a {ours.lower()} workout, the session a {sport.lower()}: the file's "
                           "sport is kept")
    reader = _FitReader(ours, notes)
    steps = reader.tree(messages.get("workout_step_mesgs") or [])
    if reader.problems:
        raise ReadError(reader.problems)
    if not steps:
        raise ReadError([LineProblem(None, "workout_step", "the workout has no steps")])
    workout = {"sport": ours, "name": reading.name_of(header.get("wkt_name"), notes), "steps": steps}
    return Imported(workout, list(notes.items))


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


class _FitReader:
    def __init__(self, sport: str, notes: Notes):
        self.sport = sport
        self.notes = notes
        self.problems: list = []

    def problem(self, index: int, message: str) -> None:
        from . import LineProblem

        self.problems.append(LineProblem(None, f"workout_step {index}", message))

    def tree(self, messages: list[dict]) -> list[dict]:
        """Steps and repeat blocks: each repeat step closes the nodes from its duration_step on."""
        nodes: list[tuple[int, dict]] = []  # (index of the node's first message, node)
        for index, message in enumerate(messages):
            kind = message.get("duration_type")
            if kind == "repeat_until_steps_cmplt":
                start = message.get("duration_step")
                count = message.get("repeat_steps", message.get("target_value"))
                if not isinstance(start, int) or not 0 <= start < index:
                    self.problem(index, f"the repeat goes back to step {start}, which is not before it")
                    continue
                body = [node for first, node in nodes if first >= start]
                if not body or not any(first == start for first, _ in nodes):
                    self.problem(index, f"the repeat goes back to step {start}, inside another block")
                    continue
                nodes = [(first, node) for first, node in nodes if first < start]
                if not isinstance(count, int) or count < 1:
                    self.problem(index, f"the repeat's count {count} is not a number of times")
                    continue
                if count > REPEAT_MAX:
                    self.problem(index, f"the repeat's count {count} is over the {REPEAT_MAX} a block holds")
                    continue
                if count == 1:
                    nodes.extend((start, node) for node in body)
                    continue
                depth = 1 + max((reading._depth(node) for node in body), default=0)
                if depth > MAX_REPEAT_DEPTH:
                    self.problem(index, f"repeats nested {depth} deep: a workout nests them {MAX_REPEAT_DEPTH} deep "
                                        "at most")
                    continue
                nodes.append((start, {"repeat": count, "steps": body}))
            elif isinstance(kind, str) and kind.startswith("repeat_until"):
                self.problem(index, f"a repeat {kind.replace('_', ' ').removeprefix('repeat ')} has no place in our "
                                    "workouts (they repeat a number of times)")
            else:
                step = self.step(index, message)
                if step is not None:
                    nodes.append((index, step))
        return [node for _, node in nodes]

    def step(self, index: int, message: dict) -> dict | None:
        path = f"workout_step {index}"
        kind = message.get("duration_type")
        step: dict = {"intensity": FIT_INTENSITIES.get(message.get("intensity"), "ACTIVE")}
        if kind in ("time", "repetition_time", "time_only"):
            value = message.get("duration_time")
            if not isinstance(value, (int, float)) or value <= 0:
                self.problem(index, "a timed step needs a time over 0 s")
                return None
            step["duration"] = {"type": "TIME", "value": reading.seconds(float(value))}
        elif kind == "distance":
            value = message.get("duration_distance")
            if not isinstance(value, (int, float)) or value <= 0:
                self.problem(index, "a distance step needs a distance over 0 m")
                return None
            step["duration"] = {"type": "DISTANCE", "value": reading.number(float(value), 2)}
        elif kind == "open" or kind is None:
            step["duration"] = {"type": "OPEN"}
        elif kind in ENDS_ON:
            self.notes.add(path, f"a step that ends on {ENDS_ON[kind]} is read as a lap-press step")
            step["duration"] = {"type": "OPEN"}
        elif kind == "reps" and self.sport in FIT_STRENGTH.values():
            reps = message.get("duration_reps", message.get("duration_value"))
            if not isinstance(reps, int) or not 1 <= reps <= 999:
                self.problem(index, f"a step of {reps} repetitions: a set is 1 to 999")
                return None
            step["duration"] = {"type": "REPS", "value": reps}
        elif kind == "reps":
            self.problem(index, "a step of repetitions is a strength exercise, not an endurance step")
            return None
        else:
            self.problem(index, f"the duration type '{kind}' has no place in our workouts")
            return None
        step["target"] = self.target(index, message, "")
        cadence = self.secondary(index, message)
        if cadence:
            step["cadence"] = cadence
        name = reading.step_name(message.get("wkt_step_name"), path, self.notes)
        if name:
            step["name"] = name
        told = reading.step_notes(message.get("notes"), path, self.notes)
        if told:
            step["notes"] = told
        if self.sport in FIT_STRENGTH.values():
            self.strength(index, message, step)
        return step

    def strength(self, index: int, message: dict, step: dict) -> None:
        path = f"workout_step {index}"
        category = message.get("exercise_category")
        if category is not None:
            found = catalog.from_fit(category, message.get("exercise_name"))
            if found is None:
                self.notes.add(path, f"the exercise category {category} is not in Garmin's catalog: left out")
            else:
                step["exercise"] = {"category": found[0]}
                if found[1]:
                    step["exercise"]["name"] = found[1]
                elif message.get("exercise_name") is not None:
                    self.notes.add(path, f"exercise {message['exercise_name']} is not one of {found[0]}: the "
                                         "category alone is read")
        kg = message.get("exercise_weight")
        if isinstance(kg, (int, float)) and kg > 0:
            if message.get("weight_display_unit") == "pound":
                step["weight"] = {"value": reading.number(kg / KG_PER_LB, 1), "unit": "LB"}
            else:
                step["weight"] = {"value": reading.number(kg, 2), "unit": "KG"}

    def target(self, index: int, message: dict, prefix: str) -> dict | None:
        path = f"workout_step {index}"
        kind = message.get(prefix + "target_type", "open")
        if kind in AVERAGED:
            self.notes.add(path, f"a {kind.replace('_', ' ')} average target is read as the plain "
                                 f"{AVERAGED[kind].replace('_', ' ')} target")
            kind = AVERAGED[kind]
        if kind in (None, "open"):
            return None
        zone = message.get(prefix + "target_value")
        low = message.get(prefix + "custom_target_value_low")
        high = message.get(prefix + "custom_target_value_high")
        custom = zone in (0, None) and isinstance(low, (int, float)) and isinstance(high, (int, float))
        if not isinstance(kind, str) or kind not in ("power", "heart_rate", "speed", "cadence"):
            self.notes.add(path, f"a {str(kind).replace('_', ' ')} target has no place in our workouts: no target")
            return None
        if self.sport in FIT_STRENGTH.values() and kind != "heart_rate":
            self.notes.add(path, f"a {kind.replace('_', ' ')} target in a {self.sport.lower()} workout is left out "
                                 "(a set's target is heart rate only)")
            return None
        if kind == "power" and self.sport == "SWIM":
            self.notes.add(path, "a power target in a swim is left out")
            return None
        if kind == "speed" and self.sport == "BIKE":
            self.notes.add(path, "a speed target on a bike is left out (our rides take power, heart rate or cadence)")
            return None
        if kind == "cadence" and self.sport != "BIKE":
            self.notes.add(path, "a cadence target is only for rides: left out")
            return None
        if not custom:
            if not isinstance(zone, int) or zone <= 0:
                self.problem(index, f"the {kind.replace('_', ' ')} target has neither a zone nor a range")
                return None
            ours = {"power": "POWER", "heart_rate": "HEART_RATE", "speed": "PACE"}.get(kind)
            if ours is None:
                self.notes.add(path, "a cadence zone has no place in our workouts (cadence has none): no target")
                return None
            from workouts.zones import zone_count

            if zone > zone_count(ours):
                self.problem(index, f"{kind.replace('_', ' ')} zone {zone}: our zones go to {zone_count(ours)}")
                return None
            return {"type": ours, "zone": zone}
        low, high = sorted((low, high))
        if kind == "power":
            if low >= POWER_OFFSET and high >= POWER_OFFSET:
                low, high = low - POWER_OFFSET, high - POWER_OFFSET
                if low == 0 and high > 0:  # zone 1 resolved starts at 0 W; our ranges start above it
                    self.notes.add(path, f"0-{high} W is read as 1-{high} W (a power range starts above 0)")
                    low = 1
                return {"type": "POWER", "min": low, "max": high}
            if high < POWER_OFFSET:
                if low == 0 and high > 0:
                    self.notes.add(path, f"0-{high} % of FTP is read as 1-{high} % (a power range starts above 0)")
                    low = 1
                return {"type": "POWER", "min": low, "max": high, "unit": "PERCENT"}
            self.problem(index, "the power range mixes a percent of FTP and watts")
            return None
        if kind == "heart_rate":
            if low >= HEART_RATE_OFFSET and high >= HEART_RATE_OFFSET:
                return {"type": "HEART_RATE", "min": low - HEART_RATE_OFFSET, "max": high - HEART_RATE_OFFSET}
            if high < HEART_RATE_OFFSET:
                return {"type": "HEART_RATE", "min": low, "max": high, "unit": "PERCENT"}
            self.problem(index, "the heart-rate range mixes a percent of max heart rate and bpm")
            return None
        if kind == "speed":  # the raw field is mm/s; the SDK's subfield has it in m/s
            speeds = (message.get(prefix + "custom_target_speed_low"), message.get(prefix + "custom_target_speed_high"))
            if all(isinstance(v, (int, float)) for v in speeds):
                low, high = sorted(speeds)
            else:
                low, high = low / 1000, high / 1000
            if low <= 0:
                self.problem(index, "a speed target needs speeds over 0 m/s")
                return None
            per = 100 if self.sport == "SWIM" else 1000  # a swim's pace is per 100 m
            return {"type": "PACE", "min": reading.number(per / high, 2), "max": reading.number(per / low, 2)}
        return {"type": "CADENCE", "min": low, "max": high}

    def secondary(self, index: int, message: dict) -> dict | None:
        kind = message.get("secondary_target_type")
        if kind in (None, "open"):
            return None
        if kind != "cadence":
            self.notes.add(f"workout_step {index}", f"the secondary {str(kind).replace('_', ' ')} target is left out "
                                                    "(a step's second target is cadence only)")
            return None
        if self.sport != "BIKE":
            self.notes.add(f"workout_step {index}", "a cadence target is only for rides: left out")
            return None
        low = message.get("secondary_custom_target_value_low")
        high = message.get("secondary_custom_target_value_high")
        if not isinstance(low, (int, float)) or not isinstance(high, (int, float)) or message.get(
                "secondary_target_value") not in (0, None):
            self.notes.add(f"workout_step {index}", "a cadence zone has no place in our workouts: left out")
            return None
        low, high = sorted((low, high))
        return {"min": low, "max": high}
