"""A workout's flat steps made to fit a device's step limit: ramps as steps, and, when that is
still too many, neighbours merged (the one rule every converter with a limit follows).

:func:`fit_steps` takes the normalized steps, the device's limit and how the device counts
steps (``count``: Garmin counts a repeat once plus its children, after its own compaction;
Wahoo counts intervals).  In order, it keeps the first that fits:

1. every ramp the device can play as a target split into ``pieces`` flat steps
   (workouts.ramps.ramp_steps: the same time, the work within 1 %), trying 5 pieces, then
   4, ... down to 1 (one step spanning the ramp's range): a whole workout that fits is
   worth more than a finer staircase;
2. the steps merged with workouts.simplify.simplify (the same total time, the work within
   2 %) down to a limit low enough that, with its surviving ramps split again, the device's
   count fits.

It raises :class:`CannotFit` when no merging gets there (too many distance or lap-press
steps, which never merge); the message says why, for the converter's UNSUPPORTED.  The notes
are the helpers' own (one per ramp, one for the merge), each naming the coach's step or
``steps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .ramps import DEFAULT_MAX_STEPS, is_ramp, split_ramps
from .simplify import CannotSimplify, simplify

Counter = Callable[[list[dict]], int]
Selector = Callable[[dict], bool]


class CannotFit(ValueError):
    """No ramp split and no merge gets the workout within the limit; the message says why."""


@dataclass(frozen=True)
class Fitted:
    steps: list[dict]  # flat normalized steps: split ramps as their pieces (blocks kept unless merged)
    notes: list[str]


def fit_steps(steps: list[dict], sport: str, limit: int, count: Counter, splittable: Selector | None = None,
              max_pieces: int = DEFAULT_MAX_STEPS) -> Fitted:
    """The steps as the device should get them (see the module)."""
    splittable = splittable or (lambda step: True)
    ramps = any(is_ramp(step.get("target")) and splittable(step) for step in steps)
    found = _split_to_fit(steps, sport, limit, count, splittable, max_pieces if ramps else 1)
    if found is not None:
        return Fitted(found[0], found[1])
    target = limit
    while target >= 1:
        try:
            merged = simplify(steps, target)
        except CannotSimplify as error:
            raise CannotFit(str(error).removeprefix("steps: ")) from None
        found = _split_to_fit(merged.steps, sport, limit, count, splittable, max_pieces)
        if found is not None:
            return Fitted(found[0], merged.notes + found[1])
        flat, _ = split_ramps(merged.steps, sport, 1, only=splittable)
        target = min(target - 1, target - (count(flat) - limit))
    raise CannotFit(f"even merged into one step the workout is more than the {limit} steps the device takes")


def _split_to_fit(steps: list[dict], sport: str, limit: int, count: Counter, splittable: Selector,
                  max_pieces: int) -> tuple[list[dict], list[str]] | None:
    for pieces in range(max_pieces, 0, -1):
        flat, notes = split_ramps(steps, sport, pieces, only=splittable)
        if count(flat) <= limit:
            return flat, notes
    return None
