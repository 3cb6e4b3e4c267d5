"""ERG (minutes and watts) and MRC (minutes and percent of FTP) course files: the writer (and
the reader, below), between ``[COURSE HEADER]`` and ``[COURSE DATA]`` blocks, two points per step
(a ramp for a warm-up or cool-down range).
"""

from __future__ import annotations

from workouts import Thresholds

from .trainer_files import NO_TARGET_SHARE, CannotHold, flatten, share


# -- ERG and MRC -------------------------------------------------------------------------------------

def write(fmt: str, normalized: dict, thresholds: Thresholds, steps: list) -> bytes:
    sport = normalized["sport"]
    if sport != "BIKE":
        raise CannotHold(f"sport: {fmt.upper()} files are for bikes on a trainer, not {sport.lower()}s")
    if fmt == "erg" and not thresholds.ftp_watts:
        raise CannotHold("ERG files hold watts: the athlete's FTP is needed to turn zones into watts")
    points: list[tuple[float, float]] = []
    clock = 0.0
    for step in flatten(steps):
        target = step.get("target")
        if target and target["type"] == "HEART_RATE":
            raise CannotHold(f"{step['path']}: {fmt.upper()} files hold power, not heart rate")
        bounds = share(step, thresholds, sport) or (NO_TARGET_SHARE[step["intensity"]],) * 2
        start, end = bounds
        if step["intensity"] == "COOLDOWN":
            start, end = end, start
        elif step["intensity"] != "WARMUP":
            start = end = sum(bounds) / 2
        minutes = step["seconds"] / 60
        points += [(clock, start), (clock + minutes, end)]
        clock += minutes
    scale = thresholds.ftp_watts if fmt == "erg" else 100
    unit = "WATTS" if fmt == "erg" else "PERCENT"
    header = ["[COURSE HEADER]", "VERSION = 2", "UNITS = ENGLISH", f"DESCRIPTION = {normalized['name']}",
              f"FILE NAME = {normalized['name']}"]
    if fmt == "erg":
        header.append(f"FTP = {round(thresholds.ftp_watts)}")
    header += [f"MINUTES {unit}", "[END COURSE HEADER]", "[COURSE DATA]"]
    data = [f"{minute:.2f}\t{round(value * scale)}" for minute, value in points]
    return ("\n".join(header + data + ["[END COURSE DATA]"]) + "\n").encode()
