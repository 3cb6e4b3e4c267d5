"""A normalized workout as a FIT workout file, written with fit-tool.

Follows Garmin's FIT SDK profile (the ``file_id``, ``workout`` and ``workout_step``
messages of a workout file) so that any FIT-reading device or Garmin's own FIT SDK reads
the same steps back:

- repeats are native: a ``repeat_until_steps_cmplt`` step after the block's steps, with
  ``duration_step`` = the block's first step and ``target_repeat_steps`` = the count;
  blocks nested two deep stay nested;
- custom targets use the profile's offsets: heart rate as bpm + 100, power as watts +
  1000; pace as speed in m/s; cadence in rpm;
- a zone the athlete has no threshold for is sent as a zone number (``target_hr_zone``,
  ``target_power_zone``, ``target_speed_zone``), which the device resolves;
- cadence rides as the secondary target, or as the primary when there is no other.
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

from workouts.structure import Node, Repeat, native_tree

SPORTS = {"BIKE": Sport.CYCLING, "RUN": Sport.RUNNING, "SWIM": Sport.SWIMMING,
          "ROW": Sport.ROWING, "OTHER": Sport.GENERIC}
INTENSITIES = {"WARMUP": Intensity.WARMUP, "ACTIVE": Intensity.ACTIVE, "RECOVERY": Intensity.RECOVERY,
               "REST": Intensity.REST, "COOLDOWN": Intensity.COOLDOWN}
HEART_RATE_OFFSET = 100
POWER_OFFSET = 1000


def convert(normalized: dict, created: datetime | None = None) -> bytes:
    """The bytes of a .fit workout file."""
    created = created or datetime.now(timezone.utc)
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = zlib.crc32(normalized["name"].encode()) or 1
    file_id.time_created = round(created.timestamp() * 1000)

    steps: list[WorkoutStepMessage] = []
    _add(native_tree(normalized["steps"]), steps, normalized["sport"])

    workout = WorkoutMessage()
    workout.workout_name = normalized["name"].strip()
    workout.sport = SPORTS[normalized["sport"]]
    workout.num_valid_steps = len(steps)

    builder = FitFileBuilder(auto_define=True, min_string_size=16)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return builder.build().to_bytes()


def _add(nodes: list[Node], steps: list[WorkoutStepMessage], sport: str) -> None:
    for node in nodes:
        if isinstance(node, Repeat):
            first = len(steps)
            _add(node.steps, steps, sport)
            message = WorkoutStepMessage()
            message.message_index = len(steps)
            message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            message.duration_step = first
            message.target_repeat_steps = node.count
            steps.append(message)
        else:
            steps.append(_step(node, len(steps), sport))


def _step(step: dict, index: int, sport: str) -> WorkoutStepMessage:
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
    _primary(message, target)
    if cadence:
        message.secondary_target_type = WorkoutStepTarget.CADENCE
        message.secondary_target_value = 0
        message.secondary_custom_target_cadence_low = round(cadence["min"])
        message.secondary_custom_target_cadence_high = round(cadence["max"])
    return message


def _primary(message: WorkoutStepMessage, target: dict | None) -> None:
    if target is None:
        message.target_type = WorkoutStepTarget.OPEN
        return
    kind = target["type"]
    resolved = "min" in target
    if kind == "POWER":
        message.target_type = WorkoutStepTarget.POWER
        if resolved:
            message.target_value = 0
            message.custom_target_power_low = round(target["min"]) + POWER_OFFSET
            message.custom_target_power_high = round(target["max"]) + POWER_OFFSET
        else:
            message.target_power_zone = target["zone"]
    elif kind == "HEART_RATE":
        message.target_type = WorkoutStepTarget.HEART_RATE
        if resolved:
            message.target_value = 0
            message.custom_target_heart_rate_low = round(target["min"]) + HEART_RATE_OFFSET
            message.custom_target_heart_rate_high = round(target["max"]) + HEART_RATE_OFFSET
        else:
            message.target_hr_zone = target["zone"]
    elif kind == "PACE":
        message.target_type = WorkoutStepTarget.SPEED
        if resolved:  # the slower pace is the lower speed
            message.target_value = 0
            message.custom_target_speed_low = 1000.0 / target["max"]
            message.custom_target_speed_high = 1000.0 / target["min"]
        else:
            message.target_speed_zone = target["zone"]
    else:
        message.target_type = WorkoutStepTarget.CADENCE
        message.target_value = 0
        message.custom_target_cadence_low = round(target["min"])
        message.custom_target_cadence_high = round(target["max"])
