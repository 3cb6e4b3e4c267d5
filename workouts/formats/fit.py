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
- FIT steps have no ramp: a ramp is sent as a few steps of equal length, each holding its
  slice of the ramp as a range (the same time, and the same work: each slice's middle is the
  ramp's average over it), said so;
- FIT steps have no timed messages: a step's cues are folded into its notes, said so.

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
    Intensity,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from workouts.notes import Notes
from workouts.structure import Node, Repeat, native_tree
from workouts.constants import SWIM_PACE_FACTOR
from workouts.text import duration_text, pace_text
from workouts.zones import round_half_up

SPORTS = {"BIKE": Sport.CYCLING, "RUN": Sport.RUNNING, "SWIM": Sport.SWIMMING,
          "ROW": Sport.ROWING, "OTHER": Sport.GENERIC}
INTENSITIES = {"WARMUP": Intensity.WARMUP, "ACTIVE": Intensity.ACTIVE, "RECOVERY": Intensity.RECOVERY,
               "REST": Intensity.REST, "COOLDOWN": Intensity.COOLDOWN}
HEART_RATE_OFFSET = 100  # custom heart rate: below it, a percent of max heart rate
POWER_OFFSET = 1000  # custom power: below it, a percent of FTP
RAMP_SLICE_SECONDS = 120  # a ramp goes as slices of about this long ...
RAMP_SLICES = (2, 10)  # ... and at least 2, at most 10 of them
UNITS = {"POWER": "W", "HEART_RATE": "bpm"}


# -- the writer ------------------------------------------------------------------------------------

def convert(normalized: dict, created: datetime | None = None) -> bytes:
    """The bytes of a .fit workout file."""
    return write(normalized, created)[0]


def write(normalized: dict, created: datetime | None = None) -> tuple[bytes, tuple[str, ...]]:
    """The bytes of a .fit workout file and what it sends differently (ramps as steps, cues as
    notes, a percent the profile cannot hold), one note per change."""
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

    workout = WorkoutMessage()
    workout.workout_name = normalized["name"].strip()
    workout.sport = SPORTS[normalized["sport"]]
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

def ramp_slices(seconds: float, start: float, end: float) -> list[tuple[float, float, float]]:
    """A ramp from ``start`` to ``end`` over ``seconds`` as equal slices ``(seconds, low, high)``.

    Each slice's range is the part of the ramp it covers, so its middle is the ramp's average
    over it: the same time and the same work as the ramp.  (A pure function: the engine's own
    ramp helper, where there is one, says the same.)
    """
    low, high = RAMP_SLICES
    count = 1 if seconds < 2 else max(low, min(high, round(seconds / RAMP_SLICE_SECONDS)))
    length = seconds / count
    out = []
    for index in range(count):
        a = start + (end - start) * index / count
        b = start + (end - start) * (index + 1) / count
        out.append((length, min(a, b), max(a, b)))
    return out


def _pieces(step: dict, sport: str, notes: Notes) -> list[dict]:
    """The step as FIT steps: itself, or a ramp's slices; its cues folded into its notes."""
    target = step.get("target")
    pieces = [dict(step)]
    ramp = target is not None and ("from" in target or "from" in (target.get("percent") or {}))
    if ramp and step["duration"]["type"] != "TIME":  # only a timed step ramps: its range, then
        pieces = [{**step, "target": _as_range(target)}]
    elif ramp:
        seconds = float(step["duration"]["value"])
        absolute = "from" in target
        start, end = (target["from"], target["to"]) if absolute else (target["percent"]["from"],
                                                                      target["percent"]["to"])
        slices = ramp_slices(seconds, start, end)
        pieces = []
        for length, low, high in slices:
            if absolute:
                piece_target = {"type": target["type"], "min": low, "max": high}
            else:
                piece_target = {"type": target["type"], "percent": {"min": low, "max": high}}
            pieces.append({**step, "duration": {"type": "TIME", "value": length}, "target": piece_target})
        if not absolute:
            shown = f"{start:g}-{end:g} %"
        elif target["type"] == "PACE":
            per = "/100 m" if sport == "SWIM" else "/km"
            factor = SWIM_PACE_FACTOR if sport == "SWIM" else 1
            shown = f"{pace_text(start / factor)}-{pace_text(end / factor)} {per}"
        else:
            shown = f"{start:g}-{end:g} {UNITS[target['type']]}"
        notes.add(step["path"], f"a ramp {shown} sent as {len(slices)} steps of {duration_text(slices[0][0])} "
                                "(FIT steps hold no ramp)")
    timed = sorted(step.get("cues") or [], key=lambda cue: cue["at"])
    if timed:
        clock = 0.0
        for piece in pieces:
            length = float(piece["duration"].get("value") or 0) if piece["duration"]["type"] == "TIME" else None
            mine = [c for c in timed if length is None or piece is pieces[-1] or clock <= c["at"] < clock + length]
            timed = [c for c in timed if c not in mine]
            if mine:
                told = " · ".join(f"{_clock(c['at'] - clock)} {c['text']}" for c in mine)
                piece["notes"] = " · ".join(p for p in (piece.get("notes"), told) if p)
            clock += length or 0
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

def _step(step: dict, index: int, sport: str, notes: Notes) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if step.get("name"):
        message.workout_step_name = step["name"]
    if step.get("notes"):
        message.notes = step["notes"]
    message.intensity = INTENSITIES[step["intensity"]]
    duration = step["duration"]
    if duration["type"] == "TIME":
        message.duration_type = WorkoutStepDuration.TIME
        message.duration_time = float(duration["value"])
    elif duration["type"] == "DISTANCE":
        message.duration_type = WorkoutStepDuration.DISTANCE
        message.duration_distance = float(duration["value"])
    else:
        message.duration_type = WorkoutStepDuration.OPEN

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
