"""ERG (minutes and watts) and MRC (minutes and percent of FTP) course files: the writer, and
the reader of files written elsewhere.

The layout, as CompuTrainer defined it and TrainerRoad, intervals.icu, TrainingPeaks and most
indoor apps still write and read it::

    [COURSE HEADER]              [COURSE DATA]        [COURSE TEXT]
    VERSION = 2                  0.00    50           0     Spin easy     10
    UNITS = ENGLISH              5.00    50           ^ s   ^ message     ^ shown for, s
    DESCRIPTION = ...            5.00    88           [END COURSE TEXT]
    FILE NAME = ...              12.50   88
    FTP = 250   (ERG)            [END COURSE DATA]
    MINUTES WATTS | MINUTES PERCENT
    [END COURSE HEADER]

Each pair of consecutive points is a segment: flat when both values match, a ramp otherwise;
two points at the same minute are where one step ends and the next begins.

The writer: two points per step (a ramp's two ends; a warm-up or cool-down range as a ramp
up or down), minutes with as many decimals as whole seconds need, MRC percent with one
decimal where needed, ERG whole watts (it needs the athlete's FTP to turn percents and zones
into watts); step names, notes and cues as ``[COURSE TEXT]``.

The reader (:func:`read_erg`, :func:`read_mrc`) is below the writer.
"""

from __future__ import annotations

from workouts import Thresholds
from workouts.notes import Notes

from .trainer_files import NO_TARGET_SHARE, CannotHold, cues, flatten, level

TEXT_SECONDS = 10  # how long a course text shows


# -- the writer ------------------------------------------------------------------------------------

def write(fmt: str, normalized: dict, thresholds: Thresholds, steps: list, notes: Notes | None = None) -> bytes:
    """The .erg or .mrc of a workout whose steps carry their whole ``seconds`` (trainer_files.make)."""
    notes = notes if notes is not None else Notes()
    sport = normalized["sport"]
    if sport != "BIKE":
        raise CannotHold(f"sport: {fmt.upper()} files are for bikes on a trainer, not {sport.lower()}s")
    if fmt == "erg" and not thresholds.ftp_watts:
        raise CannotHold("ERG files hold watts: the athlete's FTP is needed to turn zones and percents of FTP "
                         "into watts")
    points: list[tuple[float, float]] = []
    texts: list[tuple[float, str]] = []
    clock = 0
    for step in flatten(steps):
        target = step.get("target")
        if target and target["type"] == "HEART_RATE":
            raise CannotHold(f"{step['path']}: {fmt.upper()} files hold power, not heart rate")
        found = level(step, thresholds, sport)
        if found is None:
            share = NO_TARGET_SHARE[step["intensity"]]
            notes.add(step["path"], f"no power target: {round(share * 100)} % of FTP here "
                                    f"({fmt.upper()} files hold power only)")
            start = end = share
        elif found.ramp:
            start, end = found.start, found.end
        elif step["intensity"] == "WARMUP":
            start, end = found.start, found.end
        elif step["intensity"] == "COOLDOWN":
            start, end = found.end, found.start
        else:
            start = end = found.middle
        if step.get("cadence") or (target and target["type"] == "CADENCE"):
            notes.add(step["path"], f"the cadence target is not in {fmt.upper()} files")
        message = " — ".join(p for p in (step.get("name"), step.get("notes")) if p)
        if message:
            texts.append((clock, message))
        for cue in cues(step):
            texts.append((clock + min(max(float(cue["at"]), 0.0), max(step["seconds"] - 1, 0)), cue["text"]))
        points += [(clock, start), (clock + step["seconds"], end)]
        clock += step["seconds"]
    scale = thresholds.ftp_watts if fmt == "erg" else 100
    unit = "WATTS" if fmt == "erg" else "PERCENT"
    header = ["[COURSE HEADER]", "VERSION = 2", "UNITS = ENGLISH", f"DESCRIPTION = {_line(normalized['name'])}",
              f"FILE NAME = {_line(normalized['name'])}"]
    if fmt == "erg":
        header.append(f"FTP = {round(thresholds.ftp_watts)}")
    header += [f"MINUTES {unit}", "[END COURSE HEADER]", "[COURSE DATA]"]
    value = (lambda v: str(round(v * scale))) if fmt == "erg" else (lambda v: _number(v * scale, 1))
    data = [f"{_minutes(second)}\t{value(share)}" for second, share in points]
    lines = header + data + ["[END COURSE DATA]"]
    if texts:
        lines.append("[COURSE TEXT]")
        for second, text in sorted(texts, key=lambda item: item[0]):
            shown = max(1, min(TEXT_SECONDS, round(clock - second)))
            lines.append(f"{_number(second, 1)}\t{_line(text)}\t{shown}")
        lines.append("[END COURSE TEXT]")
    return ("\n".join(lines) + "\n").encode()


def _minutes(seconds: float) -> str:
    """Minutes with two decimals, or four where two would move a whole second."""
    text = f"{seconds / 60:.2f}"
    if abs(float(text) * 60 - seconds) > 1e-6:
        text = f"{seconds / 60:.4f}"
    return text


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _line(text: str) -> str:
    """Text on one line with no tab (a tab separates the columns)."""
    return " ".join(str(text).split())
