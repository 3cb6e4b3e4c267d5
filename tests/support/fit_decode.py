"""Reading a FIT workout back with Garmin's own FIT SDK (garmin-fit-sdk), for the tests.

Nothing here is shared with workouts/formats/fit.py: the point is to check our file the way a
device would read it.  :func:`expanded_steps` replays the repeat steps, so the result can
be compared step by step with a normalized workout.
"""

from __future__ import annotations

from garmin_fit_sdk import Decoder, Stream

HEART_RATE_OFFSET = 100
POWER_OFFSET = 1000


def decode(data: bytes) -> dict:
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit() and decoder.check_integrity(), "not a valid FIT file"
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == [], errors
    return messages


def _watts(value) -> int:
    # The SDK reports a stored 1000 (0 W) as the profile's name for that value.
    return (POWER_OFFSET if value == "watts_offset" else value) - POWER_OFFSET


def step_summary(message: dict) -> dict:
    """One workout_step message in the units of the workout format."""
    kind = message["duration_type"]
    if kind == "repeat_until_steps_cmplt":
        return {"repeatFrom": message["duration_step"], "times": message["repeat_steps"]}
    summary = {"intensity": message.get("intensity", "active").upper()}
    if kind == "time":
        summary["duration"] = {"type": "TIME", "value": message["duration_time"]}
    elif kind == "distance":
        summary["duration"] = {"type": "DISTANCE", "value": message["duration_distance"]}
    else:
        summary["duration"] = {"type": "OPEN"}
    summary["target"] = _target(message)
    if message.get("secondary_target_type") == "cadence":
        summary["cadence"] = {"min": message["secondary_custom_target_cadence_low"],
                              "max": message["secondary_custom_target_cadence_high"]}
    for key, name in (("wkt_step_name", "name"), ("notes", "notes")):
        if message.get(key):
            summary[name] = message[key]
    return summary


def _target(message: dict) -> dict | None:
    kind = message.get("target_type", "open")
    custom = message.get("target_value") == 0
    if kind == "power":
        if custom:
            return {"type": "POWER", "min": _watts(message["custom_target_power_low"]),
                    "max": _watts(message["custom_target_power_high"])}
        return {"type": "POWER", "zone": message["target_power_zone"]}
    if kind == "heart_rate":
        if custom:
            return {"type": "HEART_RATE", "min": message["custom_target_heart_rate_low"] - HEART_RATE_OFFSET,
                    "max": message["custom_target_heart_rate_high"] - HEART_RATE_OFFSET}
        return {"type": "HEART_RATE", "zone": message["target_hr_zone"]}
    if kind == "speed":
        if custom:
            return {"type": "SPEED", "low": message["custom_target_speed_low"],
                    "high": message["custom_target_speed_high"]}
        return {"type": "SPEED", "zone": message["target_speed_zone"]}
    if kind == "cadence":
        return {"type": "CADENCE", "min": message["custom_target_cadence_low"],
                "max": message["custom_target_cadence_high"]}
    return None


def expanded_steps(messages: dict) -> list[dict]:
    """The steps in the order the device runs them, repeats replayed."""
    steps = [step_summary(m) for m in messages["workout_step_mesgs"]]
    out: list[dict] = []

    def run(start: int, end: int) -> None:
        index = start
        while index < end:
            # The outermost repeat step that closes a block starting here, if any (an inner
            # block may start on the same step).
            closer = max((j for j in range(index + 1, end)
                          if "repeatFrom" in steps[j] and steps[j]["repeatFrom"] == index), default=None)
            if closer is not None:
                for _ in range(steps[closer]["times"]):
                    run(index, closer)
                index = closer + 1
            else:
                assert "repeatFrom" not in steps[index], f"stray repeat step at {index}"
                out.append(steps[index])
                index += 1

    run(0, len(steps))
    return out
