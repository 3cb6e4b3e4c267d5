"""A ramp as flat steps, for a device or file that cannot play one (Garmin, Wahoo, FIT).

:func:`ramp_steps` cuts a ramp into N flat steps with the same total time.  Each step's target
is the range the ramp crosses during it, from where the ramp is at the step's start to where it
is at its end, so the step's middle is the ramp's mean over that time and the work (work.py:
watts, bpm or percent over time; for a pace, speed) is the ramp's.  Inner boundaries are rounded
to whole units (watts, bpm, seconds per km, percent), each rounding carried into the next so the
total stays within :data:`WORK_TOLERANCE`; a ramp too small for whole units (a few watts) keeps
two decimals instead.

N is as many steps as fit: at most ``max_steps``, each at least ``min_seconds`` (and a second)
long, and at least one (a ramp shorter than ``min_seconds`` becomes one step spanning its whole range).
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Callable

from .text import duration_text, ramp_text
from .work import from_work, level, to_work
from .zones import round_half_up

DEFAULT_MAX_STEPS = 5
DEFAULT_MIN_SECONDS = 60
WORK_TOLERANCE = 0.002  # what rounding may cost; the promise to the athlete is 1 %


@dataclass(frozen=True)
class Split:
    """The flat steps a ramp is sent as, and the note that says so."""

    steps: list[dict]
    note: str


def is_ramp(target: dict | None) -> bool:
    return bool(target) and ("from" in target or "from" in (target.get("percent") or {}))


def ramp_steps(step: dict, sport: str, max_steps: int = DEFAULT_MAX_STEPS,
               min_seconds: float = DEFAULT_MIN_SECONDS) -> Split:
    """A normalized ramp step as flat steps (each keeps the step's path, blocks and texts)."""
    target = step.get("target")
    if not is_ramp(target) or step["duration"]["type"] != "TIME":
        raise ValueError("ramp_steps takes a TIME step with a ramp target")
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    seconds = step["duration"]["value"]
    count = max(1, min(max_steps, int(seconds // min_seconds))) if min_seconds > 0 else max_steps
    count = min(count, max(1, int(seconds)))  # no step shorter than a second
    lengths = split_time(seconds, count)
    ramp = level(target)
    kind, absolute = target["type"], ramp.space[1] == "absolute"
    first, last = (target["from"], target["to"]) if absolute else (target["percent"]["from"], target["percent"]["to"])

    starts: list[float] = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    exact = [ramp.start + (ramp.end - ramp.start) * (t / seconds) for t in starts]
    shown = _boundaries(kind, absolute, exact, lengths, first, last, ramp.middle * seconds)

    pieces = []
    for index, length in enumerate(lengths):
        low, high = sorted((shown[index], shown[index + 1]))
        piece = {key: step[key] for key in step if key not in ("duration", "target", "cues", "blocks")}
        if "blocks" in step:
            piece["blocks"] = [dict(block) for block in step["blocks"]]
        piece["duration"] = {"type": "TIME", "value": length}
        piece["target"] = ({"type": kind, "min": low, "max": high} if absolute
                           else {"type": kind, "percent": {"min": low, "max": high}})
        begin, end = starts[index], starts[index] + length
        last_piece = index == len(lengths) - 1
        # Within the piece: the pieces' float starts may put a cue at the very end a hair past it.
        cues = [{"at": max(0.0, min(cue["at"] - begin, math.nextafter(length, 0))), "text": cue["text"]}
                for cue in step.get("cues") or () if begin <= cue["at"] and (cue["at"] < end or last_piece)]
        if cues:
            piece["cues"] = cues
        pieces.append(piece)
    same = len(set(lengths)) == 1
    each = duration_text(lengths[0]) if same else f"about {duration_text(seconds / count)}"
    steps_word = "step" if count == 1 else "steps"
    note = f"{step.get('path', 'steps')}: a {ramp_text(target, sport)} sent as {count} {steps_word} of {each}"
    return Split(pieces, note)


def split_ramps(steps: list[dict], sport: str, max_steps: int = DEFAULT_MAX_STEPS,
                min_seconds: float = DEFAULT_MIN_SECONDS,
                only: Callable[[dict], bool] | None = None) -> tuple[list[dict], list[str]]:
    """Every ramp of a flat list of normalized steps as flat steps, and a note for each (each once:
    a ramp repeated in a block is one note).  ``only`` picks the ramps to split (a device may keep
    a ramp it cannot play as a target at all as one step, said otherwise)."""
    out, notes = [], []
    for step in steps:
        if (is_ramp(step.get("target")) and step["duration"]["type"] == "TIME"
                and (only is None or only(step))):
            split = ramp_steps(step, sport, max_steps, min_seconds)
            out.extend(split.steps)
            if split.note not in notes:
                notes.append(split.note)
        else:
            out.append(step)
    return out, notes


def split_time(seconds: float, count: int) -> list[float]:
    """``count`` lengths adding up to ``seconds``: whole seconds (longer ones first) where they can be."""
    if float(seconds).is_integer() and seconds >= count:
        base, extra = divmod(int(seconds), count)
        return [base + 1] * extra + [base] * (count - extra)
    part = seconds / count
    return [part] * (count - 1) + [seconds - part * (count - 1)]


def _boundaries(kind: str, absolute: bool, exact: list[float], lengths: list[float], first, last,
                work: float) -> list:
    """The ramp's value at each step boundary as the steps show it: its own ends kept, the inner
    ones rounded (whole units, else two decimals, else exact) with each rounding's work carried on."""
    weights = [lengths[0] / 2] + [(lengths[i - 1] + lengths[i]) / 2 for i in range(1, len(lengths))]
    rising = last >= first
    for digits in (0, 2, None):
        shown, carried = [first], 0.0
        for index in range(1, len(lengths)):
            wanted = exact[index] - carried / weights[index]
            value = from_work(kind, absolute, wanted) if wanted > 0 else from_work(kind, absolute, exact[index])
            if digits == 0:
                value = round_half_up(value)
            elif digits is not None:
                value = round(value, digits)
            low, high = (shown[-1], last) if rising else (last, shown[-1])
            value = min(max(value, low), high)  # never back over the step before, nor past the ramp's end
            carried += weights[index] * (to_work(kind, absolute, value) - exact[index])
            shown.append(value)
        shown.append(last)
        got = sum(length * (to_work(kind, absolute, shown[i]) + to_work(kind, absolute, shown[i + 1])) / 2
                  for i, length in enumerate(lengths))
        if digits is None or abs(got - work) <= WORK_TOLERANCE * abs(work):
            return shown
    return shown  # pragma: no cover (the exact pass always returns)
